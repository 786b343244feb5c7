"""The shared engine: a PostgreSQL database several processes on several machines use at once
(TRADEWIRE_DATABASE_URL). Writers of passages take an advisory lock for their transaction, inserts go in
pipelined batches, the lexical index is a tsvector column with a GIN index scored with FTS5's bm25 formula, and
the database holds the vectors too, committed with their passages; each process searches an in-memory FAISS
replica caught up from the database before every search. Several ingests may run at once: each batch is planned
and embedded outside any lock, then planned again under the lock when another committed in between
(`ingest_generation`).
"""

from __future__ import annotations

import json
import logging
import math
import re
import uuid
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from embeddings import status
from embeddings.analysis import analyse
from embeddings.index import IndexKind, VectorIndex
from embeddings.models import Article, Passage
from embeddings.store import migrations
from embeddings.store.base import Store, Vectors
from embeddings.store.migrations import POSTGRES, newer_schema
from embeddings.store.pgdb import INGEST_LOCK, MIGRATION_LOCK, PostgresDatabase

if TYPE_CHECKING:
    from embeddings.encoder import Encoder

log = logging.getLogger(__name__)

PG_CANDIDATES = 1000  # passages scored with bm25 after the GIN index and a cheap first score
PG_NORMALIZATION = 1  # ts_rank's length normalisation in that first score (1: divided by 1 + log(length))
# The first score runs over the passages holding the query's rarer words (each in at most this share of the
# passages) when those are enough to fill the candidates: a word in a third of the corpus ("take") made it read
# half the table, and a passage holding only such words is never among the best. Its words still count in bm25.
PG_RARE_SHARE = 0.2
BATCH = 20_000  # vectors read per query while a replica catches up (30 MB at 384 dimensions)
SNAPSHOT_DIR = "replicas"  # in the process's home: replica-<store id>-<through>-<removed through>.faiss
# A replica saves its snapshot at close, and at a checkpoint only when this many vectors changed since the last
# (or a tenth of the index): writing a million-vector HNSW index takes seconds, and a feed poll checkpoints.
SNAPSHOT_EVERY = 10_000


class PostgresStore(Store):
    """The knowledge base in the PostgreSQL database at `url` (a secret: `where` never shows its password)."""

    dialect = POSTGRES
    location_setting = "TRADEWIRE_DATABASE_URL"

    def __init__(self, url: str, *, home: Path | None = None):
        super().__init__()
        self.url = url
        self.home = home  # where this process keeps its replica's snapshot (None: no snapshot)
        self.db = PostgresDatabase(url)
        self.where = self.db.where
        self._migrate()

    def _migrate(self) -> None:
        """The same migrations, numbered in a one-row table; an advisory lock makes concurrent first opens wait."""
        with self.db.transaction(lock=MIGRATION_LOCK):
            self.db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = self.db.execute("SELECT version FROM schema_version").fetchone()
            if row is None:
                self.db.execute("INSERT INTO schema_version(version) VALUES (0)")
            version = row[0] if row else 0
            done = migrations.applied(self.db.execute, POSTGRES, version)
            if migrations.is_newer(version, done):
                from embeddings.errors import TradewireError

                raise TradewireError(newer_schema(self.where, version))
            migrations.run(
                self, POSTGRES, done, lambda number: self.db.execute("UPDATE schema_version SET version = ?", (number,))
            )

    def retitle_lexical(self, article_id: str, old: str, new: str) -> None:
        """An article's passages indexed under its new headline (migration m009): the headline's terms (weight B)
        replaced, the passage's own (A) kept."""
        old_terms, new_terms = analyse(old), analyse(new)
        self.db.execute(
            "UPDATE passage_terms SET terms = setweight(to_tsvector('simple', ?), 'B') || ts_filter(terms, '{a}'), "
            "length = length - ? + ? WHERE passage_id IN (SELECT id FROM passages WHERE article_id = ?)",
            (new_terms, len(old_terms.split()), len(new_terms.split()), article_id),
        )

    def transaction(self, *, ingest: bool = False):
        """One write transaction. `ingest`: it writes passages, so it waits for other ingests' transactions to end
        (their advisory lock), and passage numbers and removals commit in order."""
        return self.db.transaction(lock=INGEST_LOCK if ingest else None)

    def close(self) -> None:
        self.db.close()

    # --- ingest: several at once, the vectors in the database ----------------------------------------
    def writer(self, timeout: float):
        """Nothing to wait for around a whole ingest: each batch's transaction takes the ingest lock."""
        return nullcontext()

    def open_vectors(self, dim: int, kind: IndexKind, encoder: Encoder) -> Vectors:
        replica = Replica(self, dim, kind, snapshots=self.home / SNAPSHOT_DIR if self.home else None)
        replica.catch_up()
        return replica

    def store_id(self) -> str:
        """This database's identity (made once): a snapshot of another database's vectors is never loaded."""
        with self.transaction():
            self.db.execute(
                "INSERT INTO meta(key, value) VALUES ('store_id', ?) ON CONFLICT(key) DO NOTHING", (uuid.uuid4().hex,)
            )
        return str(self.get_meta("store_id"))

    def ingest_generation(self) -> int:
        """How many ingest batches a shared store has committed (a plan made at one generation is still good
        at the same one)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'ingest_generation'").fetchone()
        return int(row[0]) if row else 0

    def next_ingest_generation(self) -> int:
        """Count this batch (inside its transaction, under the ingest lock); returns its generation."""
        row = self.db.execute(
            """INSERT INTO meta(key, value) VALUES ('ingest_generation', '1')
               ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(meta.value AS BIGINT) + 1 AS TEXT)
               RETURNING value"""
        ).fetchone()
        return int(row[0])

    def add_passages(self, article: Article, passages: Sequence[Passage], lexical: Sequence[str]) -> list[int]:
        """The passages' ids taken from the sequence at once (in order: the caller holds the ingest lock), then the
        rows sent in two pipelined batches instead of two round trips a passage."""
        self._forget_frequencies()
        if not passages:
            return []
        title_terms = analyse(article.title) if not article.title_derived else ""
        ids = [
            int(r[0])
            for r in self.db.execute(
                "SELECT nextval(pg_get_serial_sequence('passages', 'id')) FROM generate_series(1, ?)", (len(passages),)
            )
        ]
        self.db.executemany(
            "INSERT INTO passages(id, article_id, position, char_start, char_end, sentences) VALUES (?,?,?,?,?,?)",
            [
                (i, article.id, p.position, p.start, p.end, json.dumps(p.sentences))
                for i, p in zip(ids, passages, strict=True)
            ],
        )
        self.db.executemany(
            "INSERT INTO passage_terms(passage_id, terms, length) VALUES "
            "(?, setweight(to_tsvector('simple', ?), 'B') || setweight(to_tsvector('simple', ?), 'A'), ?)",
            [
                (i, title_terms, body, len(title_terms.split()) + len(body.split()))
                for i, body in zip(ids, lexical, strict=True)
            ],
        )
        return ids

    def _forget_lexical(self, ids: Sequence[int]) -> None:
        """Terms and vectors go with their passage (ON DELETE CASCADE); the removal is logged for the replicas."""
        self.db.executemany("INSERT INTO passage_removals(passage_id) VALUES (?)", [(i,) for i in ids])

    # --- vectors: the database holds them; each process keeps a FAISS replica ----------------------------
    def put_vectors(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        rows = np.ascontiguousarray(vectors, dtype="<f4")
        self.db.executemany(
            "INSERT INTO passage_vectors(passage_id, vector) VALUES (?, ?)",
            [(int(i), rows[n].tobytes()) for n, i in enumerate(ids)],
        )

    def vector_watermarks(self) -> tuple[int, int]:
        """The newest passage with a vector, and the newest removal: a replica that has both is current."""
        row = self.db.execute(
            "SELECT (SELECT coalesce(max(passage_id), 0) FROM passage_vectors),"
            " (SELECT coalesce(max(seq), 0) FROM passage_removals)"
        ).fetchone()
        return int(row[0]), int(row[1])

    def vectors_after(self, after: int, limit: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) of the next `limit` passages numbered after `after`."""
        rows = self.db.execute(
            "SELECT passage_id, vector FROM passage_vectors WHERE passage_id > ? ORDER BY passage_id LIMIT ?",
            (after, limit),
        ).fetchall()
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        if not rows:  # removed since the watermark was read
            return ids, np.zeros((0, 0), dtype=np.float32)
        vectors = np.frombuffer(b"".join(bytes(r[1]) for r in rows), dtype="<f4").reshape(len(rows), -1)
        return ids, vectors.astype(np.float32)

    def removals_after(self, after: int) -> list[tuple[int, int]]:
        """(seq, passage id) of the passages removed after removal `after`."""
        rows = self.db.execute(
            "SELECT seq, passage_id FROM passage_removals WHERE seq > ? ORDER BY seq", (after,)
        ).fetchall()
        return [(int(r[0]), int(r[1])) for r in rows]

    # --- lexical search ------------------------------------------------------------------------------
    def lexical_search(
        self, terms: Sequence[str], limit: int, filter_sql: str = "", params: Sequence[object] = ()
    ) -> list[tuple[int, float]]:
        """(passage id, bm25 score with higher = better) of the passages holding any of the analysed `terms`:
        the GIN index finds the passages, a cheap score (each term's ts_rank times its idf) keeps the best
        PG_CANDIDATES, and those are scored with FTS5's bm25 formula (k1 1.2, b 0.75, headline 0.4, passage 1.0)
        from their term positions; docs/scaling.md compares the two rankings."""
        terms = list(dict.fromkeys(t for t in terms if t))
        if not terms:
            return []
        joins = "JOIN passages p ON p.id = {id} JOIN articles a ON a.id = p.article_id" if filter_sql else ""
        freq, total = self.document_frequencies(terms)
        terms = [t for t in terms if freq.get(t)]
        if not terms:
            return []
        idf = [_idf(freq[t], total) for t in terms]
        candidates = max(PG_CANDIDATES, limit)
        rare = [t for t in terms if freq[t] <= PG_RARE_SHARE * total]
        first = rare if rare and sum(freq[t] for t in rare) >= candidates else terms  # the words that find them
        term = "plainto_tsquery('simple', ?)"
        rough = " + ".join(f"{_idf(freq[t], total):.6f} * ts_rank(t.terms, {term}, {PG_NORMALIZATION})" for t in first)
        sql = f"""
            WITH q(term, idf) AS (SELECT * FROM unnest(?::text[], ?::float8[])),
            candidates AS (
                SELECT t.passage_id, t.terms, t.length FROM passage_terms t {joins.format(id="t.passage_id")}
                WHERE t.terms @@ ({" || ".join([term] * len(first))}) {filter_sql}
                ORDER BY {rough} DESC, t.passage_id LIMIT ?)
            SELECT c.passage_id,
                   sum(q.idf * tf.f * (1.2 + 1) / (tf.f + 1.2 * (1 - 0.75 + 0.75 * c.length / ?))) AS score
            FROM candidates c
            CROSS JOIN LATERAL unnest(c.terms) AS u(lexeme, positions, weights)
            JOIN q ON q.term = u.lexeme
            CROSS JOIN LATERAL (SELECT sum(CASE w WHEN 'B' THEN 0.4 ELSE 1.0 END) AS f FROM unnest(u.weights) w) tf
            GROUP BY c.passage_id ORDER BY score DESC, c.passage_id LIMIT ?"""
        values = [terms, idf, *first, *params, *first, candidates, self._df_average, limit]  # set with `freq`
        rows = self.db.execute(sql, values).fetchall()
        return [(int(r[0]), float(r[1])) for r in rows]

    def _data_version(self) -> object:
        """Passages and their vectors are written together: the replicas' watermarks tell of both."""
        return self.vector_watermarks()

    def _count_terms(self, terms: list[str]) -> dict[str, int]:
        term = "plainto_tsquery('simple', ?)"
        counts = ", ".join(f"count(*) FILTER (WHERE terms @@ {term})" for _ in terms)
        any_term = " || ".join([term] * len(terms))  # the GIN index finds the rows that hold any of them
        row = self.db.execute(
            f"SELECT {counts} FROM passage_terms WHERE terms @@ ({any_term})", [*terms, *terms]
        ).fetchone()
        return {t: int(row[n]) for n, t in enumerate(terms)}

    def _count_passages(self) -> None:
        """With bm25's average document length, in the same scan."""
        row = self.db.execute("SELECT count(*), coalesce(avg(length), 0) FROM passage_terms").fetchone()
        self._df_total, self._df_average = int(row[0]), float(row[1]) or 1.0


class Replica(Vectors):
    """A serving process's FAISS copy of the vectors the database holds, caught up by two watermarks, the newest
    passage it has and the newest removal it has applied. Catching up costs one small query when nothing changed,
    so it runs before every search: a story ingested on one machine is answerable on every other from the next
    question on. Writers of passages hold INGEST_LOCK for their transaction, so passage numbers and removals commit
    in order and a watermark never skips a row that commits late.

    At start it loads its last snapshot (the index with its watermarks, saved in `snapshots`) and catches up only
    the tail, instead of rebuilding from every vector (an HNSW build is about 200 s a million vectors). A snapshot
    of another database (its `store_id`), of another dimension, or from beyond the database's watermarks (a
    database restored from an older backup) is ignored."""

    def __init__(self, store: PostgresStore, dim: int, kind: IndexKind = "auto", *, snapshots: Path | None = None):
        self.store = store
        self.dim, self.kind = dim, kind
        self.index = VectorIndex(dim, kind=kind)
        self.through = 0  # every passage up to this id that has a vector is in the index
        self.removed_through = 0  # every removal up to this number is applied
        self.snapshots = snapshots
        self.unsaved = 0  # vectors added or removed since the snapshot
        self._prefix = f"replica-{store.store_id()}-" if snapshots else ""
        if snapshots:
            self._load_snapshot()

    def _snapshot_files(self) -> list[tuple[int, int, Path]]:
        if self.snapshots is None or not self.snapshots.is_dir():
            return []
        found = []
        for path in self.snapshots.glob(f"{self._prefix}*.faiss"):
            if m := re.fullmatch(re.escape(self._prefix) + r"(\d+)-(\d+)\.faiss", path.name):
                found.append((int(m[1]), int(m[2]), path))
        return sorted(found)

    def _load_snapshot(self) -> None:
        files = self._snapshot_files()
        if not files:
            return
        through, removed_through, path = files[-1]
        top, removed_top = self.store.vector_watermarks()
        if through > top or removed_through > removed_top:
            log.warning("ignoring the replica snapshot %s: it is ahead of the database", path.name)
            return
        try:
            with status.step(f"loading the replica snapshot ({path.name})"):
                index = VectorIndex.load_or_create(path, self.dim, self.kind)
        except (ValueError, RuntimeError) as exc:  # another dimension, or a damaged file: rebuild
            log.warning("ignoring the replica snapshot %s: %s", path.name, exc)
            return
        self.index, self.through, self.removed_through = index, through, removed_through
        self.unsaved = int(index.dirty)  # converted to the kind asked for: worth saving again

    def catch_up(self) -> int:
        """Apply what was written since the last call; returns how many vectors were added or removed."""
        top, removed_top = self.store.vector_watermarks()
        if top <= self.through and removed_top <= self.removed_through:
            return 0
        changed = 0
        if removed_top > self.removed_through:
            removals = self.store.removals_after(self.removed_through)
            if removals:
                changed += self.index.remove(np.array([pid for _, pid in removals], dtype=np.int64))
                self.removed_through = removals[-1][0]
        first = top - self.through > BATCH
        with status.step(f"loading {top - self.through:,} vectors from the database") if first else nullcontext():
            while self.through < top:
                ids, vectors = self.store.vectors_after(self.through, BATCH)
                if not len(ids):
                    break
                self.index.add(ids, vectors)
                self.through = int(ids[-1])
                changed += len(ids)
        self.index.dirty = False  # the database is the copy that lasts; the snapshot only saves a rebuild
        self.unsaved += changed
        return changed

    def refresh(self) -> bool:
        return self.catch_up() > 0

    def committed(self, removed: Sequence[int], added_ids: Sequence[int], added: np.ndarray | None) -> None:
        self.catch_up()  # the transaction wrote them to the database: take them from there, in order

    def checkpoint(self, *, closing: bool = False) -> None:
        """Save a snapshot when enough changed since the last one (any change when `closing`)."""
        if self.snapshots is None or not self.unsaved:
            return
        if not closing and self.unsaved < min(SNAPSHOT_EVERY, max(1, len(self.index) // 10)):
            return
        try:
            self.snapshots.mkdir(parents=True, exist_ok=True)
            # The graph alone: its newest vectors, in the index's exact tail, are read again from the database at
            # the next start (cheaply), rather than inserted into the graph now (about 5 ms each at 1M).
            path = self.snapshots / f"{self._prefix}{self.index.graph_through()}-{self.removed_through}.faiss"
            self.index.save(path, merge_tail=False)  # atomic: a temporary file renamed over
            for *_, old in self._snapshot_files():
                if old != path:
                    old.unlink(missing_ok=True)
            self.unsaved = 0
        except OSError as exc:  # a read-only home: the next start rebuilds, as without a snapshot
            log.warning("could not save the replica snapshot in %s: %s", self.snapshots, exc)


def _idf(docs: int, total: int) -> float:
    """bm25's inverse document frequency (as FTS5 computes it, floored just above zero)."""
    return max(1e-6, math.log((total - docs + 0.5) / (docs + 0.5)))
