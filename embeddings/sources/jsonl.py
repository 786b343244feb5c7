"""JSON Lines: one article an object, `{"title", "text", "url", "published", "source", "authors", "id"?}`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from embeddings.errors import SourceError
from embeddings.models import Article
from embeddings.sources.common import derive_headline, parse_published, stable_id, tidy_paragraphs


def parse_record(record: object, where: str, origin: str) -> Article:
    """One decoded JSON object -> Article, or SourceError naming what is wrong."""
    if not isinstance(record, dict):
        raise SourceError(where, "expected a JSON object")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise SourceError(where, "missing or empty 'text'")
    text = tidy_paragraphs(text)
    try:
        published = parse_published(record.get("published") or record.get("publish_date"))
    except ValueError as exc:
        raise SourceError(where, str(exc)) from None
    authors = record.get("authors") or []
    if isinstance(authors, str):
        authors = [authors]
    url = str(record.get("url") or "")
    title = str(record.get("title") or "").strip()
    explicit_id = record.get("id")
    article_id = (
        str(explicit_id)
        if explicit_id not in (None, "")
        else stable_id("url", url)
        if url
        else stable_id("doc", title, str(published), text[:200])
    )
    return Article(
        id=article_id,
        title=title or derive_headline(text),
        text=text,
        source=str(record.get("source") or ""),
        url=url,
        published=published,
        authors=[str(a) for a in authors if a],
        origin=origin,
        title_derived=not title,
    )


def read_jsonl(lines: Iterable[str | SourceError], origin: str, max_line_bytes: int) -> Iterator[Article | SourceError]:
    """Articles from JSON Lines; each bad line is its own one-line error and the rest go on."""
    for number, line in enumerate(lines, 1):
        where = f"{origin}:{number}"
        if isinstance(line, SourceError):  # the line could not even be decoded
            yield line
            continue
        if not line.strip():
            continue
        if len(line) > max_line_bytes:
            yield SourceError(where, f"line too long ({len(line):,} characters)")
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield SourceError(where, f"invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        try:
            yield parse_record(record, where, origin)
        except SourceError as exc:
            yield exc
