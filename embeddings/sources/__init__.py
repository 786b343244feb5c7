"""One reader per input kind; `read()` picks the reader for a path or URL and yields articles or errors.

Every failure is a SourceError for that one item, so a caller can report it on one line and go on.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

from embeddings.errors import SourceError
from embeddings.models import Article
from embeddings.sources.common import decoded_lines, is_url
from embeddings.sources.feeds import looks_like_feed, read_feed
from embeddings.sources.jsonl import read_jsonl
from embeddings.sources.newswire import looks_like_newswire, parse_newswire
from embeddings.sources.text import parse_text
from embeddings.sources.web import Fetcher, extract_page

TEXT_SUFFIXES = {".txt", ".text", ".nws", ""}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
HTML_SUFFIXES = {".html", ".htm"}
KNOWN_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | JSONL_SUFFIXES | FEED_SUFFIXES | HTML_SUFFIXES

DEFAULT_MAX_BYTES = 25 * 1024 * 1024


def read(
    target: str, *, fetcher: Fetcher | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Article | SourceError]:
    """Articles from a file, a directory (recursively), or an http(s) URL (page or feed)."""
    if is_url(target):
        yield from _read_url(target, fetcher or Fetcher(max_bytes=max_bytes))
        return
    path = Path(target).expanduser()
    if path.is_dir():
        for file in _walk(path):
            if isinstance(file, SourceError):
                yield file
            else:
                yield from _read_file(file, fetcher, max_bytes, from_directory=True)
    elif path.exists():
        yield from _read_file(path, fetcher, max_bytes, from_directory=False)
    else:
        yield SourceError(target, "no such file, directory or URL")


def _walk(root: Path) -> Iterator[Path | SourceError]:
    """The files under `root`, sorted, hidden ones left out; a directory that cannot be listed is an error.
    Symbolic links to files are read; links to directories are not descended (see the README)."""
    unreadable: list[OSError] = []

    def cannot_list(exc: OSError, where: object) -> SourceError:
        return SourceError(str(exc.filename or where), f"cannot read directory ({exc.strerror or exc})")

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable.append):
        while unreadable:
            yield cannot_list(unreadable.pop(), dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name
    for exc in unreadable:
        yield cannot_list(exc, root)


def _decode(data: bytes, origin: str) -> str:
    if b"\x00" in data[:8192]:
        raise SourceError(origin, "binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        raise SourceError(origin, f"not UTF-8 text (byte 0x{bad:02x} at offset {exc.start})") from None
    if not text.strip():
        raise SourceError(origin, "empty file")
    return text


def _read_file(
    path: Path, fetcher: Fetcher | None, max_bytes: int, *, from_directory: bool
) -> Iterator[Article | SourceError]:
    """A file's articles, each remembering the file by its absolute path (errors name it as given)."""
    absolute = str(path.resolve())
    for item in _read_file_items(path, fetcher, max_bytes, from_directory=from_directory):
        if isinstance(item, Article) and item.origin == str(path):
            item.origin = absolute
        yield item


def _read_file_items(
    path: Path, fetcher: Fetcher | None, max_bytes: int, *, from_directory: bool
) -> Iterator[Article | SourceError]:
    origin = str(path)
    suffix = path.suffix.lower()
    if from_directory and suffix not in KNOWN_SUFFIXES:
        yield SourceError(origin, f"unsupported file type '{suffix}'")
        return
    try:
        info = path.stat()
        special = path.resolve().parts[1:2] in (("proc",), ("sys",), ("dev",))
        if not stat.S_ISREG(info.st_mode) or special:  # a FIFO would block, /dev/zero never ends
            raise SourceError(origin, "not a regular file")
        size = info.st_size
        if size == 0:
            raise SourceError(origin, "empty file")
        if suffix in JSONL_SUFFIXES:
            yield from _read_jsonl_file(path, max_bytes)
            return
        if size > max_bytes:
            raise SourceError(
                origin, f"file too large ({size / 1048576:.1f} MB; the limit is {max_bytes / 1048576:.0f} MB)"
            )
        data = path.read_bytes()
        if suffix in FEED_SUFFIXES or (suffix not in HTML_SUFFIXES and looks_like_feed(data)):
            yield from read_feed(data, origin, fetcher)
            return
        if suffix in HTML_SUFFIXES:  # bytes: decoded by their declared (or detected) charset, as a fetched page
            yield extract_page(data, "", origin)
            return
        text = _decode(data, origin)
        if looks_like_newswire(text):
            yield parse_newswire(text, origin)
        else:
            yield parse_text(text, origin, markdown=suffix in MARKDOWN_SUFFIXES)
    except SourceError as exc:
        yield exc
    except OSError as exc:
        yield SourceError(origin, f"cannot read ({exc.strerror or exc})")
    except Exception as exc:  # noqa: BLE001 - a reader's surprise about one file costs only that file
        yield SourceError.unexpected(origin, exc)


def _read_jsonl_file(path: Path, max_bytes: int) -> Iterator[Article | SourceError]:
    origin = str(path)
    with path.open("rb") as fh:
        head = fh.read(8192)
        if b"\x00" in head:
            raise SourceError(origin, "binary file, not text")
        fh.seek(0)

        lines = (
            text if text is not None else SourceError(f"{origin}:{number}", error or "")
            for number, text, error in decoded_lines(fh)
        )
        yield from read_jsonl(lines, origin, max_bytes)


def _read_url(url: str, fetcher: Fetcher) -> Iterator[Article | SourceError]:
    try:
        page = fetcher.get(url, trusted=True)  # the operator typed it; its redirects and links follow the policy
        kind = page.content_type.lower()
        if any(k in kind for k in ("rss", "atom", "xml")) or looks_like_feed(page.content):
            yield from read_feed(page.content, url, fetcher)
        elif "html" in kind or not kind or page.content.lstrip()[:1] == b"<":
            yield extract_page(page.content, page.url, url)
        elif kind.startswith("text/"):
            text = _decode(page.content, url)
            article = parse_newswire(text, url) if looks_like_newswire(text) else parse_text(text, url)
            article.url = article.url or page.url
            yield article
        else:
            yield SourceError(url, f"unsupported content type '{kind.split(';')[0]}'")
    except SourceError as exc:
        yield exc
    except Exception as exc:  # noqa: BLE001 - one odd page costs only itself
        yield SourceError.unexpected(url, exc)
