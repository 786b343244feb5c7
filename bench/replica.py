"""How long a process on a PostgreSQL store takes to have its vectors, with and without a replica snapshot.

    python -m bench.replica [--sizes 100000,1000000] [--write]   # a throwaway PostgreSQL cluster (Debian's package)

For each size a fresh database is filled directly (COPY: articles, passages, their vectors; random unit vectors
of the model's 384 dimensions — what is measured is reading and indexing them, not their content), then:
  rebuild   a process with no snapshot opens the store and builds its replica from every vector
            (`TRADEWIRE_INDEX=auto`: HNSW from 100,000 vectors, as a serving process gets);
  save      that process closes: its snapshot is written to its home;
  snapshot  another 1,000 passages are written by "another process", then the first reopens: it loads its
            snapshot and catches up those 1,000 from the database.
Open is `Library.open` plus the first access to the index, wall time, one run each (the rebuild at 1M takes
minutes); peak RSS of this process is shown for scale.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bench.docs import publish, reproduce
from embeddings import Library
from tests import postgres
from tests.conftest import FakeEncoder

DIM = 384
TAIL = 1_000
PER_ARTICLE = 10


class _Encoder(FakeEncoder):
    """The questions' encoder is not used here; the index only needs the model's name and dimension."""

    name = "sentence-transformers/all-MiniLM-L6-v2@int8"
    dim = DIM


def _fill(url: str, first: int, count: int, seed: int) -> None:
    """Passages first..first+count-1 (ids; passage n is in article (n - 1) // 10), with random unit vectors,
    written by COPY."""
    import psycopg

    rng = np.random.default_rng(seed)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy("COPY articles (id, story_id, title, text, content_hash, ingested_at) FROM STDIN") as copy:
            for a in range((first - 1) // PER_ARTICLE, (first + count - 2) // PER_ARTICLE + 1):
                copy.write_row((f"b{a}", f"b{a}", f"Bench story {a}", "x" * 200, f"h{a}", now))
        with cur.copy("COPY passages (id, article_id, position, char_start, char_end, sentences) FROM STDIN") as copy:
            for pid in range(first, first + count):
                copy.write_row((pid, f"b{(pid - 1) // PER_ARTICLE}", (pid - 1) % PER_ARTICLE, 0, 20, "[[0, 20]]"))
        with cur.copy("COPY passage_vectors (passage_id, vector) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["int8", "bytea"])
            for start in range(first, first + count, 50_000):
                n = min(50_000, first + count - start)
                block = rng.standard_normal((n, DIM)).astype("<f4")
                block /= np.linalg.norm(block, axis=1, keepdims=True)
                for i in range(n):
                    copy.write_row((start + i, block[i].tobytes()))
        cur.execute("SELECT setval(pg_get_serial_sequence('passages', 'id'), %s)", (first + count - 1,))


def _open(home: Path, url: str) -> tuple[float, int, Library]:
    start = time.perf_counter()
    library = Library.open(home, encoder=_Encoder(), database_url=url)
    vectors = len(library.index)
    return time.perf_counter() - start, vectors, library


def _row(size: int, server: str, work: Path) -> str:
    url = postgres.fresh_database(server, f"bench_replica_{size}")
    Library.open(work / "setup", encoder=_Encoder(), database_url=url).close()  # the schema, and the model recorded
    print(f"== {size:,}: filling", flush=True)
    _fill(url, 1, size - (size % PER_ARTICLE), seed=size)
    home = work / f"home-{size}"
    print(f"== {size:,}: rebuild", flush=True)
    rebuild, vectors, library = _open(home, url)
    kind = "HNSW" if library.index.is_hnsw else "flat"
    start = time.perf_counter()
    library.close()
    save = time.perf_counter() - start
    snapshot_mb = sum(p.stat().st_size for p in (home / "replicas").glob("*.faiss")) / 1e6
    print(f"== {size:,}: snapshot + {TAIL:,} new", flush=True)
    _fill(url, size - (size % PER_ARTICLE) + 1, TAIL, seed=size + 1)
    again, total, library = _open(home, url)
    library.close()
    postgres.drop_database(server, f"bench_replica_{size}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return (
        f"| {vectors:,} ({kind}) | {rebuild:.1f} s | {save:.1f} s ({snapshot_mb:,.0f} MB) | {again:.1f} s "
        f"({total - vectors:,} caught up) | {rebuild / again:.0f}× | {peak:,.0f} MB |"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--write", action="store_true", help="write the table into docs/benchmarks.md")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="tradewire-bench-replica-"))
    cluster = Path(tempfile.mkdtemp(prefix="tradewire-bench-pg-"))
    try:
        server = postgres.start(cluster)
        rows = [_row(size, server, work) for size in sizes]
    finally:
        postgres.stop(cluster)
        shutil.rmtree(cluster, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    body = "\n".join(
        [
            f"Reproduce: `{reproduce('bench.replica', argv=None)}` — {os.cpu_count()} cores, PostgreSQL 15 on "
            "loopback (a throwaway cluster), vectors written directly by COPY (random unit vectors, 384 "
            f"dimensions, {PER_ARTICLE} passages an article). Open: `Library.open` and the first use of the index, "
            f"one run each; then that process closes (saving its snapshot), another writes {TAIL:,} passages, and "
            "it opens again from its snapshot.",
            "",
            "| vectors | rebuild from the database | close: save the snapshot | open from the snapshot | faster "
            "| peak RSS |",
            "|---|---:|---:|---:|---:|---:|",
            *rows,
        ]
    )
    publish("replica-start", "Shared store: a replica's start, with and without its snapshot", body, args.write)


if __name__ == "__main__":
    main()
