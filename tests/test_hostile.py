"""Hostile networks and hostile input: the fetcher reads only what it may, within a deadline and a size, and one
bad item never costs the others. Servers run on 127.0.0.1; the rebinding resolver is a stub."""

from __future__ import annotations

import http.server
import ipaddress
import socket
import threading
import time
from collections import Counter

import pytest

from embeddings.errors import SourceError
from embeddings.models import Article
from embeddings.sources import Fetcher, read
from embeddings.sources.web import is_public, local_name

PAGE = (
    b"<html><head><title>Duty on widgets doubles</title></head><body><article><h1>Duty on widgets doubles</h1>"
    b"<p>The duty on imported widgets doubled to 30% on Monday, the trade ministry said, in a move aimed at "
    b"cheap imports that domestic makers say have flooded the market since the spring.</p>"
    b"<p>Importers said prices would rise within weeks.</p></article></body></html>"
)


class Site(http.server.BaseHTTPRequestHandler):
    """Routes for the attacks: a page, a slow drip, a redirect with a huge body, an oversized chunked body."""

    hits: Counter = Counter()
    sent: Counter = Counter()
    feeds: dict[str, bytes] = {}

    def log_message(self, *args) -> None:
        pass

    def _send(self, path: str, data: bytes) -> bool:
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:  # the client hung up: that is the point of several tests
            return False
        self.sent[path] += len(data)
        return True

    def do_GET(self) -> None:  # noqa: N802
        path = self.path
        self.hits[path] += 1
        if path in self.feeds:
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            self._send(path, self.feeds[path])
        elif path.startswith("/page"):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self._send(path, PAGE)
        elif path == "/drip":  # a byte every 0.1 s for 3 s: each read is quick, the whole is not
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(30):
                if not self._send(path, b" "):
                    return
                time.sleep(0.1)
        elif path == "/heavy-redirect":  # 302 with a 50 MB body that nobody should read
            self.send_response(302)
            self.send_header("Location", "/page-after-redirect")
            self.send_header("Content-Length", str(50 * 1024 * 1024))
            self.end_headers()
            for _ in range(800):
                if not self._send(path, b"\0" * 65536):
                    return
        elif path == "/to-internal":
            self.send_response(302)
            self.send_header("Location", f"http://localhost:{self.server.server_address[1]}/page-internal")
            self.end_headers()
        elif path == "/chunked-25mb":  # no Content-Length: the limit must hold while reading
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(400):  # 25 MB
                if not self._send(path, b"x" * 65536):
                    return
        else:
            self.send_response(404)
            self.end_headers()


@pytest.fixture
def site():
    Site.hits.clear()
    Site.sent.clear()
    Site.feeds.clear()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Site)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


# --- addresses -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:4700:4700::1111", True),
        ("64:ff9b::808:808", True),  # NAT64 of 8.8.8.8
        ("127.0.0.2", False),
        ("10.1.2.3", False),
        ("169.254.169.254", False),  # cloud metadata
        ("::ffff:127.0.0.1", False),
        ("64:ff9b::7f00:1", False),  # NAT64 of 127.0.0.1: Python alone calls this global
        ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1
        ("2002:7f00:1::1", False),  # 6to4 of 127.0.0.1: Python alone calls this global
        ("2002:c0a8:101::1", False),  # 6to4 of 192.168.1.1
        ("fe80::1", False),
        ("ff02::1", False),
    ],
)
def test_what_counts_as_a_public_address(address, public):
    assert is_public(ipaddress.ip_address(address)) is public


def test_local_names_are_refused_whatever_they_resolve_to():
    assert local_name("localhost.") and local_name("LOCALHOST") and local_name("printer.localhost")
    assert not local_name("localhost.example.com")


def test_a_zone_id_does_not_slip_a_link_local_address_through(monkeypatch):
    real = socket.getaddrinfo

    def resolver(host, port, *args, **kwargs):
        if host == "zoned.test":
            return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("fe80::1%lo", port, 0, 1))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    with pytest.raises(SourceError, match="private or local address"):
        Fetcher(timeout=2, allow_private=False).get("http://zoned.test/")


def test_dns_rebinding_cannot_reach_a_loopback_server(site, monkeypatch):
    """The resolver answers a public address first and 127.0.0.1 after: the fetcher connects to the address it
    checked, so the loopback server is never reached."""
    answers = iter(["93.184.216.34"] + ["127.0.0.1"] * 10)
    real = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        if host == "rebind.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with pytest.raises(SourceError):
        Fetcher(timeout=1, allow_private=False).get(f"http://rebind.test:{site}/page-internal")
    assert Site.hits["/page-internal"] == 0


def test_a_redirect_to_a_local_name_is_refused_even_from_an_operator_url(site):
    """The operator may point at a local server; where it redirects to is content, and follows the policy."""
    fetcher = Fetcher(timeout=2, allow_private=False)
    with pytest.raises(SourceError, match="private or local address"):
        fetcher.get(f"http://127.0.0.1:{site}/to-internal", trusted=True)
    assert Site.hits["/to-internal"] == 1 and Site.hits["/page-internal"] == 0
    with pytest.raises(SourceError, match="private or local address"):  # not typed by the operator: refused
        fetcher.get(f"http://127.0.0.1:{site}/page-a")
    assert Site.hits["/page-a"] == 0


def test_links_inside_a_feed_follow_the_private_address_policy(site, tmp_path):
    """`tradewire ingest feed.xml` with entries linking to loopback pages: without the opt-in the pages are
    not fetched (the entry keeps its teaser); with it they are."""
    feed = tmp_path / "feed.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Example Wire</title><item>'
        "<title>Widget duty doubles</title>"
        f"<link>http://127.0.0.1:{site}/page-linked</link>"
        "<description>Teaser: the duty on widgets doubled.</description>"
        "<pubDate>Mon, 07 Jul 2025 09:00:00 GMT</pubDate></item></channel></rss>"
    )
    (teaser,) = list(read(str(feed), fetcher=Fetcher(timeout=2, allow_private=False)))
    assert isinstance(teaser, Article) and teaser.text == "Teaser: the duty on widgets doubled."
    assert Site.hits["/page-linked"] == 0
    (full,) = list(read(str(feed), fetcher=Fetcher(timeout=2, allow_private=True)))
    assert "flooded the market" in full.text and Site.hits["/page-linked"] == 1


# --- deadlines and sizes -----------------------------------------------------------------------------------------


def test_a_drip_fed_response_ends_at_the_deadline(site):
    """Each byte comes well within the read timeout, but the whole fetch may not outlast the timeout."""
    with pytest.raises(SourceError, match="took longer than 1 s"):
        Fetcher(timeout=1).get(f"http://127.0.0.1:{site}/drip")
    assert Site.sent["/drip"] < 30


def test_a_redirect_body_is_never_read(site):
    fetched = Fetcher(timeout=10, max_bytes=1024 * 1024).get(f"http://127.0.0.1:{site}/heavy-redirect")
    assert fetched.url.endswith("/page-after-redirect") and b"widgets doubled" in fetched.content
    assert Site.sent["/heavy-redirect"] < 10 * 1024 * 1024  # the client hung up instead of reading 50 MB


def test_the_size_limit_holds_without_a_content_length(site):
    with pytest.raises(SourceError, match="larger than 1 MB"):
        Fetcher(timeout=10, max_bytes=1024 * 1024).get(f"http://127.0.0.1:{site}/chunked-25mb")
    assert Site.sent["/chunked-25mb"] < 10 * 1024 * 1024
