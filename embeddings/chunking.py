"""Sentences -> passages. Every passage is whole sentences with their offsets in the article text, so an
answer can quote exactly one sentence and a citation can point at where it stands."""

from __future__ import annotations

import re

import sentencex

from embeddings.models import Article, Passage

_PARAGRAPH = re.compile(r"[^\n]+")
_WORD = re.compile(r"\S+")

# About 120 words: under MiniLM's 256 word-piece window with room to spare, long enough for context.
MAX_WORDS = 120
OVERLAP_SENTENCES = 1


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; line breaks always end a sentence (newswire lines are paragraphs)."""
    spans: list[tuple[int, int]] = []
    for para in _PARAGRAPH.finditer(text):
        base = para.start()
        cursor = 0
        body = para.group()
        for sentence in sentencex.segment("en", body):
            stripped = sentence.strip()
            if not stripped:
                continue
            at = body.find(stripped, cursor)
            if at < 0:  # the segmenter changed the text; fall back to the whole paragraph remainder
                at = cursor
                stripped = body[cursor:].strip()
            spans.append((base + at, base + at + len(stripped)))
            cursor = at + len(stripped)
    return spans


def chunk(article: Article, max_words: int = MAX_WORDS, overlap: int = OVERLAP_SENTENCES) -> list[Passage]:
    """Greedy passages of whole sentences up to max_words, each starting `overlap` sentences back."""
    text = article.text
    sentences = split_sentences(text)
    words = [len(_WORD.findall(text[s:e])) for s, e in sentences]
    passages: list[Passage] = []
    i = 0
    while i < len(sentences):
        j, count = i, 0
        while j < len(sentences) and (j == i or count + words[j] <= max_words):
            count += words[j]
            j += 1
        span = sentences[i:j]
        start, end = span[0][0], span[-1][1]
        passages.append(Passage(article.id, len(passages), start, end, list(span), text[start:end]))
        if j >= len(sentences):
            break
        i = max(j - overlap, i + 1)
    return passages
