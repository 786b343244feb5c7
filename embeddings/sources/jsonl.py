"""JSON Lines: one article an object, `{"title", "text", "url", "published", "source", "authors", "id"?}`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from embeddings.errors import SourceError
from embeddings.models import Article
from embeddings.sources.common import (
    capped,
    checked_link,
    json_type,
    make_article,
    not_json,
    parse_published,
    stable_id,
    tidy_paragraphs,
)


def _string(record: dict, key: str, where: str) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise SourceError(where, f"'{key}' must be a string, not {json_type(value)}")
    return value


def parse_record(record: object, where: str, origin: str) -> Article:
    """One decoded JSON object -> Article, or SourceError naming what is wrong. Values of the wrong type are
    refused, never stored as their Python repr."""
    if not isinstance(record, dict):
        raise SourceError(where, "expected a JSON object")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise SourceError(where, "missing or empty 'text'")
    text, truncated_from = capped(text)
    text = tidy_paragraphs(text)
    try:
        published = parse_published(record.get("published") or record.get("publish_date"))
    except ValueError as exc:
        raise SourceError(where, f"'published': {exc}") from None
    authors = record.get("authors")
    if authors is None or authors == "":
        authors = []
    elif isinstance(authors, str):
        authors = [authors]
    elif not isinstance(authors, list) or not all(isinstance(a, str) for a in authors):
        raise SourceError(where, "'authors' must be a string or a list of strings")
    url = checked_link(_string(record, "url", where), where)
    title = _string(record, "title", where).strip()
    source = _string(record, "source", where).strip()
    explicit_id = record.get("id")
    if explicit_id is not None and (isinstance(explicit_id, bool) or not isinstance(explicit_id, str | int)):
        raise SourceError(where, f"'id' must be a string or a number, not {json_type(explicit_id)}")
    article_id = (
        str(explicit_id)
        if explicit_id not in (None, "")
        else stable_id("url", url)
        if url
        else stable_id("doc", title, str(published), text[:200])
    )
    return make_article(
        id=article_id,
        title=title,
        text=text,
        source=source,
        url=url,
        published=published,
        authors=[a for a in authors if a.strip()],
        origin=origin,
        truncated_from=truncated_from,
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
            yield SourceError(where, not_json(exc))
            continue
        try:
            yield parse_record(record, where, origin)
        except SourceError as exc:
            yield exc
        except Exception as exc:  # noqa: BLE001 - whatever one line holds, it costs only that line
            yield SourceError.unexpected(where, exc, "item")
