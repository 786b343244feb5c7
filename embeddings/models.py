"""Records that cross module boundaries: articles in, passages stored, hits out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

MAX_ARTICLE_CHARS = 200_000  # about 30,000 words, three times a long feature: a bigger item's text is cut

# C0 controls but newline and tab, DEL, C1 controls (8-bit CSI and OSC among them), bidi embeddings/overrides.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Whole terminal sequences first, so nothing of them is left as text: OSC (ESC ] ... BEL or ST), CSI (ESC [ ...
# final byte, or the 8-bit CSI), and two-character escapes.
_SEQUENCES = re.compile(
    "\x1b\\][^\x07\x1b\x9c]*(?:\x07|\x1b\\\\|\x9c)?"
    "|\x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\\\|\x9c)?"
    "|(?:\x1b\\[|\x9b)[0-?]*[ -/]*[@-~]"
    "|\x1b[@-Z\\\\-_]"
)
_LINE_BREAKS = re.compile(r"[\n\t]+")


def printable(text: str, *, one_line: bool = False) -> str:
    """`text` with no control characters: news text can neither clear a terminal, write its clipboard (OSC 52),
    plant a link (OSC 8) nor reorder what is shown. `one_line` also turns newlines and tabs into spaces."""
    text = _CONTROLS.sub("", _SEQUENCES.sub("", text))
    return _LINE_BREAKS.sub(" ", text) if one_line else text


def plural(n: int, noun: str, nouns: str = "") -> str:
    """ "1 source", "3 sources"; `nouns` when the plural is not the noun and an s ("stories")."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {nouns or noun + 's'}"


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
    truncated_from: int = 0  # the text's length before it was cut to the reader's cap (0: not cut)
    teaser: str = ""  # why only a feed entry's summary is kept (its page could not be read); '' for a full story

    def clean(self) -> Article:
        """Control characters out of every field (see `printable`), in place; headlines on one line and as the
        outlet wrote them, without the site's name a page appends ("… | CNN Politics")."""
        self.title = printable(self.title, one_line=True).strip()
        self.source = printable(self.source, one_line=True).strip()
        self.url = printable(self.url, one_line=True).strip()
        if not self.title_derived:
            self.title = without_site_name(self.title, self.url, self.source)
        self.authors = [a for a in (printable(a, one_line=True).strip() for a in self.authors) if a]
        self.text = printable(self.text)
        return self


@dataclass
class Passage:
    """A run of whole sentences of one article; offsets index the article's text."""

    article_id: str
    position: int
    start: int
    end: int
    sentences: list[tuple[int, int]]  # (start, end) of each sentence in the article text
    text: str


_SITE_SEPARATOR = re.compile(r"\s+[|\-–—]\s+")
_NOT_SITE_NAMES = {"www", "com", "org", "net", "edition", "news", "amp", "mobile"}
_TRUNCATED = re.compile(r"\s*(?:\.\.\.|…)$")


def without_site_name(title: str, url: str = "", source: str = "") -> str:
    """The headline without the site's name that pages append to it ("Fed raises rates | CNN Business",
    "… - CNNPolitics", "… | The Week UK"): the last part after " | " or " - " is dropped when its letters begin
    like the site's (its host's main label, or the source's name), also when cut short ("| CNN ...")."""
    parts = list(_SITE_SEPARATOR.finditer(title))
    if not parts:
        return title
    last = parts[-1]
    tail = _TRUNCATED.sub("", title[last.end() :])
    letters = re.sub(r"[^a-z]", "", tail.lower())
    if len(letters) < 3 or len(tail.split()) > 5:
        return title
    labels = [
        *(urlsplit(url).hostname or "").split(".")[:-1],
        *(urlsplit(f"//{source}").hostname or "").split(".")[:-1],
    ]
    names = {re.sub(r"[^a-z]", "", n.lower()) for n in [*labels, source]} - _NOT_SITE_NAMES
    for name in (n for n in names if len(n) >= 3):
        if letters.startswith(name) or name.startswith(letters):
            return title[: last.start()].rstrip()
    return title


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

    @property
    def headline(self) -> str:
        """The title without the site's name a page appends to it: a prefix of the title."""
        return without_site_name(self.title, self.url, self.source)

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
    teaser: bool = False  # only a feed's summary of the story is indexed (its page could not be read)

    @property
    def link(self) -> str:
        return link(self.url, self.origin)
