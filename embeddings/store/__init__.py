"""The knowledge base's storage: articles, passages, the lexical index, the vectors and the live side's records,
in SQLite (the default: one file in TRADEWIRE_HOME, FTS5, a FAISS file beside it) or PostgreSQL (a server
several processes share: tsvector, the vectors in a table, a FAISS replica per process).

    base.py        the SQL both engines share, what an engine must add (`Store`, `Vectors`), and `Records`: what
                   each class of the live side's records has (the store, its connection, a transaction)
    sqlite.py      the embedded engine: WAL, read-only opening, FTS5, the FAISS file and its write lock
    postgres.py    the shared engine: advisory locks, batched inserts, tsvector bm25, vectors, the replica
    pgdb.py        PostgreSQL's connection pool, shaped like sqlite3's connection
    migrations.py  the schema, numbered migrations of the engine's dialect
    records.py     `LiveRecords` (`Library.records`): the live side's records, one attribute per group of tables
    feeds.py, answers.py, watches.py, briefs.py, leases.py   those groups, one class each

`open_store` is the one place that chooses the engine; nothing outside this package asks which it is.
"""

from __future__ import annotations

from pathlib import Path

from embeddings.store.answers import AnswerRecords, StoredAnswer
from embeddings.store.base import Records, Store, StoredArticle, Vectors, embedding_text, from_iso
from embeddings.store.briefs import BriefRecords, BriefSchedule
from embeddings.store.feeds import Feed, FeedRecords, NewItem, Subscription
from embeddings.store.leases import Leases
from embeddings.store.migrations import MIGRATIONS
from embeddings.store.pgdb import is_postgres_url
from embeddings.store.records import LiveRecords
from embeddings.store.watches import Update, Watch, WatchRecords


def open_store(home: Path, *, url: str | None = None, writing: bool = False) -> Store:
    """The store of a knowledge base: the PostgreSQL database at `url`, else SQLite in `home` (made if need be;
    opened read-only when it cannot be written, unless `writing` says the caller will write: then an error)."""
    if url:
        from embeddings.store.postgres import PostgresStore  # psycopg only when it is used

        return PostgresStore(url, home=home)
    from embeddings.store.sqlite import SQLiteStore, read_only_home

    return SQLiteStore(home, read_only=read_only_home(home, writing))


__all__ = [
    "MIGRATIONS",
    "AnswerRecords",
    "BriefRecords",
    "BriefSchedule",
    "Feed",
    "FeedRecords",
    "Leases",
    "LiveRecords",
    "NewItem",
    "Records",
    "Store",
    "StoredAnswer",
    "StoredArticle",
    "Subscription",
    "Update",
    "Vectors",
    "Watch",
    "WatchRecords",
    "embedding_text",
    "from_iso",
    "is_postgres_url",
    "open_store",
]
