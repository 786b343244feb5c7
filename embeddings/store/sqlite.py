"""The embedded engine, the default: one SQLite file in TRADEWIRE_HOME (WAL, so readers never wait for the
writer; read-only opening for a home that cannot be written), FTS5 for the lexical index, and the vectors in a
FAISS file beside it, saved atomically at checkpoints. One ingest at a time holds the home's write lock.

SQLite is the source of truth: opening reconciles the FAISS file with it (vectors of passages that are gone are
dropped, passages without vectors are embedded again), so a process killed at any moment leaves nothing that
the next run cannot repair.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from filelock import FileLock, Timeout

from embeddings import status
from embeddings.analysis import analyse, fts_query
from embeddings.errors import IndexBusy, TradewireError
from embeddings.index import IndexKind, VectorIndex
from embeddings.models import Article, Passage
from embeddings.store import migrations
from embeddings.store.base import Store, Vectors
from embeddings.store.migrations import SQLITE, newer_schema

if TYPE_CHECKING:
    from embeddings.encoder import Encoder

log = logging.getLogger(__name__)

DB_NAME = "tradewire.db"
VECTORS_NAME = "vectors.faiss"
LOCK_NAME = ".write.lock"
# bm25 column weights: a headline word counts for less than a word in the passage itself.
_BM25 = "bm25(passages_fts, 0.4, 1.0)"


class SQLiteStore(Store):
    """The knowledge base in `home`: `tradewire.db` and `vectors.faiss`."""

    dialect = SQLITE
    location_setting = "TRADEWIRE_HOME"

    def __init__(self, home: Path, *, read_only: bool = False):
        super().__init__()
        self.home = home
        self.path = home / DB_NAME
        self.where = str(home)
        self.read_only = read_only
        self.lock = FileLock(str(home / LOCK_NAME))  # reentrant within this process
        if read_only:
            self.db = sqlite3.connect(
                _read_only_uri(self.path), uri=True, check_same_thread=False, isolation_level=None
            )
        else:
            self.db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA busy_timeout = 30000")  # first: two processes opening a new home wait, not fail
        if not read_only:
            self._use_wal()
            self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.execute("PRAGMA foreign_keys = ON")
        self._migrate()

    def _use_wal(self) -> None:
        """Switch a new file to WAL (it stays so). The switch does not wait on the busy timeout: when another
        process is switching or creating the same new file at that moment it fails at once, so retry."""
        for attempt in range(200):
            try:
                if self.db.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
                    return
                self.db.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                time.sleep(0.01 * min(attempt + 1, 10))
        self.db.execute("PRAGMA journal_mode = WAL")  # the last try raises what it raises

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        done = migrations.applied(self.db.execute, SQLITE, version)
        if migrations.is_newer(version, done):  # nothing of a newer schema is touched
            self.db.close()
            raise TradewireError(newer_schema(self.where, version))
        if not migrations.pending(done):
            return
        if self.read_only:
            raise TradewireError(
                f"{self.path} is from an older tradewire and its directory is read-only: "
                "open it once where it is writable to upgrade it"
            )
        # Under the write lock, and what was run read again inside it: of two processes making a new home at
        # once, the second finds the schema made and does nothing.
        with self.transaction():
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            done = migrations.applied(self.db.execute, SQLITE, version)
            migrations.run(self, SQLITE, done, lambda number: self.db.execute(f"PRAGMA user_version = {number}"))

    def retitle_lexical(self, article_id: str, old: str, new: str) -> None:
        """An article's passages indexed under its new headline (migration m009)."""
        self.db.execute(
            "UPDATE passages_fts SET title = ? WHERE rowid IN (SELECT id FROM passages WHERE article_id = ?)",
            (analyse(new), article_id),
        )

    def transaction(self, *, ingest: bool = False):
        """One write transaction (SQLite's write lock makes every transaction wait for the others)."""
        return _Transaction(self.db)

    def close(self) -> None:
        self.db.close()

    # --- ingest: one at a time, the vectors in a FAISS file -------------------------------------------
    @contextmanager
    def writer(self, timeout: float) -> Iterator[None]:
        try:
            self.lock.acquire(timeout=timeout)
        except Timeout:
            raise IndexBusy(f"another ingest is writing to {self.home}; try again when it ends") from None
        try:
            yield
        finally:
            self.lock.release()

    def ingest_elsewhere(self) -> bool:
        """Another process holds the write lock (an ingest is running). This process's own lock is reentrant."""
        if self.read_only:
            return False
        try:
            with self.lock.acquire(timeout=0):
                return False
        except Timeout:
            return True

    def open_vectors(self, dim: int, kind: IndexKind, encoder: Encoder) -> Vectors:
        return FaissFile(self, dim, kind, encoder)

    def add_passages(self, article: Article, passages: Sequence[Passage], lexical: Sequence[str]) -> list[int]:
        """Insert passages and their analysed text; returns their new ids (the FAISS ids)."""
        self._forget_frequencies()
        title_terms = analyse(article.title) if not article.title_derived else ""
        ids = []
        for passage, body_terms in zip(passages, lexical, strict=True):
            passage_id = self.db.execute(
                "INSERT INTO passages(article_id, position, char_start, char_end, sentences) VALUES (?,?,?,?,?)"
                " RETURNING id",
                (article.id, passage.position, passage.start, passage.end, json.dumps(passage.sentences)),
            ).fetchone()[0]
            ids.append(int(passage_id))
            self.db.execute(
                "INSERT INTO passages_fts(rowid, title, body) VALUES (?, ?, ?)", (passage_id, title_terms, body_terms)
            )
        return ids

    def put_vectors(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        """Nothing to do in the transaction: the vectors go to the FAISS file (`FaissFile.committed`)."""

    def _forget_lexical(self, ids: Sequence[int]) -> None:
        self.db.executemany("DELETE FROM passages_fts WHERE rowid = ?", [(i,) for i in ids])

    def lexical_search(
        self, terms: Sequence[str], limit: int, filter_sql: str = "", params: Sequence[object] = ()
    ) -> list[tuple[int, float]]:
        """FTS5's bm25 over the analysed headline (weight 0.4) and passage (1.0)."""
        terms = list(dict.fromkeys(t for t in terms if t))
        if not terms:
            return []
        joins = "JOIN passages p ON p.id = f.rowid JOIN articles a ON a.id = p.article_id" if filter_sql else ""
        sql = f"""SELECT f.rowid, {_BM25} AS rank FROM passages_fts f {joins}
                  WHERE passages_fts MATCH ? {filter_sql} ORDER BY rank LIMIT ?"""
        rows = self.db.execute(sql, [fts_query(terms), *params, limit]).fetchall()
        return [(int(r[0]), -float(r[1])) for r in rows]

    def _data_version(self) -> object:
        return self.db.execute("PRAGMA data_version").fetchone()[0]

    def _count_terms(self, terms: list[str]) -> dict[str, int]:
        marks = ",".join("?" * len(terms))
        found = dict(self.db.execute(f"SELECT term, doc FROM passages_vocab WHERE term IN ({marks})", terms))
        return {t: int(found.get(t, 0)) for t in terms}

    def _count_passages(self) -> None:
        self._df_total = int(self.db.execute("SELECT count(*) FROM passages").fetchone()[0])


class FaissFile(Vectors):
    """The vectors in `vectors.faiss` beside the database: loaded and reconciled with SQLite, reloaded when
    another process saved new ones (one stat() when nothing changed), saved atomically at checkpoints."""

    def __init__(self, store: SQLiteStore, dim: int, kind: IndexKind, encoder: Encoder):
        self.store = store
        self.path = store.home / VECTORS_NAME
        self.dim, self.kind, self.encoder = dim, kind, encoder
        self._load()

    def _load(self) -> None:
        self._stamp_seen = self._stamp()
        self.index = VectorIndex.load_or_create(self.path, self.dim, self.kind)
        self._reconcile()

    def _stamp(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def refresh(self) -> bool:
        """Reload the vectors if another process saved new ones since (a long-running bot sees a CLI ingest).
        Nothing unsaved is lost: SQLite holds every passage, and reloading reconciles the file with it."""
        if self._stamp() == self._stamp_seen:
            return False
        self._load()
        return True

    def committed(self, removed: Sequence[int], added_ids: Sequence[int], added: np.ndarray | None) -> None:
        self.index.remove(np.array(removed, dtype=np.int64))
        if len(added_ids):
            self.index.add(np.array(added_ids, dtype=np.int64), added)

    def checkpoint(self, *, closing: bool = False) -> None:
        """Save the vectors if they changed (atomically)."""
        if self.index.dirty and not self.store.read_only:
            self.index.save(self.path)
            self._stamp_seen = self._stamp()

    def _reconcile(self) -> None:
        count, total = self.store.passage_id_stats()
        ids = self.index.ids()
        if count == len(ids) and total == int(ids.sum()):
            if self.index.dirty:  # converted to the index kind asked for: save that once
                self._save_unless_busy()
            return
        if self.store.ingest_elsewhere():
            return  # another process is writing: its checkpoint brings the vectors; repairing now would race it
        known = self.store.passage_ids()
        stale = np.setdiff1d(ids, known)
        missing = np.setdiff1d(known, ids)
        self.index.remove(stale)
        with status.step(f"repairing the vector index ({len(missing)} passages to embed)"):
            for start in range(0, len(missing), 256):
                texts = self.store.passage_texts(missing[start : start + 256].tolist())
                if texts:
                    vecs = self.encoder.encode([t for _, t in texts])
                    self.index.add(np.array([i for i, _ in texts], dtype=np.int64), vecs)
        log.warning(
            "repaired the vector index: dropped %d stale vectors, embedded %d passages again",
            len(stale),
            len(missing),
        )
        self._save_unless_busy()

    def _save_unless_busy(self) -> None:
        """Persist a repair or conversion unless an ingest in another process holds the write lock (or the home
        is read-only: then the repair lives in memory only)."""
        if self.store.read_only:
            return
        try:
            with self.store.lock.acquire(timeout=0):
                self.index.save(self.path)
                self._stamp_seen = self._stamp()
        except Timeout:
            pass


def read_only_home(home: Path, writing: bool) -> bool:
    """Make `home` if need be; True when it exists but cannot be written (and the caller only reads)."""
    if home.exists() and not home.is_dir():
        raise TradewireError(f"data directory {home} is not a directory")
    try:
        home.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise TradewireError(f"data directory {home}: a part of the path is not a directory") from None
    except OSError as exc:
        raise TradewireError(f"cannot create data directory {home}: {exc.strerror}") from None
    db = home / DB_NAME
    if os.access(home, os.W_OK) and (not db.exists() or os.access(db, os.W_OK)):
        return False
    if writing:
        raise TradewireError(f"data directory {home} is not writable (set TRADEWIRE_HOME or --home to another)")
    if not db.exists():
        raise TradewireError(f"no knowledge base in {home}, and it is read-only so none can be made there")
    if not os.access(db, os.R_OK):
        raise TradewireError(f"{db} is not readable")
    return True


def _read_only_uri(path: Path) -> str:
    """An SQLite URI that reads `path` without writing anything beside it. A WAL database needs its `-shm` file:
    if a writer left one (and its `-wal`), SQLite reads both; if not, nothing is waiting in a WAL and the file
    can be read as immutable, which needs no `-shm` at all (its directory may be a read-only mount)."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    side = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    if not all(p.exists() for p in side):
        uri += "&immutable=1"
    return uri


class _Transaction:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb):
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
        return False
