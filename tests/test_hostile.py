"""Hostile networks and hostile input: the fetcher reads only what it may, within a deadline and a size, and one
bad item never costs the others. Servers run on 127.0.0.1; the rebinding resolver is a stub."""

from __future__ import annotations

import http.server
import ipaddress
import json
import socket
import threading
import time
from collections import Counter
from pathlib import Path

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
    events: list[str] = []
    release = threading.Event()

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
            self.events.append(f"start {path}")
            if path.startswith("/slow"):  # held until another feed is asked for (or 5 s pass)
                self.release.wait(5)
            else:
                self.release.set()
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            self._send(path, self.feeds[path])
            self.events.append(f"end {path}")
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
    Site.events.clear()
    Site.release.clear()
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
    (teaser,) = list(read(str(feed), fetcher=Fetcher(timeout=2, allow_private=False, private_hint="set X=1")))
    assert isinstance(teaser, Article) and teaser.text == "Teaser: the duty on widgets doubled."
    refused = "refused: 127.0.0.1 is a private or local address (127.0.0.1); set X=1"
    assert teaser.teaser == f"its page was not read: {refused}"
    assert Site.hits["/page-linked"] == 0
    (full,) = list(read(str(feed), fetcher=Fetcher(timeout=2, allow_private=True)))
    assert "flooded the market" in full.text and Site.hits["/page-linked"] == 1 and full.teaser == ""


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


# --- one bad item costs only itself ------------------------------------------------------------------------------

BAD_LINES = {
    '{"id": "a", "text": "Duties rose.", "published": 1e20}': "'published': Unix time",
    '{"id": "b", "text": "Duties rose.", "published": Infinity}': "'published': Unix time",
    '{"id": "c", "text": "Duties rose.", "published": NaN}': "'published': Unix time",
    '{"id": "d", "text": "Duties rose.", "published": true}': "'published': a date must be",
    '{"id": "e", "text": "Duties rose.", "published": "99999999999999999999"}': "'published'",
    '{"id": "f", "text": "Duties rose.", "published": "9999-12-31"}': "not between 1900 and 2200",
    '{"id": "g", "text": "Duties rose.", "authors": 5}': "'authors' must be",
    '{"id": "h", "text": "Duties rose.", "authors": ["A", {"x": 1}]}': "'authors' must be",
    '{"id": "i", "text": "Duties rose.", "title": ["a", "list"]}': "'title' must be a string, not a list",
    '{"id": "j", "text": "Duties rose.", "source": {"name": "x"}}': "'source' must be a string, not an object",
    '{"id": "k", "text": "Duties rose.", "url": "javascript:alert(1)"}': "'url' is not an http(s) URL",
    '{"id": "l", "text": "Duties rose.", "url": 42}': "'url' must be a string",
    '{"id": true, "text": "Duties rose."}': "'id' must be",
    '{"id": [1], "text": "Duties rose."}': "'id' must be",
}


def test_every_bad_json_value_is_one_skipped_line_and_the_good_lines_are_kept(tmp_path, library):
    good = [
        '{"id": "ok-1", "title": "Widget duty doubles", "text": "The duty on widgets doubled to 30%.", '
        '"published": 1751878800, "authors": "A. Writer", "url": "https://news.example.test/widgets"}',
        '{"id": 7, "title": "Gadget duty", "text": "The duty on gadgets rose to 12%.", "published": "2025-07-08"}',
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join([good[0], *BAD_LINES, good[1]]) + "\n")
    report = library.ingest([str(path)])
    assert sorted(report.added) == ["7", "ok-1"]
    reasons = [reason for _, reason in report.skipped]
    assert len(reasons) == len(BAD_LINES)
    for reason, expected in zip(reasons, BAD_LINES.values(), strict=True):
        assert expected in reason and "\n" not in reason
    stored = library.store.find_article("ok-1")
    assert stored is not None and stored.published.year == 2025


def test_a_javascript_link_in_a_feed_is_no_link(tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Example Wire</title>'
        "<item><title>Evil</title><link>javascript:alert(1)</link><guid>g1</guid>"
        "<description>The duty on widgets doubled to 30% on Monday.</description></item>"
        "<item><title>Relative</title><link>/news/2</link><guid>g2</guid>"
        "<description>The duty on gadgets rose to 12% on Tuesday.</description></item>"
        "</channel></rss>"
    )
    found = list(read(str(feed)))
    assert [a.url for a in found] == ["", ""] and all(isinstance(a, Article) for a in found)


ESCAPES = "\x1b[2J\x1b]52;c;ZXZpbA==\x07\x1b]8;;https://evil.test\x07click\x1b]8;;\x07\x9b31m\u202e"


def test_terminal_escapes_never_reach_the_terminal(tmp_path, library):
    """ESC and C1 sequences in news text (screen clears, OSC 52 clipboard writes, OSC 8 links, bidi overrides)
    are removed on ingest; text output removes them too, for indexes made before."""
    from bot import render
    from embeddings.models import ArticleSummary

    record = {
        "id": "esc",
        "title": f"Duty{ESCAPES} on widgets",
        "source": f"Wire{ESCAPES}",
        "text": f"The duty on widgets doubled{ESCAPES} to 30% on Monday.",
        "authors": [f"A.{ESCAPES} Writer"],
    }
    path = tmp_path / "esc.jsonl"
    path.write_text(json.dumps(record) + "\n")
    library.ingest([str(path)])
    (item,) = library.latest(5)
    shown = render.latest_text([item]) + library.store.passage_texts(library.store.passage_ids().tolist())[0][1]
    assert not any(ord(ch) < 32 and ch != "\n" or 0x7F <= ord(ch) <= 0x9F or ch == "\u202e" for ch in shown)
    assert item.title == "Dutyclick on widgets"  # whole sequences go, not only their control bytes
    old = ArticleSummary("x", f"Old{ESCAPES}", "Wire", "https://x.test", "", None)
    assert "\x1b" not in render.latest_text([old]) and "\x9b" not in render.latest_text([old])


def test_a_huge_item_is_cut_and_reported_and_the_next_one_still_gets_in(tmp_path, library):
    from embeddings.models import MAX_ARTICLE_CHARS

    paragraph = "The duty on widgets doubled to 30% on Monday, the ministry said, as importers rushed orders. " * 5
    huge = "\n\n".join([paragraph] * (3_000_000 // len(paragraph)))
    path = tmp_path / "huge.jsonl"
    path.write_text(
        json.dumps({"id": "huge", "title": "Widgets", "text": huge})
        + "\n"
        + json.dumps({"id": "next", "title": "Gadgets", "text": "The duty on gadgets rose to 12% on Tuesday."})
        + "\n"
    )
    other = "Port officials in Rotterdam counted record container volumes as shippers raced new levies. " * 5
    (tmp_path / "huge.md").write_text("# Sprockets\n\n" + "\n\n".join([other] * (3_000_000 // len(other))))
    report = library.ingest([str(path), str(tmp_path / "huge.md")])
    assert len(report.added) == 3 and {"huge", "next"} < set(report.added) and not report.skipped
    assert {(kept <= MAX_ARTICLE_CHARS, original > 2_900_000) for _, kept, original in report.truncated} == {
        (True, True)
    }
    assert len(report.truncated) == 2 and "cut to their first 200,000 characters" in report.summary()
    kept = library.store.article_passages(["huge"])
    assert 0 < len(kept) < 400  # a cut article costs what a very long feature costs, not 3 MB of passages
    assert all(text.endswith(".") for _, _, text in kept[-1:])  # cut at a paragraph break, not mid-word


# --- the low ones --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 2, 0)])
def test_one_id_twice_in_a_batch_keeps_the_newest_whatever_the_order(tmp_path, library, order):
    versions = [
        {"id": "x", "title": "Widget duty", "text": "The widget duty is 10%.", "published": "2025-07-01"},
        {"id": "x", "title": "Widget duty", "text": "The widget duty is 30%.", "published": "2025-07-03"},
        {"id": "x", "title": "Widget duty", "text": "The widget duty is 20%.", "published": "2025-07-02"},
    ]
    path = tmp_path / "dupes.jsonl"
    path.write_text("".join(json.dumps(versions[i]) + "\n" for i in order))
    report = library.ingest([str(path)])
    assert report.added == ["x"] and report.unchanged == ["x", "x"]
    (passage,) = library.store.article_passages(["x"])
    assert "30%" in passage[2]


def test_a_page_that_is_only_a_script_is_not_an_article(tmp_path):
    page = tmp_path / "shell.html"
    page.write_text(
        "<html><head><title>Trade Daily</title><script>var app = load();</script></head><body>"
        "<noscript><p>You need to enable JavaScript to run this app.</p></noscript><div id='root'></div>"
        "</body></html>"
    )
    found = list(read(str(page)))
    assert len(found) == 1 and isinstance(found[0], SourceError) and "JavaScript" in found[0].reason


@pytest.mark.parametrize(
    ("encoding", "declared"),
    [("windows-1252", '<meta charset="windows-1252">'), ("shift_jis", '<meta charset="shift_jis">'), ("utf-16", "")],
)
def test_html_files_are_read_in_their_declared_charset(tmp_path, encoding, declared):
    words = "Le café de Genève: les droits de douane sur l'acier passent à 25 %, a dit le ministère lundi. " * 3
    if encoding == "shift_jis":
        words = "鉄鋼の関税は月曜日に二十五パーセントに引き上げられたと経済産業省が発表した。" * 6
    html = f"<html><head>{declared}<title>Duty</title></head><body><article><p>{words}</p></article></body></html>"
    page = tmp_path / "page.html"
    page.write_bytes(html.encode(encoding))
    (article,) = list(read(str(page)))
    assert isinstance(article, Article), article
    assert words.strip()[:20] in article.text


def test_special_files_and_unreadable_directories_are_reported(tmp_path, monkeypatch):
    import os

    tree = tmp_path / "tree"
    (tree / "locked").mkdir(parents=True)
    (tree / "ok.md").write_text("# Duty\n\nThe duty on widgets doubled to 30% on Monday.\n")
    os.mkfifo(tree / "pipe.txt")
    (tree / "zero.txt").symlink_to("/dev/zero")
    (tree / "environ.txt").symlink_to("/proc/self/environ")
    real_scandir = os.scandir

    def scandir(path="."):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    items = list(read(str(tree)))
    reasons = {Path(e.item).name: e.reason for e in items if isinstance(e, SourceError)}
    assert reasons == {
        "locked": "cannot read directory (Permission denied)",
        "pipe.txt": "not a regular file",
        "zero.txt": "not a regular file",
        "environ.txt": "not a regular file",
    }
    assert [a.title for a in items if isinstance(a, Article)] == ["Duty"]


def test_new_homes_opened_at_once_all_open(tmp_path, fake_encoder):
    from embeddings import Library

    home = tmp_path / "fresh"
    start = threading.Barrier(6)
    errors = []

    def open_it():
        start.wait()
        try:
            Library.open(home, encoder=fake_encoder).close()
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_a_reader_does_not_repair_under_a_running_ingest(tmp_path, fake_encoder, caplog):
    import subprocess
    import sys

    from embeddings import Library

    home = tmp_path / "home"
    with Library.open(home, encoder=fake_encoder) as lib:
        lib.ingest([str(Path(__file__).parent / "fixtures" / "article.md")])
    (home / "vectors.faiss").unlink()  # as if the ingest had committed passages but not yet saved vectors
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from filelock import FileLock; lock = FileLock(sys.argv[1]); lock.acquire(); "
            "print('held', flush=True); time.sleep(60)",
            str(home / ".write.lock"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with caplog.at_level("WARNING"), Library.open(home, encoder=fake_encoder) as lib:
            lib.index  # noqa: B018
            stats = lib.stats()
        assert stats["ingest_running"] is True
        assert not [r for r in caplog.records if "repaired" in r.getMessage()]
        assert not (home / "vectors.faiss").exists()  # nothing written under the other process
    finally:
        holder.kill()
        holder.wait()
    with caplog.at_level("WARNING"), Library.open(home, encoder=fake_encoder) as lib:
        assert lib.stats()["passages"] == len(lib.index) and not lib.stats()["ingest_running"]


def test_library_warnings_stay_out_of_the_output(caplog):
    from embeddings.sources.web import extract_page

    deep = "<div>" * 3000 + "<p>" + "The duty on widgets doubled to 30% on Monday. " * 10 + "</p>" + "</div>" * 3000
    with caplog.at_level("WARNING"), pytest.raises(SourceError):
        extract_page(f"<html><body>{deep}</body></html>", "", "deep.html")
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == []


def _rss(title: str, slug: str, text: str) -> bytes:
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title><item><title>{title} item</title>'
        f"<link>https://news.example.test/{slug}</link><guid>{slug}</guid><description>{text}</description>"
        "<pubDate>Mon, 07 Jul 2025 09:00:00 GMT</pubDate></item></channel></rss>"
    ).encode()


async def test_a_slow_feed_does_not_hold_up_the_others(site, library, tmp_path):
    """The bot fetches due feeds side by side: the fast feed is read while the slow one is still answering."""
    from bot.engine import Engine
    from bot.feeds import FeedWatcher
    from bot.settings import Settings

    long_text = "The duty on widgets doubled to 30% on Monday, the ministry said, and importers rushed. " * 10
    Site.feeds["/slow.xml"] = _rss("Slow Wire", "slow", long_text)
    Site.feeds["/fast.xml"] = _rss("Fast Wire", "fast", long_text.replace("widgets", "gadgets"))
    library.records.feeds.add("g1", f"http://127.0.0.1:{site}/slow.xml")
    library.records.feeds.add("g1", f"http://127.0.0.1:{site}/fast.xml")
    fetcher, engine = Fetcher(timeout=10), Engine(library)
    try:
        await FeedWatcher(engine, Settings(home=tmp_path / "home", feed_interval=60), fetcher).poll_due()
        polled = {f.url.rsplit("/", 1)[1]: (f.failures, f.primed) for f in library.records.feeds.list()}
    finally:
        await engine.close()
        fetcher.close()
    assert Site.events.index("start /fast.xml") < Site.events.index("end /slow.xml")
    assert polled == {"slow.xml": (0, True), "fast.xml": (0, True)}
