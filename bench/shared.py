"""The shared store (PostgreSQL) against the embedded one (SQLite + FAISS file), side by side at 100k passages.

    python -m bench.shared [--write]                       # a throwaway PostgreSQL cluster (Debian's package)
    python -m bench.shared --database-url postgresql://... # an empty database of your own (it is filled)

Both engines get the same synthetic trade news (bench/corpus.py) through `Library.ingest_articles`, the model
replaced at ingest by precomputed vectors (mixtures of real ones, as bench/speed.py does at 100k), so the
numbers are the store's own cost. Then, with the real encoder for the questions: open (load the vectors: the
FAISS file, or the replica built from the database), `ask` and `search` latency, how far the two lexical
rankings agree (FTS5 bm25 against PostgreSQL's idf-weighted ts_rank), and whether `ask` gives the same answers.
Last, the lag from an ingest in this process to the story being found by a search in another process.

    python -m bench.shared --only-deliveries [--write]     # a round of feed deliveries on each engine, a minute

A round of deliveries: 200 channels in 100 guilds subscribed to one feed that brings 10 new stories, posted by
`FeedWatcher.deliver` with a post function that returns at once: the store's cost of claiming and recording
2,000 posts, which Discord's own limits (50 requests a second a bot) dwarf.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from answering import ask
from bench import corpus
from bench.docs import publish, reproduce
from bench.speed import PrecomputedEncoder, flat, latencies, make_articles, mixtures, percentiles, rss_mb, timed
from embeddings import Library
from embeddings.analysis import terms
from embeddings.encoder import make_encoder
from embeddings.models import Article
from embeddings.search import selective_terms
from tests import postgres  # the throwaway cluster the tests use


def _follow(url: str) -> None:
    """The other process: for each line "article-id token" on stdin, search until that article is found, then
    print "found <unix time>"."""
    with Library.open(Path(tempfile.mkdtemp()), database_url=url) as library:
        library.search("warm up")
        print("ready", flush=True)
        for line in sys.stdin:
            article_id, token = line.split()
            while not any(h.article_id == article_id for h in library.search(token, k=3, mode="lexical")):
                time.sleep(0.005)
            print(f"found {time.time():.6f}", flush=True)


def _lag(url: str, encoder, rounds: int) -> tuple[list[float], list[float]]:
    """(seconds from an ingest's return to the other process finding the story, the ingest's own seconds)."""
    follower = subprocess.Popen(
        [sys.executable, "-m", "bench.shared", "--follow", url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert follower.stdout and follower.stdin
    assert follower.stdout.readline().strip() == "ready"
    lags, ingests = [], []
    with Library.open(Path(tempfile.mkdtemp()), encoder=encoder, database_url=url) as library:
        for n in range(rounds):
            token = f"zqlag{n}x{int(time.time())}"
            article = Article(
                id=f"lag-{n}-{token}",
                title=f"Port of Lagos sets a levy ({token})",
                text=f"The port set a new levy on containers, code {token}, officials said on Monday.",
                source="Bench Wire",
                published=datetime.now(UTC),
            )
            follower.stdin.write(f"{article.id} {token}\n")
            follower.stdin.flush()
            time.sleep(0.3)  # the follower is searching in a loop by now
            started = time.time()
            library.ingest_articles([article])
            done = time.time()
            found = float(follower.stdout.readline().split()[1])
            lags.append(found - done)
            ingests.append(done - started)
    follower.stdin.close()
    follower.wait(timeout=60)
    return lags, ingests


def _deliveries(work: Path, url: str, guilds: int = 100, stories: int = 10) -> str:
    import asyncio

    from bot.engine import Engine
    from bot.feeds import FeedWatcher
    from bot.settings import Settings
    from embeddings.sources.web import Fetcher
    from tests.conftest import FakeEncoder

    rows = []
    for engine, database_url in (("SQLite", None), ("PostgreSQL", postgres.fresh_database(url, "bench_deliveries"))):
        with Library.open(work / f"deliveries-{engine}", encoder=FakeEncoder(), database_url=database_url) as lib:
            feed, _ = lib.records.feeds.add("g0", "https://example.com/feed.xml")
            for g in range(guilds):
                lib.records.feeds.add(f"g{g}", feed.url)
                for c in range(2):
                    lib.records.feeds.subscribe(f"c{g}-{c}", f"g{g}")
            lib.records.feeds.polled(feed, [], title="Wire", etag=None, last_modified=None, interval=600)
            articles = list(corpus.articles(stories, seed=5))
            lib.ingest_articles(articles)
            feed = lib.records.feeds.get(feed.url)
            lib.records.feeds.polled(
                feed, [a.id for a in articles], title="Wire", etag=None, last_modified=None, interval=600
            )
            posted = 0

            async def post(channel, item, topic):
                nonlocal posted
                posted += 1
                return "posted", str(posted)

            async def round_() -> float:
                eng = Engine(lib)
                watcher = FeedWatcher(eng, Settings(home=work, delivery_cap=stories), Fetcher())
                started = time.perf_counter()
                await watcher.deliver(post)
                spent = time.perf_counter() - started
                eng._executor.shutdown(wait=True)  # not eng.close(): that closes the library too
                return spent

            spent = asyncio.run(round_())
            rows.append(f"| {engine} | {guilds * 2} | {posted:,} | {spent:.2f} | {posted / spent:,.0f} |")
    return "\n".join(
        [
            f"Reproduce: `{reproduce('bench.shared', argv=None)}` — {guilds * 2} channels in {guilds} guilds, "
            f"{stories} new stories, a post function that returns at once (the store's cost only).",
            "",
            "| engine | channels | posts | seconds | posts/s |",
            "|---|---|---|---|---|",
            *rows,
        ]
    )


def _overlap(a: list[int], b: list[int]) -> float:
    return len(set(a) & set(b)) / max(1, min(10, len(a), len(b)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--lag-rounds", type=int, default=10)
    parser.add_argument("--database-url", help="an empty PostgreSQL database; default: a throwaway cluster")
    parser.add_argument("--follow", help=argparse.SUPPRESS)  # the other process of the lag measurement
    parser.add_argument("--only-deliveries", action="store_true", help="only the round of deliveries")
    parser.add_argument("--write", action="store_true", help="write the tables into docs/benchmarks.md")
    args = parser.parse_args(argv)
    if args.follow:
        _follow(args.follow)
        return

    work = Path(tempfile.mkdtemp(prefix="tradewire-bench-shared-"))
    cluster = None
    url = args.database_url
    if not url:
        cluster = Path(tempfile.mkdtemp(prefix="tradewire-bench-pg-"))  # its own: the server user must enter it
        url = postgres.fresh_database(postgres.start(cluster), "bench_shared")
    try:
        if args.only_deliveries:
            publish("shared-deliveries", "Shared store: a round of deliveries", _deliveries(work, url), args.write)
            return
        report = _run(args, work, url)
    finally:
        if cluster is not None:
            postgres.stop(cluster)
            shutil.rmtree(cluster, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    publish("shared", "Shared store: PostgreSQL against SQLite", report, args.write)


def _run(args, work: Path, url: str) -> str:
    encoder = make_encoder()
    print(f"encoding the base vectors and making {args.passages:,} passages", flush=True)
    articles, per_article = make_articles(args.passages, seed=1)
    texts = flat(per_article)
    _, base_texts = make_articles(2_000, seed=7)
    vectors = mixtures(encoder.encode(flat(base_texts)), len(texts), seed=1)
    questions = corpus.questions(args.queries)
    rows, answers, lexical = [], {}, {}
    for engine, database_url in (("SQLite", None), ("PostgreSQL", url)):
        print(f"== {engine}: ingest", flush=True)
        home = work / engine
        precomputed = PrecomputedEncoder(vectors, encoder.name)
        with Library.open(home, encoder=precomputed, database_url=database_url) as library:
            t_ingest = timed(lambda library=library: library.ingest_articles([a.clean() for a in articles]))
        print(f"== {engine}: queries", flush=True)
        with Library.open(home, encoder=encoder, database_url=database_url) as library:
            rss_before = rss_mb()
            t_open = timed(lambda library=library: library.index)
            rss_after = rss_mb()
            passages = library.store.counts()["passages"]
            kind = "HNSW" if library.index.is_hnsw else "flat"
            t_ask = latencies(lambda q, library=library: ask(library, q), questions)
            t_search = latencies(lambda q, library=library: library.search(q, k=8), questions)
            t_lexical = latencies(lambda q, library=library: library.search(q, k=8, mode="lexical"), questions)
            t_refresh = latencies(lambda _, library=library: library.refresh(), questions)
            answers[engine] = [ask(library, q).answer for q in questions]
            lexical[engine] = [
                [pid for pid, _ in library.store.lexical_search(selective_terms(library.store, q), 10)]
                for q in questions
            ]
        a50, a95 = percentiles(t_ask)
        s50, _ = percentiles(t_search)
        l50, _ = percentiles(t_lexical)
        r50, _ = percentiles(t_refresh)
        memory = rss_after - rss_before
        rows.append(
            f"| {engine} | {passages:,} ({kind}) | {passages / t_ingest:,.0f} | {t_open:.1f} s | {memory:,.0f} MB "
            f"| {a50:.1f} / {a95:.1f} | {s50:.1f} | {l50:.1f} | {r50:.2f} |"
        )
    overlap = statistics.mean(_overlap(a, b) for a, b in zip(lexical["SQLite"], lexical["PostgreSQL"], strict=True))
    top1 = statistics.mean(
        float(bool(a) and bool(b) and a[0] == b[0])
        for a, b in zip(lexical["SQLite"], lexical["PostgreSQL"], strict=True)
    )
    same = statistics.mean(float(a == b) for a, b in zip(answers["SQLite"], answers["PostgreSQL"], strict=True))
    print("== lag between processes", flush=True)
    lags, ingests = _lag(url, encoder, args.lag_rounds)
    words = statistics.mean(len(terms(q)) for q in questions)
    return "\n".join(
        [
            f"Reproduce: `{reproduce('bench.shared', argv=None)}` — {os.cpu_count()} cores, PostgreSQL 15 on loopback "
            f"(a throwaway cluster, fsync off as in the tests), the int8 encoder for questions. Ingest: synthetic "
            "news through `Library.ingest_articles` with precomputed vectors (the store's cost, not the model's). "
            "Open: loading the vectors (SQLite: the FAISS file; PostgreSQL: building the replica from the database) "
            "and the memory it takes; the index kind is what `TRADEWIRE_INDEX=auto` chose (HNSW from 100,000 vectors).",
            "",
            "| engine | passages | ingest passages/s | open | memory | `ask` p50 / p95 ms | hybrid search p50 ms "
            "| lexical search p50 ms | catch-up check p50 ms |",
            "|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            f"Lexical rankings on the same {len(questions)} questions ({words:.1f} analysed words each): "
            f"top-10 overlap {overlap:.2f}, same first passage {top1:.2f}. `ask` gives the same answer on both "
            f"engines for {same:.0%} of the questions.",
            "",
            f"Lag from an ingest returning in one process to a search in another process finding the story "
            f"({len(lags)} rounds; the other process searches in a loop, and every search first catches its replica "
            f"up): p50 {statistics.median(lags) * 1000:.0f} ms, max {max(lags) * 1000:.0f} ms (negative: found "
            f"before the ingest call had returned, right after its commit). The ingest of one story took "
            f"p50 {statistics.median(ingests) * 1000:.0f} ms.",
        ]
    )


if __name__ == "__main__":
    main()
