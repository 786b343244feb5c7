"""A passage as retrieval hands it to an answerer, made from a sentence or two of our own, and a question read as
`ask` reads it: for the tests that read hand-made passages without an index."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from answering.measures import Wanted
from answering.question import Question
from embeddings.chunking import split_sentences
from embeddings.models import Hit

PUBLISHED = datetime(2025, 3, 28, 17, 15, tzinfo=UTC)  # a Friday


def hit(text: str, *, title="A story", published=PUBLISHED, article_id="a1", dense=0.6, pid=1) -> Hit:
    sentences = split_sentences(text)
    return Hit(
        passage_id=pid,
        article_id=article_id,
        position=0,
        text=text,
        start=0,
        sentences=sentences,
        title=title,
        source="Example Wire",
        url=f"https://x.test/{article_id}",
        origin="",
        published=published,
        score=1.0,
        dense=dense,
    )


def read_question(text: str, *, now: bool = False) -> Question:
    """The question read, asking for its figure as it stands now (`now`) or at any time, whatever its words say
    (only the figure it wants: `Question.now`, which `decide` reads, stays what its words say)."""
    return replace(Question.read(text), wanted=Wanted.of(text, now=now))
