"""Small text helpers every reader shares."""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from urllib.parse import urlsplit

import dateparser
from dateutil import parser as dateutil_parser

from embeddings.errors import SourceError
from embeddings.models import MAX_ARTICLE_CHARS, Article

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


def capped(text: str, limit: int = MAX_ARTICLE_CHARS) -> tuple[str, int]:
    """At most `limit` characters of `text`, cut after its last paragraph break (else sentence end, else space)
    before the limit, and the original length when it was cut (0 when it was not). Every reader caps an item's
    text before the costly steps (sentence splitting, MinHash, embedding), so one huge item stays cheap."""
    if len(text) <= limit:
        return text, 0
    head = text[:limit]
    for mark in ("\n\n", "\n", ". ", " "):
        at = head.rfind(mark)
        if at > limit // 2:
            return head[: at + len(mark)].rstrip(), len(text)
    return head, len(text)


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


def make_article(*, title: str, text: str, **fields) -> Article:
    """An article as a reader read it; one without a headline (`title` empty) gets one made from its lead, and
    says so (`title_derived`)."""
    return Article(title=title or derive_headline(text), text=text, title_derived=not title, **fields)


EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def parse_published(value: object) -> datetime | None:
    """A publish date from what sources give (ISO, RFC 822, free text, Unix seconds) as aware UTC, or None.
    Anything else (true/false, a list, NaN, a year 10^12) raises ValueError with a one-line reason."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"a date must be a string or a Unix time, not {json_type(value)}")
    elif isinstance(value, int | float):
        if not math.isfinite(value) or not EARLIEST.timestamp() <= value < LATEST.timestamp():
            raise ValueError(f"Unix time {value!r} is not a date between 1900 and 2200")
        dt = datetime.fromtimestamp(float(value), tz=UTC)
    else:
        text = value.strip()[:200]
        try:
            dt = dateutil_parser.parse(text)
        except (ValueError, OverflowError):
            parsed = dateparser.parse(text, languages=["en"], settings={"TIMEZONE": "UTC"})
            if parsed is None:
                raise ValueError(f"unreadable date {text[:40]!r}") from None
            dt = parsed
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    try:
        dt = dt.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError(f"date {value!r} is out of range") from None
    if not EARLIEST <= dt < LATEST:
        raise ValueError(f"date {dt.date().isoformat()} is not between 1900 and 2200")
    return dt


def json_type(value: object) -> str:
    """What a decoded JSON value is, in JSON's words (for error messages)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def not_json(exc: json.JSONDecodeError) -> str:
    """A line that is not JSON, said in our words rather than the parser's ("Expecting value: line 1 column 1
    (char 0)"): "not JSON (expecting value at column 1)"."""
    said = re.sub(r"\s+at$", "", exc.msg)  # "Unterminated string starting at": the column says where
    return f"not JSON ({said[:1].lower()}{said[1:]} at column {exc.colno})"


def decoded_lines(stream: Iterable[bytes]) -> Iterator[tuple[int, str | None, str | None]]:
    """Each line of a byte stream as (number, text, None), or (number, None, reason) when it is not UTF-8: one bad
    line costs only itself. A byte-order mark opening the first line is dropped."""
    for number, raw in enumerate(stream, 1):
        try:
            yield number, raw.decode("utf-8-sig" if number == 1 else "utf-8"), None
        except UnicodeDecodeError as exc:
            yield number, None, f"not UTF-8 text (byte 0x{raw[exc.start]:02x})"


def is_url(target: str) -> bool:
    return target.startswith(("http://", "https://"))


def checked_link(value: str, where: str, field: str = "'url'") -> str:
    """`value` as a link (see `web_link`): "" when none is given, the item's error when it is not one."""
    link = web_link(value)
    if value.strip() and not link:
        raise SourceError(where, f"{field} is not an http(s) URL: {value.strip()[:60]!r}")
    return link


def web_link(value: str) -> str:
    """`value` if it is an absolute http(s) URL with a host, else "" (a `javascript:` or relative link is no
    link a reader could follow)."""
    value = value.strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or any(c in value for c in ' \n\t<>"\\'):
        return ""
    return value


def stable_id(prefix: str, *parts: str) -> str:
    """A short id that is the same every time for the same parts."""
    return prefix + "-" + hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]
