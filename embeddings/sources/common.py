"""Small text helpers every reader shares."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

import dateparser
from dateutil import parser as dateutil_parser

_SPACES = re.compile(r"[ \t\u00a0]+")


def tidy_paragraphs(text: str) -> str:
    """Collapse runs of spaces, trim lines, keep single blank lines between paragraphs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", ln).strip() for ln in text.split("\n")]
    out: list[str] = []
    for ln in lines:
        if ln or (out and out[-1]):
            out.append(ln)
    return "\n".join(out).strip()


def derive_headline(body: str, limit: int = 110) -> str:
    """A headline from the lead sentence, cut at a word boundary."""
    from embeddings.chunking import split_sentences  # local: chunking imports nothing from sources

    first = body.strip().split("\n", 1)[0]
    sentences = split_sentences(first)
    lead = first[sentences[0][0] : sentences[0][1]].strip() if sentences else first
    lead = lead.rstrip(".")
    if len(lead) <= limit:
        return lead
    cut = lead[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:-") + "…"


def parse_published(value: object) -> datetime | None:
    """A publish date from what sources give (ISO, RFC 822, free text, epoch) as aware UTC, or None."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, int | float):
        dt = datetime.fromtimestamp(float(value), tz=UTC)
    else:
        text = str(value).strip()
        try:
            dt = dateutil_parser.parse(text)
        except (ValueError, OverflowError):
            parsed = dateparser.parse(text, languages=["en"], settings={"TIMEZONE": "UTC"})
            if parsed is None:
                raise ValueError(f"unreadable date {text[:40]!r}") from None
            dt = parsed
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def stable_id(prefix: str, *parts: str) -> str:
    """A short id that is the same every time for the same parts."""
    return prefix + "-" + hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]
