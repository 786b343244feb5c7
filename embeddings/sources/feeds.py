"""RSS and Atom feeds with feedparser; entries that carry only a summary get their full page fetched."""

from __future__ import annotations

import calendar
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import feedparser
import lxml.html

from embeddings.errors import SourceError
from embeddings.models import MAX_ARTICLE_CHARS, Article
from embeddings.sources.common import capped, make_article, stable_id, tidy_paragraphs, web_link
from embeddings.sources.web import Fetcher, extract_page

# An entry whose text is shorter than this is a teaser: fetch the article page for the full story.
SUMMARY_ONLY_CHARS = 600
_BLOCK_TAGS = ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "tr", "blockquote")


@dataclass
class KnownEntry:
    """A feed entry already indexed from its page (see `known_urls`)."""

    url: str


def looks_like_feed(head: bytes) -> bool:
    """Sniff the first bytes of a document for an RSS, RDF or Atom root element."""
    start = head[:2048].lstrip().lower()
    return b"<rss" in start or b"<feed" in start or b"<rdf:rdf" in start


def html_fragment_to_text(fragment: str) -> str:
    """Feed HTML (summaries, content:encoded) -> plain paragraphs."""
    if "<" not in fragment:
        return tidy_paragraphs(fragment)
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return tidy_paragraphs(fragment)
    for el in root.iter(*_BLOCK_TAGS):
        el.tail = "\n" + (el.tail or "")
    return tidy_paragraphs(root.text_content())


def _entry_time(entry: feedparser.FeedParserDict) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        if entry.get(key):
            return datetime.fromtimestamp(calendar.timegm(entry[key]), tz=UTC)
    return None


def read_feed(
    content: bytes,
    origin: str,
    fetcher: Fetcher | None,
    *,
    fetch_full: bool = True,
    known_urls: Collection[str] = (),
) -> Iterator[Article | SourceError | KnownEntry]:
    """Articles from a feed document; a malformed feed is one error, a bad entry is one error.
    A teaser entry whose page is in `known_urls` is not fetched again: it comes back as a KnownEntry."""
    parsed = feedparser.parse(content)
    if not parsed.entries:
        if parsed.bozo:
            reason = str(parsed.get("bozo_exception", "unparseable")).splitlines()[0][:120]
            yield SourceError(origin, f"malformed feed ({reason})")
        elif not parsed.version:
            yield SourceError(origin, "not an RSS or Atom feed")
        return
    feed_title = (parsed.feed.get("title") or "").strip()
    results: list[Article | SourceError | KnownEntry] = []
    for number, entry in enumerate(parsed.entries, 1):
        where = f"{origin} entry {number}"
        try:
            results.append(
                _entry_article(entry, feed_title, origin, where, fetcher if fetch_full else None, known_urls)
            )
        except SourceError as exc:
            results.append(exc)
        except Exception as exc:  # noqa: BLE001 - one odd entry costs only itself
            results.append(SourceError.unexpected(where, exc, "entry"))
    if parsed.bozo and not any(isinstance(r, Article) for r in results):
        reason = str(parsed.get("bozo_exception", "unparseable")).splitlines()[0][:120]
        yield SourceError(origin, f"malformed feed ({reason})")
        return
    yield from results


def _entry_article(
    entry: feedparser.FeedParserDict,
    feed_title: str,
    origin: str,
    where: str,
    fetcher: Fetcher | None,
    known_urls: Collection[str] = (),
) -> Article | KnownEntry:
    link = web_link(str(entry.get("link") or ""))  # a javascript: or relative link is no link
    html = ""
    if entry.get("content"):
        html = max((c.get("value", "") for c in entry.content), key=len)
    html = html or entry.get("summary", "") or entry.get("description", "")
    html, truncated_from = capped(html, 4 * MAX_ARTICLE_CHARS)  # markup included: the text is capped below
    text, cut = capped(html_fragment_to_text(html))
    truncated_from = truncated_from or cut
    title = html_fragment_to_text(entry.get("title", "")).replace("\n", " ")
    published = _entry_time(entry)
    teaser = ""  # why the entry's page, which may hold the whole story, was not read
    if link and len(text) < SUMMARY_ONLY_CHARS:
        if link in known_urls:  # its full page is indexed already; the teaser would only replace it
            return KnownEntry(link)
        if fetcher is None:
            teaser = "its page was not fetched"
        else:
            try:
                page = fetcher.get(link)
                full = extract_page(page.content, page.url, where)
                if len(full.text) > len(text):  # else the entry was the whole story
                    text, truncated_from = full.text, full.truncated_from
                    published = published or full.published
            except SourceError as exc:  # keep the summary: a teaser beats nothing, and the feed itself was fine
                teaser = f"its page was not read: {exc.reason}"
    if not text:
        raise SourceError(where, "entry has no text")
    authors = [a.get("name", "") for a in entry.get("authors", []) if a.get("name")]
    if not authors and entry.get("author"):
        authors = [entry.author]
    guid = entry.get("id") or link
    return make_article(
        id=stable_id("url", link) if link else stable_id("feed", origin, guid or title),
        title=title,
        text=text,
        source=feed_title,
        url=link,
        published=published,
        authors=authors,
        origin=origin,
        truncated_from=truncated_from,
        teaser=teaser,
    )


@dataclass
class FeedPoll:
    """One poll of a feed: its items, or `not_modified` when the server said nothing changed."""

    url: str
    not_modified: bool = False
    items: list[Article | SourceError] = field(default_factory=list)
    known_urls: list[str] = field(default_factory=list)  # entries indexed before, not fetched again
    title: str = ""
    etag: str | None = None
    last_modified: str | None = None


def poll_feed(
    url: str,
    fetcher: Fetcher,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    known_urls: Collection[str] = (),
) -> FeedPoll:
    """Fetch a feed with a conditional GET and read its entries. Raises SourceError when the feed itself
    cannot be had (HTTP error, not a feed, malformed); a bad entry is one SourceError among the items.
    Teaser entries whose pages are in `known_urls` are not fetched again."""
    page = fetcher.get(url, etag=etag, last_modified=last_modified)
    if page.not_modified:
        return FeedPoll(url, not_modified=True, etag=etag, last_modified=last_modified)
    kind = page.content_type.lower()
    if not (looks_like_feed(page.content) or any(k in kind for k in ("rss", "atom"))):
        raise SourceError(url, f"not an RSS or Atom feed (got {kind.split(';')[0] or 'an unknown type'})")
    entries = list(read_feed(page.content, url, fetcher, known_urls=known_urls))
    if len(entries) == 1 and isinstance(entries[0], SourceError) and entries[0].item == url:
        raise entries[0]
    items = [e for e in entries if not isinstance(e, KnownEntry)]
    title = next((i.source for i in items if isinstance(i, Article) and i.source), "")
    known = [e.url for e in entries if isinstance(e, KnownEntry)]
    return FeedPoll(url, items=items, known_urls=known, title=title, etag=page.etag, last_modified=page.last_modified)
