"""Readers: the newswire format first, then every other kind, and every kind of bad input."""

from __future__ import annotations

import http.server
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from embeddings.errors import SourceError
from embeddings.models import Article
from embeddings.sources import Fetcher, read
from embeddings.sources.common import derive_headline
from embeddings.sources.newswire import parse_newswire
from embeddings.sources.web import extract_page
from tests.conftest import FIXTURES


def articles(target, **kw) -> tuple[list[Article], list[SourceError]]:
    items = list(read(str(target), **kw))
    return [i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, SourceError)]


def test_newswire_fields_and_boilerplate():
    a = parse_newswire((FIXTURES / "wire-tariff-pause.txt").read_text(), "wire.txt")
    assert a.title == "Ottawa Weighs Response as Border Levy Deadline Nears"
    assert not a.title_derived
    assert a.authors == ["Jane Example", "Raj Sample"]
    assert a.source == "Dow Jones Newswires"
    # 21:30 ET is 01:30 GMT on the next day.
    assert a.published == datetime(2025, 7, 16, 1, 30, tzinfo=UTC)
    assert a.text.startswith("Canada's trade minister said")
    for boilerplate in ("live coverage", "(END)", "Copyright", "Disclaimer", "Write to", "P/WSJL", "GMT"):
        assert boilerplate not in a.text
    assert a.text.endswith("according to industry estimates.")


def test_newswire_without_headline_derives_one_and_keeps_a_stable_id():
    text = (FIXTURES / "wire-no-headline.txt").read_text()
    a, b = parse_newswire(text, "x.txt"), parse_newswire(text, "elsewhere/y.txt")
    assert a.title_derived
    assert a.title.startswith("Mexico's economy ministry said exports of auto parts rose 3% in May")
    assert a.authors == ["Sam Writer"]
    assert a.published == datetime(2025, 6, 20, 13, 5, tzinfo=UTC)
    assert a.id == b.id  # the id does not depend on where the file lies


def test_seed_story_is_read_exactly(seed_dir):
    (a,), errors = articles(seed_dir)
    assert not errors
    assert a.authors == ["Paul Vieira"]
    assert a.published == datetime(2025, 3, 28, 17, 15, tzinfo=UTC)
    assert a.source == "Dow Jones Newswires"
    assert a.title_derived and a.text.startswith(a.title.rstrip("…"))  # the headline is made from the lead
    for boilerplate in ("live coverage", "(END)", "Copyright", "Disclaimer", "TTM", "13:15 ET", "By Paul"):
        assert boilerplate not in a.text
    assert "April 28" in a.text
    assert a.text.endswith(".") and "\n\n" not in a.text


def test_markdown_front_matter_and_markup():
    (a,), _ = articles(FIXTURES / "article.md")
    assert a.title == "Port of Example sees record container traffic"
    assert a.source == "Example Harbor Gazette"
    assert a.url == "https://news.example.test/port-record"
    assert a.published == datetime(2025, 5, 2, tzinfo=UTC)
    assert "**" not in a.text and "Port of Example" in a.text
    assert not a.text.startswith("Port of Example sees")  # the heading is the title, not body text


def test_jsonl_bad_lines_are_reported_and_the_rest_is_read():
    good, errors = articles(FIXTURES / "mixed.jsonl")
    assert [a.title for a in good] == ["Lumber mills brace for duties", "Soybean exports slow"]
    assert good[0].authors == ["A. Writer"] and good[1].published == datetime(2025, 7, 14, tzinfo=UTC)
    reasons = {e.item.rsplit(":", 1)[1]: e.reason for e in errors}
    assert reasons["2"].startswith("not JSON (expecting")
    assert reasons["3"] == "missing or empty 'text'"


class _Pages(http.server.BaseHTTPRequestHandler):
    pages: dict[str, tuple[str, bytes]] = {}

    def do_GET(self):  # noqa: N802 - http.server's name
        if self.path not in self.pages:
            self.send_error(404)
            return
        kind, body = self.pages[self.path]
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def web():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield base, _Pages.pages
    server.shutdown()
    _Pages.pages.clear()


def test_web_page_is_extracted(web):
    base, pages = web
    pages["/copper"] = ("text/html; charset=utf-8", (FIXTURES / "page.html").read_bytes())
    (a,), errors = articles(f"{base}/copper")
    assert not errors
    assert a.title == "Copper tariff set at 50%"
    assert a.url == f"{base}/copper"
    assert "50% tariff on imported copper" in a.text and "Markets" not in a.text
    assert a.published is not None and a.published.date().isoformat() == "2025-07-15"


def test_a_page_without_a_title_gets_its_headline_from_the_lead_as_other_readers_do():
    lead = (
        "Steel makers in the Ruhr said on Tuesday that import quotas on hot-rolled coil from Asia should be tightened"
        " before the end of the year, citing a surge in shipments."
    )
    html = f"<html><body><article><p>{lead}</p><p>{' '.join(['Mills cut output again.'] * 8)}</p></article>"
    article = extract_page(html, "", "page.html")
    assert article.title_derived and article.title == derive_headline(article.text)
    assert article.title.endswith("…") and lead.startswith(article.title.removesuffix("…") + " ")  # whole words


def test_feed_fetches_the_page_for_summary_only_items(web, tmp_path):
    base, pages = web
    pages["/copper"] = ("text/html", (FIXTURES / "page.html").read_bytes())
    feed = (FIXTURES / "feed.xml").read_text().replace("__PAGE_URL__", f"{base}/copper")
    pages["/feed.xml"] = ("application/rss+xml", feed.encode())
    found, errors = articles(f"{base}/feed.xml")
    assert not errors
    full, teaser = found
    assert full.source == "Example Trade Feed" and "imports fell 20% in June" in full.text
    assert "Short teaser" not in teaser.text and "Chile, the largest supplier" in teaser.text
    assert teaser.published == datetime(2025, 7, 15, 10, tzinfo=UTC)


def test_feed_keeps_the_summary_when_the_page_is_unreachable(tmp_path):
    feed = (FIXTURES / "feed.xml").read_text().replace("__PAGE_URL__", "http://127.0.0.1:9/gone")
    path = tmp_path / "feed.rss"
    path.write_text(feed)
    found, errors = articles(path, fetcher=Fetcher(timeout=2))
    assert not errors and found[1].text == "Short teaser about copper."


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file, not text"),
        ("latin1.txt", "Zölle auf Stahl".encode("latin-1"), "not UTF-8 text (byte 0xf6 at offset 1)"),
        ("blank.txt", b"  \n\n ", "empty file"),
        ("zero.md", b"", "empty file"),
        ("broken.xml", b"<rss><channel><item><title>x</title>", "malformed feed"),
    ],
)
def test_bad_files_get_one_line_reasons(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    found, (error,) = articles(path)
    assert not found
    assert error.reason.startswith(reason)
    assert "\n" not in str(error)


def test_very_large_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # sparse: 50 MB on paper, nothing on disk
    _, (error,) = articles(path, max_bytes=25 * 1024 * 1024)
    assert error.reason == "file too large (50.0 MB; the limit is 25 MB)"


def test_unreachable_url_and_missing_path(tmp_path):
    _, (error,) = articles("http://127.0.0.1:9/news", fetcher=Fetcher(timeout=2))
    assert error.reason.startswith("unreachable")
    _, (missing,) = articles(tmp_path / "nope.txt")
    assert missing.reason == "no such file, directory or URL"


def test_http_error_status(web):
    base, _ = web
    _, (error,) = articles(f"{base}/missing")
    assert error.reason == "HTTP 404 Not Found"


def test_directory_is_read_recursively(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "wire.txt").write_bytes((FIXTURES / "wire-no-headline.txt").read_bytes())
    (tmp_path / "a" / "notes.md").write_bytes((FIXTURES / "article.md").read_bytes())
    (tmp_path / "a" / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / ".hidden.txt").write_text("ignored")
    found, errors = articles(tmp_path)
    assert sorted(a.source for a in found) == ["Dow Jones Newswires", "Example Harbor Gazette"]
    assert [e.reason for e in errors] == ["unsupported file type '.png'"]


def test_plain_text_headline_and_id(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("Tariff notes\nThe duty on widgets rose to 15% on Friday.\n")
    (a,), _ = articles(path)
    assert a.title == "Tariff notes" and a.text == "The duty on widgets rose to 15% on Friday."
    assert a.id == next(read(str(Path(path)))).id


def test_a_line_that_is_not_json_is_said_in_plain_words(tmp_path):
    path = tmp_path / "cut.jsonl"
    path.write_text('{"title": "Cut off", "text": "The line ends inside a string', encoding="utf-8")
    _, errors = articles(path)
    assert [e.reason for e in errors] == ["not JSON (unterminated string starting at column 30)"]  # not "at at"
