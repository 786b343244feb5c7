"""Web pages: fetched with httpx, the article extracted with trafilatura."""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlparse

import httpcore
import httpx

from embeddings.errors import SourceError
from embeddings.models import Article
from embeddings.sources.common import capped, is_url, make_article, parse_published, stable_id, tidy_paragraphs

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


# Page extraction's own warnings are not the user's business: a page either yields an article or one skip reason.
for _name in ("trafilatura", "htmldate", "courlan", "justext"):
    logging.getLogger(_name).setLevel(logging.ERROR)
MIN_PAGE_CHARS = 60  # less text than a one-sentence brief: a shell, an error page or a wall, not an article
_NEEDS_SCRIPT = re.compile(r"\b(enable|turn on|requires?|need|activate)\b.{0,40}\bjavascript\b", re.I | re.S)
MAX_REDIRECTS = 10
MAX_PAGE_CHARS = 5_000_000  # HTML read by trafilatura: past this a page's markup is cut (parsing 24 MB took 0.8 GB)
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A globally reachable unicast address. IPv6 forms that carry an IPv4 address (mapped, NAT64, 6to4, Teredo)
    are judged by the address they carry: Python calls `64:ff9b::7f00:1` global, but it reaches 127.0.0.1."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return is_public(ip.ipv4_mapped)
        if any(ip in net for net in _NAT64):
            return is_public(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if ip.sixtofour:
            return is_public(ip.sixtofour)
        if ip.teredo:
            return all(is_public(part) for part in ip.teredo)
    return ip.is_global and not ip.is_multicast


def local_name(host: str) -> bool:
    host = host.rstrip(".").lower()
    return host == "localhost" or host.endswith(".localhost")


class CheckedBackend(httpcore.NetworkBackend):
    """Opens every TCP connection itself: resolves the host once, refuses it if any address is not public
    (unless `allow_private`), and connects to the very addresses it checked. The check cannot be raced by a
    second DNS answer (rebinding), and it covers every hop of a redirect. TLS still verifies the host name."""

    def __init__(self, allow_private: bool):
        self.allow_private = allow_private
        self.inner = httpcore.SyncBackend()

    def addresses(self, host: str, port: int) -> list[str]:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
        except (socket.gaierror, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host} ({exc})") from None
        found = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not self.allow_private:
            for address in found:
                if local_name(host) or not is_public(ipaddress.ip_address(address.split("%", 1)[0])):
                    raise PrivateAddress(f"refused: {host} is a private or local address ({address})")
        return found

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        error: Exception | None = None
        for address in self.addresses(host, port):
            try:
                return self.inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error or httpcore.ConnectError(f"no address for {host}")

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise httpcore.ConnectError("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


class PrivateAddress(Exception):
    """A connection refused by the private-address policy (kept apart from network errors)."""


def _client(timeout: float, allow_private: bool) -> httpx.Client:
    transport = httpx.HTTPTransport()
    pool = getattr(transport, "_pool", None)  # httpx has no public hook for the network backend
    if pool is None or not hasattr(pool, "_network_backend"):
        raise RuntimeError(f"httpx {httpx.__version__} has no network backend to check addresses: install httpx<1")
    pool._network_backend = CheckedBackend(allow_private)
    return httpx.Client(
        timeout=timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT}, transport=transport
    )


class Fetcher:
    """HTTP GET with a total deadline, a size cap on every response and a one-line error for every way it can
    fail. Redirects are followed here, hop by hop, without reading their bodies.

    `allow_private=False` refuses loopback, private, link-local and other internal addresses at connect time
    (see `CheckedBackend`), with `private_hint` (the setting that allows them) in the reason.
    `get(url, trusted=True)` is for a URL the operator typed: that first request may go anywhere, but its
    redirects and every link found in content follow the policy."""

    def __init__(
        self,
        timeout: float = 15.0,
        max_bytes: int = 25 * 1024 * 1024,
        *,
        allow_private: bool = True,
        private_hint: str = "",
    ):
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.private_hint = private_hint  # appended to a refusal: how the operator lifts it
        self.client = _client(timeout, allow_private)
        self.operator = self.client if allow_private else _client(timeout, True)

    def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None, trusted: bool = False
    ) -> Fetched:
        """The body of `url`; with `etag` / `last_modified` a conditional GET (status 304, no body, when unchanged).
        The whole fetch, redirects included, must end within the timeout."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        deadline = time.monotonic() + self.timeout
        current = url
        try:
            for hop in range(MAX_REDIRECTS + 1):
                client = self.operator if trusted and hop == 0 else self.client
                if not is_url(current):
                    raise SourceError(url, f"redirected to a URL that is not http(s): {current[:120]}")
                with client.stream("GET", current, headers=headers) as response:
                    location = response.headers.get("location")
                    if response.is_redirect and location:
                        current = str(response.url.join(location))  # the redirect's body is never read
                        continue
                    return self._read(url, response, deadline)
            raise SourceError(url, f"more than {MAX_REDIRECTS} redirects")
        except PrivateAddress as exc:
            raise SourceError(url, f"{exc}; {self.private_hint}" if self.private_hint else str(exc)) from None
        except httpx.TimeoutException:
            raise SourceError(url, "timed out") from None
        except httpx.HTTPError as exc:
            reason = str(exc) or type(exc).__name__
            raise SourceError(url, f"unreachable ({reason.splitlines()[0][:120]})") from None

    def _read(self, url: str, response: httpx.Response, deadline: float) -> Fetched:
        if response.status_code >= 400:
            raise SourceError(url, f"HTTP {response.status_code} {response.reason_phrase}".strip())
        too_large = f"response larger than {self.max_bytes / (1024 * 1024):g} MB"
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise SourceError(url, too_large)
        chunks, size = [], 0
        for chunk in response.iter_bytes():  # decoded: a compressed body is capped at its real size
            size += len(chunk)
            if size > self.max_bytes:
                raise SourceError(url, too_large)
            if time.monotonic() > deadline:
                raise SourceError(url, f"took longer than {self.timeout:g} s")
            chunks.append(chunk)
        return Fetched(
            str(response.url),
            b"".join(chunks),
            response.headers.get("content-type", ""),
            response.status_code,
            response.headers.get("etag"),
            response.headers.get("last-modified"),
        )

    def close(self) -> None:
        self.client.close()
        if self.operator is not self.client:
            self.operator.close()


def extract_page(html: str | bytes, url: str, origin: str) -> Article:
    """An HTML page -> Article via trafilatura (main text, title, author, date, site name)."""
    import trafilatura  # heavy import, only when a page is read

    cut_from = 0
    if len(html) > MAX_PAGE_CHARS:  # markup past this is cut: parsing it costs far more memory than its text
        cut_from = len(html)
        html = capped(html, MAX_PAGE_CHARS)[0] if isinstance(html, str) else html[:MAX_PAGE_CHARS]
    raw = trafilatura.extract(html, url=url or None, output_format="json", with_metadata=True, include_comments=False)
    if not raw:
        raise SourceError(origin, "no article text found in the page")
    data = json.loads(raw)
    text, truncated_from = capped(tidy_paragraphs(data.get("text") or ""))
    if not text:
        raise SourceError(origin, "no article text found in the page")
    if len(text) < 500 and _NEEDS_SCRIPT.search(text):
        raise SourceError(origin, "the page shows its article only with JavaScript (no article text in it)")
    if len(text) < MIN_PAGE_CHARS:
        raise SourceError(origin, f"too little article text in the page ({len(text)} characters)")
    try:
        published = parse_published(data.get("date"))
    except ValueError:
        published = None
    url = url or data.get("source") or ""
    source = data.get("sitename") or (urlparse(url).hostname or "" if url else "")
    authors = [a.strip() for a in (data.get("author") or "").split(";") if a.strip()]
    title = (data.get("title") or "").strip()
    return make_article(
        id=stable_id("url", url) if url else stable_id("doc", origin),
        title=title,
        text=text,
        source=source,
        url=url,
        published=published,
        authors=authors,
        origin=origin,
        truncated_from=truncated_from or cut_from,
    )
