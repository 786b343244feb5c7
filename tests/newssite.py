"""A small news site on 127.0.0.1 for the feed tests: an RSS feed built from a list of items, served with an
ETag (304 on If-None-Match), and a switch to make it fail. The items are written for the tests."""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape


@dataclass
class Item:
    slug: str
    title: str
    published: datetime
    text: str


ITEMS = [
    Item(
        "steel-quota",
        "Mills ask for a steel quota review",
        datetime(2025, 7, 1, 9, tzinfo=UTC),
        "Steel mills asked the commerce ministry on Monday to review the import quota for flat-rolled steel. "
        "The quota is due to expire at the end of September.",
    ),
    Item(
        "soy-harvest",
        "Soybean growers look for new buyers",
        datetime(2025, 7, 2, 9, tzinfo=UTC),
        "Soybean growers in Iowa said they were looking for buyers in Southeast Asia after orders from "
        "their largest customer dried up. Elevators reported full bins in early July.",
    ),
    Item(
        "port-fees",
        "Port fees on foreign-built ships start in October",
        datetime(2025, 7, 3, 9, tzinfo=UTC),
        "Fees on ships built abroad will be charged at every port call from October 14, the maritime "
        "office said. Carriers warned that freight rates would rise.",
    ),
    Item(
        "steel-rebar",
        "Rebar prices climb as the steel tariff bites",
        datetime(2025, 7, 4, 9, tzinfo=UTC),
        "Rebar prices rose for a fourth week as the steel tariff kept imports out, builders said. "
        "Contractors @everyone are renegotiating fixed-price steel contracts <@&4242>.",
    ),
    Item(
        "wine-duty",
        "Winemakers brace for a duty on bottled wine",
        datetime(2025, 7, 5, 9, tzinfo=UTC),
        "Winemakers in Bordeaux said a proposed duty on bottled wine would hit small estates first. "
        "Exporters are shipping early to beat the deadline.",
    ),
]


def rss(title: str, base: str, items: list[Item]) -> bytes:
    entries = "".join(
        f"<item><title>{escape(i.title)}</title><link>{base}/story/{i.slug}</link>"
        f"<guid>{base}/story/{i.slug}</guid><pubDate>{format_datetime(i.published)}</pubDate>"
        f"<description>{escape(i.text)}</description></item>"
        for i in items
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{escape(title)}</title>'
        f"<link>{base}/</link><description>Test feed</description>{entries}</channel></rss>"
    ).encode()


class NewsSite:
    """Feeds at /feed/<name>.xml; each item links to /story/<slug>: the page in `pages` under that slug, else
    404 (the teaser is all there is)."""

    def __init__(self) -> None:
        self.feeds: dict[str, list[Item]] = {}
        self.pages: dict[str, str] = {}  # slug -> HTML of the story's page
        self.titles: dict[str, str] = {}
        self.failing: set[str] = set()
        self.requests: Counter[str] = Counter()
        self.not_modified = 0
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                site.requests[self.path] += 1
                name = self.path.removeprefix("/feed/").removesuffix(".xml")
                page = site.pages.get(self.path.removeprefix("/story/"))
                if self.path.startswith("/story/") and page is not None:
                    body = page.encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                if self.path.startswith("/feed/") and name in site.failing:
                    self.send_error(503, "Service Unavailable")
                    return
                if not self.path.startswith("/feed/") or name not in site.feeds:
                    self.send_error(404)
                    return
                body = rss(site.titles.get(name, name), site.base, site.feeds[name])
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    site.not_modified += 1
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def publish(self, name: str, *items: Item, title: str = "") -> str:
        """Add items to a feed (creating it); returns the feed's URL."""
        self.feeds.setdefault(name, []).extend(items)
        self.titles.setdefault(name, title or f"{name.title()} Trade Wire")
        return self.url(name)

    def url(self, name: str) -> str:
        return f"{self.base}/feed/{name}.xml"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
