"""Records that cross module boundaries: articles in, passages stored, hits out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path


def link(url: str, origin: str) -> str:
    """One form for where an article can be read: its URL, else a file:// URL of the file it came from."""
    if url:
        return url
    if not origin or origin.startswith(("http://", "https://", "file://")):
        return origin
    return Path(origin).resolve().as_uri()


@dataclass
class Article:
    """One news item as read from a source, before chunking."""

    id: str
    title: str
    text: str
    source: str = ""
    url: str = ""
    published: datetime | None = None  # timezone-aware, UTC
    authors: list[str] = field(default_factory=list)
    origin: str = ""  # the file or URL it was read from
    title_derived: bool = False  # True when the item had no headline and one was made from its lead


@dataclass
class Passage:
    """A run of whole sentences of one article; offsets index the article's text."""

    article_id: str
    position: int
    start: int
    end: int
    sentences: list[tuple[int, int]]  # (start, end) of each sentence in the article text
    text: str


@dataclass
class Hit:
    """A retrieved passage with its article's metadata and retrieval scores."""

    passage_id: int
    article_id: str
    position: int
    text: str
    start: int
    sentences: list[tuple[int, int]]
    title: str
    source: str
    url: str
    origin: str
    published: datetime | None
    score: float = 0.0  # fused score, higher is better
    dense: float | None = None  # cosine similarity with the query, when known
    lexical: float | None = None  # BM25 (higher is better), when matched
    also_sources: list[str] = field(default_factory=list)  # syndicated copies of the same story

    @property
    def link(self) -> str:
        return link(self.url, self.origin)

    def sentence_texts(self) -> list[tuple[int, int, str]]:
        """Sentences as (start, end, text), offsets in the article text."""
        return [(s, e, self.text[s - self.start : e - self.start]) for s, e in self.sentences]


@dataclass
class ArticleSummary:
    """An article as listed by `latest`."""

    id: str
    title: str
    source: str
    url: str
    origin: str
    published: datetime | None
    also_sources: list[str] = field(default_factory=list)

    @property
    def link(self) -> str:
        return link(self.url, self.origin)
