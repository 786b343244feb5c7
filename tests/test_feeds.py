"""Feeds, subscriptions and deliveries without Discord: conditional polling, what counts as new, one post
per story per channel, backoff, topics, and the library seeing another process's ingest."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.feeds import FeedWatcher
from bot.settings import Settings
from embeddings import Library
from embeddings.errors import SourceError
from embeddings.models import Article
from embeddings.sources.feeds import poll_feed
from embeddings.sources.web import Fetcher
from tests.conftest import delivery_counts
from tests.newssite import ITEMS, NewsSite

STEEL_QUOTA, SOY, PORT, REBAR, WINE = ITEMS


@pytest.fixture
def site():
    s = NewsSite()
    yield s
    s.close()


@pytest.fixture
async def watcher(library, tmp_path):
    """The bot's feed machinery on the fake-encoder library, without Discord."""
    fetcher, engine = Fetcher(), Engine(library)
    yield FeedWatcher(engine, Settings(home=tmp_path / "home", feed_interval=60), fetcher)
    await engine.close()
    fetcher.close()


def test_conditional_get_and_known_pages_are_not_fetched_again(site):
    url = site.publish("wire", STEEL_QUOTA, SOY)
    fetcher = Fetcher()
    first = poll_feed(url, fetcher)
    assert [a.title for a in first.items] == [STEEL_QUOTA.title, SOY.title] and first.etag
    assert site.requests[f"/story/{SOY.slug}"] == 1  # teaser: the page was tried once
    again = poll_feed(url, fetcher, etag=first.etag)
    assert again.not_modified and again.items == [] and site.not_modified == 1
    site.publish("wire", PORT)
    known = {a.url for a in first.items}
    third = poll_feed(url, fetcher, etag=first.etag, known_urls=known)
    assert [a.title for a in third.items] == [PORT.title]
    assert sorted(third.known_urls) == sorted(known)
    assert site.requests[f"/story/{SOY.slug}"] == 1  # not fetched a second time
    fetcher.close()


async def test_a_teaser_whose_page_was_not_read_is_marked_counted_and_tried_again(watcher, library, site):
    """An entry kept with its summary only because its page could not be read says so (the report, `stats`,
    `latest`), and its page is fetched again at the next poll instead of being taken as indexed."""
    feeds = library.records.feeds
    url = site.publish("wire", STEEL_QUOTA, SOY)
    feed, _ = feeds.add("g1", url, "u1")
    report, _ = await watcher.ingest(feed, await watcher.fetch(feed))
    assert [why for _, why in report.teasers] == ["its page was not read: HTTP 404 Not Found"] * 2
    assert "2 with the feed's summary only (page not read)" in report.summary()
    assert library.stats()["summary_only"] == 2 and all(a.teaser for a in library.latest(5))
    assert feeds.known_urls(feeds.list("g1")[0]) == set()  # not taken as indexed: tried again

    body = " ".join([SOY.text] * 6) + " Buyers in Vietnam and Thailand were the first to answer."
    site.pages[SOY.slug] = f"<html><head><title>{SOY.title}</title></head><body><article><p>{body}</p></article>"
    site.publish("wire", PORT)
    (feed,) = feeds.list("g1")
    report, _ = await watcher.ingest(feed, await watcher.fetch(feed))
    assert report.updated == [a.id for a in library.latest(5) if a.title == SOY.title]
    assert library.stats()["summary_only"] == 2  # the quota story, and the new port story (404 both)
    soy = next(a for a in library.latest(5) if a.title == SOY.title)
    assert not soy.teaser and feeds.known_urls(feed) == {f"{site.base}/story/{SOY.slug}"}


def test_a_url_that_is_not_a_feed_is_one_clear_error(site):
    with pytest.raises(SourceError, match="HTTP 404"):
        poll_feed(f"{site.base}/nothing-here", Fetcher())


async def test_first_poll_is_back_catalogue_later_items_are_news(watcher, library, site):
    feeds = library.records.feeds
    url = site.publish("wire", STEEL_QUOTA, SOY)
    feed, linked = feeds.add("g1", url, "u1")
    assert linked and not feed.primed
    feeds.subscribe("c1", "g1")
    report, new = await watcher.ingest(feed, await watcher.fetch(feed))
    assert len(report.added) == 2 and new == 2
    assert feeds.undelivered(feeds.subscriptions()[0], 10) == []  # what the feed held when added is not news

    site.publish("wire", PORT)
    (feed,) = feeds.list("g1")
    assert feed.primed and feed.etag
    report, new = await watcher.ingest(feed, await watcher.fetch(feed))
    assert new == 1 and len(report.added) == 1
    (sub,) = feeds.subscriptions()
    (item,) = feeds.undelivered(sub, 10)
    assert item.title == PORT.title and item.url.endswith("/story/port-fees")
    feeds.delivered("c1", item, "posted", "m1")
    assert feeds.undelivered(sub, 10) == []

    # A poll where nothing changed: 304, nothing new, nothing to post.
    (feed,) = feeds.list("g1")
    poll = await watcher.fetch(feed)
    assert poll.not_modified
    assert (await watcher.ingest(feed, poll))[1] == 0


async def test_news_is_per_guild_oldest_first_once_per_story(watcher, library, site):
    feeds = library.records.feeds
    url = site.publish("wire", STEEL_QUOTA)
    other = site.publish("other", SOY)
    feed, _ = feeds.add("g1", url)
    await watcher.ingest(feed, await watcher.fetch(feed))
    feeds.subscribe("c1", "g1")
    feeds.subscribe("c2", "g2")  # another server: it does not follow this feed
    site.publish("wire", WINE, PORT)  # newer first in the feed; delivery goes by publish time
    (feed,) = feeds.list("g1")
    await watcher.ingest(feed, await watcher.fetch(feed))

    # The same story arrives again through a second feed of the guild: still one post.
    feed2, _ = feeds.add("g1", other)
    await watcher.ingest(feed2, await watcher.fetch(feed2))
    site.publish("other", PORT)
    (_, feed2) = feeds.list("g1")
    assert (await watcher.ingest(feed2, await watcher.fetch(feed2)))[1] == 1

    subs = {s.channel: s for s in feeds.subscriptions()}
    assert [i.title for i in feeds.undelivered(subs["c1"], 10)] == [PORT.title, WINE.title]
    assert feeds.undelivered(subs["c2"], 10) == []
    assert [i.title for i in feeds.undelivered(subs["c1"], 1)] == [PORT.title]  # the cap keeps the oldest


async def test_a_guild_adding_a_feed_late_does_not_get_its_history(watcher, library, site):
    feeds = library.records.feeds
    url = site.publish("wire", STEEL_QUOTA)
    feed, _ = feeds.add("g1", url)
    await watcher.ingest(feed, await watcher.fetch(feed))
    site.publish("wire", SOY)
    (feed,) = feeds.list()
    await watcher.ingest(feed, await watcher.fetch(feed))
    feeds.subscribe("c2", "g2")
    _, linked = feeds.add("g2", url)  # already primed by g1: SOY is old news to g2
    assert linked
    assert feeds.undelivered(feeds.subscriptions("g2")[0], 10) == []


async def test_failing_feed_backs_off_and_recovers(watcher, library, site):
    feeds = library.records.feeds
    url = site.publish("wire", STEEL_QUOTA)
    site.failing.add("wire")
    feed, _ = feeds.add("g1", url)
    await watcher.poll_due()
    (feed,) = feeds.list()
    assert feed.failures == 1 and "503" in feed.last_error
    first_delay = feed.next_poll_ts
    assert feeds.due() == []  # backing off
    library.store.db.execute("UPDATE feeds SET next_poll_ts = 0")
    await watcher.poll_due()
    (feed,) = feeds.list()
    assert feed.failures == 2 and feed.next_poll_ts - first_delay > 60  # the wait doubled
    site.failing.clear()
    library.store.db.execute("UPDATE feeds SET next_poll_ts = 0")
    await watcher.poll_due()
    (feed,) = feeds.list()
    assert feed.failures == 0 and feed.last_error is None and feed.primed


def test_topic_matching_uses_words_and_meaning(library, site):
    articles = [
        Article(i.slug, i.title, i.text, source="Wire", url=f"https://x.test/{i.slug}", published=i.published)
        for i in ITEMS
    ]
    library.ingest_articles(articles)
    ids = [a.id for a in articles]
    assert library.about("steel", ids) == {"steel-quota", "steel-rebar"}
    # "steel tariffs": the quota story has steel but not tariffs, and (with the fake encoder) no meaning to make up
    # for it; "tariffs" alone, in most of the news, would not be enough either.
    assert library.about("steel tariffs", ids) == {"steel-rebar"}
    duties = [
        Article(f"duty-{n}", f"A tariff on {good}", f"The tariff on imported {good} rose on Monday.", source="Wire")
        for n, good in enumerate(["wine", "cars", "lumber", "solar panels", "furniture"])
    ]
    library.ingest_articles(duties)
    assert library.about("steel tariffs", ids + [a.id for a in duties]) == {"steel-rebar"}


def test_feedback_keeps_one_vote_per_user(library):
    answers = library.records.answers
    aid = answers.add({"question": "When?", "answer": "Monday", "citations": []}, user="u1")
    assert answers.add_feedback(aid, "u1", 1) == (1, 0)
    assert answers.add_feedback(aid, "u2", -1) == (1, 1)
    assert answers.add_feedback(aid, "u1", -1) == (0, 2)  # changed their mind
    answers.set_message(aid, "m9")
    assert answers.for_message("m9").question == "When?"


def test_a_reader_sees_what_another_process_ingested(tmp_path, fake_encoder):
    home = tmp_path / "home"
    reader = Library.open(home, encoder=fake_encoder)
    writer = Library.open(home, encoder=fake_encoder)
    first = ITEMS[0]
    writer.ingest_articles([Article("s1", first.title, first.text, source="Wire", published=first.published)])
    assert reader.search("steel quota", k=3, mode="dense")  # loaded after the first ingest
    later = ITEMS[2]
    writer.ingest_articles([Article("s2", later.title, later.text, source="Wire", published=later.published)])
    hits = reader.search("fees on ships built abroad", k=1, mode="dense")
    assert hits and hits[0].article_id == "s2"
    writer.close()
    reader.close()


def test_passage_of_a_citation(library):
    text = "First sentence about lumber. The duty rises to 34.5% next month. Mills will cut shifts."
    library.ingest_articles([Article("p1", "Lumber duty", text, source="Wire")])
    assert "34.5%" in library.passage("p1", "The duty rises to 34.5% next month.")
    assert library.passage("p1", "A sentence it never had.") is None
    assert library.passage("nope", "x") is None


async def test_delivery_by_topic_with_failures_and_retries(watcher, library, site):
    feeds = library.records.feeds
    url = site.publish("wire", WINE)
    feed, _ = feeds.add("g1", url)
    await watcher.ingest(feed, await watcher.fetch(feed))
    feeds.subscribe("steel-desk", "g1", topic="steel")
    feeds.subscribe("all-news", "g1")
    feeds.subscribe("gone", "g1")
    site.publish("wire", STEEL_QUOTA, SOY, REBAR)
    (feed,) = feeds.list()
    await watcher.ingest(feed, await watcher.fetch(feed))

    posts: list[tuple[str, str]] = []
    held = {"all-news"}

    async def post(channel, item, topic):
        if channel == "gone":
            return "gone", "404 Unknown Channel"
        if channel in held:
            return "held", "403 Missing Permissions"
        if item.title == REBAR.title:
            return "failed", "400 Invalid Form Body"
        posts.append((channel, item.title))
        return "posted", f"m{len(posts)}"

    assert await watcher.deliver(post) == 1
    assert posts == [("steel-desk", STEEL_QUOTA.title)]
    assert delivery_counts(library, "steel-desk") == {"posted": 1, "off-topic": 1, "failed: 400 Invalid Form Body": 1}
    assert "gone" not in {s.channel for s in feeds.subscriptions()}  # the channel was deleted: unsubscribed
    subs = {s.channel: s for s in feeds.subscriptions()}
    assert subs["all-news"].problem == "403 Missing Permissions" and delivery_counts(library, "all-news") == {}

    held.clear()  # permissions fixed: everything held back follows, oldest first, within the cap
    watcher.settings.delivery_cap = 1
    assert await watcher.deliver(post) == 1
    assert await watcher.deliver(post) == 1
    assert await watcher.deliver(post) == 0  # the third one cannot be posted: recorded, not retried forever
    assert [t for c, t in posts if c == "all-news"] == [STEEL_QUOTA.title, SOY.title]
    assert {s.channel: s for s in feeds.subscriptions()}["all-news"].problem == ""


async def test_a_busy_index_postpones_the_round_without_counting_a_failure(watcher, library, site, engine):
    if engine:
        pytest.skip("a shared store has no home write lock: ingests run side by side (test_shared.py)")
    feeds = library.records.feeds
    feed, _ = feeds.add("g1", site.publish("wire", STEEL_QUOTA))
    with library.store.lock:  # another process's ingest holds the write lock (SQLite's, in the home)
        await watcher.poll_due()
    (feed,) = feeds.list()
    assert not feed.primed and feed.failures == 0 and feeds.due()  # still due, nothing lost
    await watcher.poll_due()
    (feed,) = feeds.list()
    assert feed.primed and library.store.counts()["articles"] == 1
