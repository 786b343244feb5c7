"""What a timeline costs against `ask`, with the model loaded, on a large index; and a daily brief of 1,000 and
10,000 stories.

    python -m bench.timeline [--passages 100000] [--queries 50] [--write]

The corpus is bench/speed.py's synthetic trade news at 100k passages, ingested into SQLite through
`Library.ingest_articles` with precomputed vectors (mixtures of real ones); the questions (bench/corpus.py) are
encoded by the real int8 model. Both commands run on the same index, interleaved question by question. Then
questions about a figure now, each as of a day: their search with and without the weeks before that day ranked
on their own (answer.retrieve's window), interleaved, and `ask` as it ships.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from answering import ask
from answering.brief import brief
from answering.timeline import TIMELINE_K, timeline
from bench import corpus
from bench.docs import publish, reproduce
from bench.speed import PrecomputedEncoder, flat, make_articles, mixtures, percentiles
from embeddings import Library
from embeddings.encoder import make_encoder
from embeddings.search import RECENT_WINDOW_DAYS, Filters


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--write", action="store_true", help="write the table into docs/benchmarks.md")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="tradewire-bench-timeline-"))
    try:
        encoder = make_encoder()
        articles, per_article = make_articles(args.passages, seed=1)
        _, base_texts = make_articles(2_000, seed=7)
        vectors = mixtures(encoder.encode(flat(base_texts)), len(flat(per_article)), seed=1)
        print(f"== ingesting {len(vectors):,} passages", flush=True)
        with Library.open(work, encoder=PrecomputedEncoder(vectors, encoder.name)) as library:
            library.ingest_articles([a.clean() for a in articles])
        questions = corpus.questions(args.queries)
        with Library.open(work, encoder=encoder) as library:
            passages = library.store.counts()["passages"]
            for q in questions[:3]:  # warm: the model, the reader, the caches
                ask(library, q)
                timeline(library, q)
            t_ask, t_timeline, steps = [], [], []
            for q in questions:
                start = time.perf_counter()
                ask(library, q)
                t_ask.append(time.perf_counter() - start)
                start = time.perf_counter()
                result = timeline(library, q)
                t_timeline.append(time.perf_counter() - start)
                steps.append(len(result.steps))
            # A question about a figure now, as of a day: its search with and without the window of the weeks
            # before that day ranked on its own (answer.retrieve), interleaved; then `ask` as it ships.
            rng = random.Random(3)
            dated = [
                (q.replace("What tariff rate will", "What is the tariff rate"), _day(rng))
                for q in corpus.questions(args.queries * 5, seed=11)
                if q.startswith(("What are the latest", "What tariff rate will"))
            ][: args.queries]
            t_search: dict[int, list[float]] = {0: [], RECENT_WINDOW_DAYS: []}
            t_dated = []
            for q, day in dated:
                for days in (0, RECENT_WINDOW_DAYS) if rng.random() < 0.5 else (RECENT_WINDOW_DAYS, 0):
                    start = time.perf_counter()
                    library.search(q, k=8, filters=Filters(until=day), prefer_recent=True, recent_days=days)
                    t_search[days].append(time.perf_counter() - start)
                start = time.perf_counter()
                ask(library, q, as_of=day)
                t_dated.append(time.perf_counter() - start)
            every = library.stories_between(datetime(1970, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
            days = []  # (stories, events, seconds): a brief over the first n stories, as one day of n stories
            for n in (1_000, 10_000):
                if len(every) <= n:
                    continue
                since, until = every[0][0].published, every[n][0].published
                start = time.perf_counter()
                made = brief(library, since=since, until=until)
                days.append((made.stories, len(made.events), time.perf_counter() - start))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    a50, a95 = percentiles(t_ask)
    s0, s0_95 = percentiles(t_search[0])
    sw, sw_95 = percentiles(t_search[RECENT_WINDOW_DAYS])
    d50, d95 = percentiles(t_dated)
    t50, t95 = percentiles(t_timeline)
    answered = sum(1 for n in steps if n)
    body = "\n".join(
        [
            f"Reproduce: `{reproduce('bench.timeline', argv=None)}` — {os.cpu_count()} cores, SQLite, "
            f"{passages:,} passages (synthetic trade news, precomputed vectors), the int8 model for the questions, "
            f"{len(questions)} questions interleaved. A timeline reads {TIMELINE_K} passages, `ask` 8.",
            "",
            "| command | p50 ms | p95 ms |",
            "|---|---:|---:|",
            f"| `ask` | {a50:.0f} | {a95:.0f} |",
            f"| `timeline` | {t50:.0f} | {t95:.0f} |",
            f"| `ask` a figure now, as of a day ({len(dated)} questions) | {d50:.0f} | {d95:.0f} |",
            f"| its search, all reports only | {s0:.0f} | {s0_95:.0f} |",
            f"| its search, with the {RECENT_WINDOW_DAYS} days before ranked on their own | {sw:.0f} | {sw_95:.0f} |",
            "",
            f"Timelines with at least one step: {answered} of {len(questions)}; steps per answered timeline: "
            f"{sum(steps) / max(1, answered):.1f}. Target: timeline p50 under 1 s with the model loaded.",
            "",
            "A daily brief over a day of n stories (the first n of the corpus, as one day): grouping by meaning is "
            "one matrix product a block of rows at a time, then union-find.",
            "",
            "| stories in the day | events | build s |",
            "|---:|---:|---:|",
            *(f"| {n:,} | {e:,} | {t:.2f} |" for n, e, t in days),
        ]
    )
    publish("timeline", "Timeline: what it costs", body, args.write)


def _day(rng: random.Random) -> datetime:
    """A day within the synthetic corpus's years (bench/corpus.py: 2020 to 2026)."""
    return corpus.START + timedelta(days=rng.randrange(365, 5 * 365))


if __name__ == "__main__":
    main()
