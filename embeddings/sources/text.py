"""Plain text and Markdown articles, with optional `key: value` front matter between `---` lines."""

from __future__ import annotations

import re
from pathlib import Path

from embeddings.errors import SourceError
from embeddings.models import Article
from embeddings.sources.common import capped, checked_link, make_article, parse_published, stable_id, tidy_paragraphs

_FRONT_MATTER = re.compile(r"\A---\s*\n(?P<body>.*?)\n---\s*\n", re.S)
_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$", re.M)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_MD_LIST = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.M)
_MD_QUOTE = re.compile(r"^\s*>\s?", re.M)


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    meta = {}
    for line in m["body"].splitlines():
        if ":" in line:
            key, value = line.split(":", 1)
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return meta, text[m.end() :]


def markdown_to_text(text: str) -> str:
    """Markdown markup removed, words kept (headings become their own lines)."""
    text = _MD_HEADING.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_EMPHASIS.sub(r"\2", text)
    text = _MD_LIST.sub("", text)
    return _MD_QUOTE.sub("", text)


def parse_text(text: str, origin: str, *, markdown: bool = False) -> Article:
    """A text or Markdown file -> Article. The title is the front matter's, the first heading, or the lead."""
    meta, body = _front_matter(text)
    body, truncated_from = capped(body)
    title = meta.get("title", "")
    if markdown and (m := _MD_HEADING.search(body)) and not body[: m.start()].strip():
        if not title or m.group(1).strip() == title:  # the leading heading is the headline
            title = m.group(1).strip()
            body = body[m.end() :]
    if markdown:
        body = markdown_to_text(body)
    body = tidy_paragraphs(body)
    if not title:
        first, _, rest = body.partition("\n")
        # A short first line without final punctuation is a headline.
        if rest.strip() and len(first) <= 160 and not first.endswith((".", "!", "?", '"', "”")):
            title, body = first.strip(), rest.strip()
    if not body:
        raise SourceError(origin, "no article text")
    try:
        published = parse_published(meta.get("published") or meta.get("date"))
    except ValueError as exc:
        raise SourceError(origin, f"front matter: {exc}") from None
    authors = [a.strip() for a in re.split(r",|;| and ", meta.get("authors", meta.get("author", ""))) if a]
    url = checked_link(meta.get("url", ""), origin, "front matter: 'url'")
    return make_article(
        id=meta.get("id") or stable_id("doc", url or str(Path(origin).resolve())),
        title=title,
        text=body,
        source=meta.get("source", ""),
        url=url,
        published=published,
        authors=[a for a in authors if a],
        origin=origin,
        truncated_from=truncated_from,
    )
