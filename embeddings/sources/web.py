"""Web pages: fetched with httpx, the article extracted with trafilatura."""

from __future__ import annotations

import ipaddress
import json
import socket
from dataclasses import dataclass
from urllib.parse import urlparse

import httpx

from embeddings.errors import SourceError
from embeddings.models import Article
from embeddings.sources.common import parse_published, stable_id, tidy_paragraphs

USER_AGENT = "tradewire/0.1 (+https://github.com/tradewire/tradewire) news reader"


@dataclass
class Fetched:
    url: str  # after redirects
    content: bytes
    content_type: str
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def refuse_private_hosts(request: httpx.Request) -> None:
    """An httpx request hook (also run on every redirect): no loopback, private, link-local or otherwise
    internal address, so people who may add feeds cannot make the bot read the machine's own network."""
    host = request.url.host
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, request.url.port or 443, proto=socket.IPPROTO_TCP)}
    except (socket.gaierror, UnicodeError):
        return  # unresolvable: the request fails on its own, with its own message
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not ip.is_global:
            raise SourceError(str(request.url), f"refused: {host} is a private or local address")


class Fetcher:
    """HTTP GET with a timeout, a size cap and a one-line error for every way it can fail.
    `allow_private=False` refuses internal addresses (see `refuse_private_hosts`)."""

    def __init__(self, timeout: float = 15.0, max_bytes: int = 25 * 1024 * 1024, *, allow_private: bool = True):
        self.max_bytes = max_bytes
        hooks = {} if allow_private else {"request": [refuse_private_hosts]}
        self.client = httpx.Client(
            timeout=timeout, follow_redirects=True, headers={"User-Agent": USER_AGENT}, event_hooks=hooks
        )

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """The body of `url`; with `etag` / `last_modified` a conditional GET (status 304, no body, when unchanged)."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                if response.status_code >= 400:
                    raise SourceError(url, f"HTTP {response.status_code} {response.reason_phrase}".strip())
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise SourceError(url, f"response larger than {self.max_bytes // (1024 * 1024)} MB")
                    chunks.append(chunk)
                return Fetched(
                    str(response.url),
                    b"".join(chunks),
                    response.headers.get("content-type", ""),
                    response.status_code,
                    response.headers.get("etag"),
                    response.headers.get("last-modified"),
                )
        except httpx.TimeoutException:
            raise SourceError(url, "timed out") from None
        except httpx.HTTPError as exc:
            reason = str(exc) or type(exc).__name__
            raise SourceError(url, f"unreachable ({reason.splitlines()[0][:120]})") from None

    def close(self) -> None:
        self.client.close()


def extract_page(html: str | bytes, url: str, origin: str) -> Article:
    """An HTML page -> Article via trafilatura (main text, title, author, date, site name)."""
    import trafilatura  # heavy import, only when a page is read

    raw = trafilatura.extract(html, url=url or None, output_format="json", with_metadata=True, include_comments=False)
    if not raw:
        raise SourceError(origin, "no article text found in the page")
    data = json.loads(raw)
    text = tidy_paragraphs(data.get("text") or "")
    if not text:
        raise SourceError(origin, "no article text found in the page")
    try:
        published = parse_published(data.get("date"))
    except ValueError:
        published = None
    url = url or data.get("source") or ""
    source = data.get("sitename") or (urlparse(url).hostname or "" if url else "")
    authors = [a.strip() for a in (data.get("author") or "").split(";") if a.strip()]
    title = (data.get("title") or "").strip()
    return Article(
        id=stable_id("url", url) if url else stable_id("doc", origin),
        title=title or text.split("\n", 1)[0][:110],
        text=text,
        source=source,
        url=url,
        published=published,
        authors=authors,
        origin=origin,
        title_derived=not title,
    )
