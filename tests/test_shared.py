"""Several processes on one store: leases and delivery claims (both engines), and on PostgreSQL, a story ingested
by one process answerable by another, ingests side by side without duplicates, and the migrations of a new
database run once however many processes open it at the same moment."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime

import pytest

from embeddings import Library
from embeddings.models import Article
from embeddings.store import NewItem
from tests.conftest import FakeEncoder, delivery_counts


def story(n: int, text: str = "", day: int = 1) -> Article:
    return Article(
        id=f"s{n}",
        title=f"Tariff story {n}",
        text=text or f"Officials said the tariff on part {n} would rise to {n + 10}% in June. Importers objected.",
        source="Wire",
        published=datetime(2025, 6, day, tzinfo=UTC),
    )


def item(story_id: str) -> NewItem:
    return NewItem(1, story_id, story_id, "t", "Wire", "", None, "")


def test_one_lease_holder_at_a_time_and_a_dead_holders_lease_runs_out(library):
    leases = library.records.leases
    assert leases.claim("feed:1", "a", 30) and not leases.claim("feed:1", "b", 30)
    assert leases.claim("feed:1", "a", 30)  # the holder renews
    leases.release("feed:1", "b")  # not b's to release
    assert not leases.claim("feed:1", "b", 30)
    leases.release("feed:1", "a")
    assert leases.claim("feed:1", "b", 0.2) and not leases.claim("feed:1", "a", 30)
    time.sleep(0.3)  # b died: its lease runs out
    assert leases.claim("feed:1", "a", 30)


def test_a_delivery_is_claimed_once_and_a_dead_claim_is_taken_over(library):
    feeds = library.records.feeds
    one = item("story-1")
    assert feeds.claim_delivery("c1", one, "a", 0.2)
    assert not feeds.claim_delivery("c1", one, "b", 30)
    assert feeds.claim_delivery("c2", one, "b", 30)  # another channel: its own claim
    time.sleep(0.3)
    assert feeds.claim_delivery("c1", one, "b", 30)  # a died before posting: b takes over
    feeds.delivered("c1", one, "posted", "m1")
    assert not feeds.claim_delivery("c1", one, "a", 30)  # posted: nobody claims it again
    assert delivery_counts(library, "c1") == {"posted": 1}
    feeds.release_delivery("c2", one, "b")  # the channel could not take it: news again
    assert feeds.claim_delivery("c2", one, "a", 30)


@pytest.fixture
def two(postgres_url, tmp_path):
    """Two libraries on one PostgreSQL database, as two processes on two machines would have."""
    first = Library.open(tmp_path / "a", encoder=FakeEncoder(), database_url=postgres_url)
    second = Library.open(tmp_path / "b", encoder=FakeEncoder(), database_url=postgres_url)
    yield first, second
    first.close()
    second.close()


def test_a_story_ingested_by_one_process_is_answerable_by_the_other(two):
    first, second = two
    assert second.search("tariff part 7") == []
    first.ingest_articles([story(7)])
    (hit,) = second.search("tariff on part 7", k=1, mode="dense")  # dense: from the replica, caught up
    assert hit.article_id == "s7" and hit.dense and hit.dense > 0.5
    first.ingest_articles([story(7, "Officials dropped the plan for part 7 entirely. No duty will apply.", day=2)])
    (hit,) = second.search("plan for part 7 dropped", k=1, mode="dense")
    assert "dropped" in hit.text
    assert len(second.index) == second.store.counts()["passages"]  # the replaced passages left the replica too


def test_a_replica_starts_from_its_snapshot_and_catches_up_only_the_tail(postgres_url, tmp_path, monkeypatch):
    """A process saves its replica with its watermarks when it closes; the next start loads it and reads from the
    database only what was written since (here: two new stories, and a replaced one's removal and new passage),
    and ends with the same vectors a rebuild would have. A snapshot ahead of the database is not trusted."""
    from embeddings.store.postgres import PostgresStore

    with Library.open(tmp_path / "a", encoder=FakeEncoder(), database_url=postgres_url) as lib:
        lib.ingest_articles([story(n) for n in range(1, 6)])
    (snapshot,) = (tmp_path / "a" / "replicas").glob("replica-*.faiss")
    with Library.open(tmp_path / "b", encoder=FakeEncoder(), database_url=postgres_url) as other:
        other.ingest_articles([story(6), story(7), story(3, "Officials said part 3 is exempt now.", day=2)])

    read: list[int] = []
    vectors_after = PostgresStore.vectors_after
    monkeypatch.setattr(PostgresStore, "vectors_after", _counting(vectors_after, read))
    with Library.open(tmp_path / "a", encoder=FakeEncoder(), database_url=postgres_url) as lib:
        assert sorted(lib.index.ids().tolist()) == sorted(lib.store.passage_ids().tolist())
        assert sum(read) == 3  # the tail: stories 6 and 7, and story 3's new passage
        assert lib.search("part 3 exempt", k=1, mode="dense")[0].article_id == "s3"
    assert not snapshot.exists() and len(list((tmp_path / "a" / "replicas").glob("replica-*.faiss"))) == 1

    (current,) = (tmp_path / "a" / "replicas").glob("replica-*.faiss")
    prefix = current.name.rsplit("-", 2)[0]
    current.rename(current.with_name(f"{prefix}-999999-0.faiss"))  # ahead of the database: rebuilt instead
    read.clear()
    with Library.open(tmp_path / "a", encoder=FakeEncoder(), database_url=postgres_url) as lib:
        assert len(lib.index) == lib.store.counts()["passages"] == sum(read) == 7


def test_a_snapshot_holds_the_graph_and_the_tail_is_read_again(postgres_url, tmp_path, monkeypatch):
    """With an HNSW replica whose newest vectors wait in the index's exact tail, the snapshot holds the graph
    alone (named by its newest passage), and the next start reads the tail from the database."""
    from embeddings import index as index_module
    from embeddings.store.postgres import PostgresStore

    monkeypatch.setattr(index_module, "AUTO_HNSW_AT", 4)
    monkeypatch.setattr(index_module, "TAIL_FROM", 4)
    with Library.open(tmp_path / "a", encoder=FakeEncoder(), database_url=postgres_url) as lib:
        lib.ingest_articles([story(n) for n in range(1, 5)])  # four: a graph
        lib.ingest_articles([story(5), story(6)])  # two more: the tail
        assert lib.index.is_hnsw and lib.index.index.ntotal == 4 and len(lib.index) == 6
    (snapshot,) = (tmp_path / "a" / "replicas").glob("replica-*.faiss")
    assert snapshot.name.endswith("-4-0.faiss")
    read: list[int] = []
    monkeypatch.setattr(PostgresStore, "vectors_after", _counting(PostgresStore.vectors_after, read))
    with Library.open(tmp_path / "a", encoder=FakeEncoder(), database_url=postgres_url) as lib:
        assert sorted(lib.index.ids().tolist()) == sorted(lib.store.passage_ids().tolist())
        assert sum(read) == 2 and lib.search("tariff on part 6", k=1, mode="dense")[0].article_id == "s6"


def _counting(method, read: list[int]):
    def counted(self, *args):
        ids, vectors = method(self, *args)
        read.append(len(ids))
        return ids, vectors

    return counted


def test_ingests_side_by_side_store_each_article_once(postgres_url, tmp_path):
    articles = [story(n) for n in range(40)]
    start = threading.Barrier(3)
    reports = []

    def ingest(name: str) -> None:
        with Library.open(tmp_path / name, encoder=FakeEncoder(), database_url=postgres_url) as lib:
            start.wait()
            reports.append(lib.ingest_articles(articles))

    threads = [threading.Thread(target=ingest, args=(f"p{i}",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with Library.open(tmp_path / "check", encoder=FakeEncoder(), database_url=postgres_url) as lib:
        assert lib.store.counts() == {"articles": 40, "stories": 40, "passages": 40}
        assert len(lib.index) == 40
    assert sorted(a for r in reports for a in r.added) == sorted(a.id for a in articles)  # each added once
    assert sum(len(r.unchanged) for r in reports) == 80  # the others found them stored


def test_concurrent_first_opens_migrate_once(postgres_url, tmp_path):
    start = threading.Barrier(4)
    errors = []

    def open_it(n: int) -> None:
        start.wait()
        try:
            Library.open(tmp_path / str(n), encoder=FakeEncoder(), database_url=postgres_url).close()
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=open_it, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Library.open(tmp_path / "x", encoder=FakeEncoder(), database_url=postgres_url) as lib:
        from embeddings.store import MIGRATIONS

        assert lib.store.db.execute("SELECT version FROM schema_version").fetchall() == [(len(MIGRATIONS),)]


def test_a_wrong_database_url_is_one_line_without_the_password(tmp_path):
    from embeddings.errors import TradewireError

    with pytest.raises(TradewireError) as caught:
        Library.open(tmp_path, encoder=FakeEncoder(), database_url="postgresql://bob:hunter2@127.0.0.1:1/news")
    message = str(caught.value)
    assert message.startswith("cannot connect to postgresql://127.0.0.1:1/news:") and "\n" not in message
    assert "hunter2" not in message and "bob" not in message


def test_postgres_ranks_words_as_sqlite_bm25_does(postgres_url, tmp_path):
    """The same stories in both engines: the lexical search finds the same passages in the same order, with
    bm25 scores within a few percent (the document lengths are counted by two tokenisers)."""
    texts = [
        "The steel tariff rose to 25% on Monday. Steel mills welcomed the steel duty.",
        "A tariff on aluminum was delayed until June, the ministry said.",
        "Soybean exports fell as buyers waited for the tariff decision.",
        "The ministry said steel imports from Korea would face a quota, not a tariff.",
        "Wine producers asked for an exemption from the new duty on bottles.",
        "Port fees on ships built abroad start in October; carriers warned of higher freight rates.",
    ]
    articles = [
        Article(id=f"r{n}", title=f"Trade report {n}", text=text, source="Wire") for n, text in enumerate(texts)
    ]
    queries = [["steel", "tariff"], ["tariff"], ["ministri", "quota"], ["duti", "bottl", "exempt"], ["fee", "ship"]]
    results = {}
    for engine, url in (("sqlite", None), ("postgres", postgres_url)):
        with Library.open(tmp_path / engine, encoder=FakeEncoder(), database_url=url) as lib:
            lib.ingest_articles(articles)
            results[engine] = [lib.store.lexical_search(q, 10) for q in queries]
    assert all(len(found) >= 1 for found in results["sqlite"]) and len(results["sqlite"][1]) == 4  # "tariff"
    for lite, pg in zip(results["sqlite"], results["postgres"], strict=True):
        assert [pid for pid, _ in pg] == [pid for pid, _ in lite]
        assert [s for _, s in pg] == pytest.approx([s for _, s in lite], rel=0.05)


def test_shard_settings_and_a_database_url_that_is_not_postgres(tmp_path):
    from pydantic import ValidationError

    from bot.settings import Settings

    assert Settings(home=tmp_path, discord_shards=4, discord_shard_ids="2, 3").shard_ids == [2, 3]
    assert Settings(home=tmp_path, discord_shards=2, discord_shard_ids="[1]").shard_ids == [1]
    assert Settings(home=tmp_path).shard_ids is None
    for bad in ({"discord_shard_ids": "0"}, {"discord_shards": 2, "discord_shard_ids": "0,2"}):
        with pytest.raises(ValidationError):
            Settings(home=tmp_path, **bad)
    with pytest.raises(ValidationError) as caught:
        Settings(home=tmp_path, database_url="mysql://root:hunter2@db/news")
    assert "postgresql://" in str(caught.value)
    url = Settings(home=tmp_path, database_url="postgresql://bob:hunter2@db/news").database_url
    assert "hunter2" not in repr(url) and "hunter2" not in str(url)  # a secret: hidden wherever it is printed


async def test_a_lease_is_kept_while_its_work_lasts_and_released_after(library, tmp_path):
    from bot.engine import Engine
    from bot.feeds import FeedWatcher
    from bot.settings import Settings
    from embeddings.sources.web import Fetcher

    engine, fetcher = Engine(library), Fetcher()
    watcher = FeedWatcher(engine, Settings(home=tmp_path, lease_seconds=0.3), fetcher)
    try:
        assert await engine.run(library.records.leases.claim, "feed:9", watcher.owner, 0.3)
        async with watcher.holding(["feed:9"]):
            for _ in range(6):  # 1.2 s: four times the lease, renewed meanwhile
                await asyncio.sleep(0.2)
                assert not await engine.run(library.records.leases.claim, "feed:9", "another process", 30)
        assert await engine.run(library.records.leases.claim, "feed:9", "another process", 30)  # released at once
    finally:
        engine._executor.shutdown(wait=True)
        fetcher.close()
