"""The store: articles, passages, the lexical index and state, in SQLite (the default: one file, FTS5) or in
PostgreSQL (a shared server: tsvector with a GIN index, and the vectors too). The source of truth: SQLite's FAISS
file is rebuilt from here whenever the two disagree, and PostgreSQL's in-memory replicas are caught up from it."""

from __future__ import annotations

import json
import math
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from embeddings.analysis import fts_query
from embeddings.db import INGEST_LOCK, MIGRATION_LOCK, POSTGRES, SQLITE, Dialect, PostgresDatabase
from embeddings.models import Article, ArticleSummary, Hit, Passage


def m001_create_tables(d: Dialect) -> str:
    if d is SQLITE:
        lexical = """
        CREATE VIRTUAL TABLE passages_fts USING fts5(title, body, tokenize = 'unicode61');
        CREATE VIRTUAL TABLE passages_vocab USING fts5vocab(passages_fts, 'row');
        """
    else:  # the analysed headline's positions weighted B, the passage's A: bm25's column weights 0.4 and 1.0
        lexical = """
        CREATE TABLE passage_terms (
            passage_id BIGINT PRIMARY KEY REFERENCES passages(id) ON DELETE CASCADE,
            terms tsvector NOT NULL,
            length INTEGER NOT NULL             -- analysed words, headline and passage: bm25's document length
        );
        CREATE INDEX passage_terms_gin ON passage_terms USING GIN (terms);
        """
    return f"""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE articles (
            id TEXT PRIMARY KEY,
            story_id TEXT NOT NULL,            -- the story's first article; itself when it is the first
            title TEXT NOT NULL,
            title_derived INTEGER NOT NULL DEFAULT 0,
            source TEXT NOT NULL DEFAULT '',
            url TEXT NOT NULL DEFAULT '',
            origin TEXT NOT NULL DEFAULT '',
            authors TEXT NOT NULL DEFAULT '[]',
            published TEXT,                    -- ISO 8601, UTC
            published_ts {d.real},
            text TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            minhash {d.blob},
            ingested_at TEXT NOT NULL
        );
        CREATE INDEX articles_published ON articles(published_ts);
        CREATE INDEX articles_url ON articles(url) WHERE url != '';
        CREATE INDEX articles_story ON articles(story_id);
        CREATE TABLE passages (
            id {d.serial},  -- also the FAISS id; never reused
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            char_start INTEGER NOT NULL,
            char_end INTEGER NOT NULL,
            sentences TEXT NOT NULL                -- JSON [[start, end], ...] in the article text
        );
        CREATE INDEX passages_article ON passages(article_id);
        {lexical}
        CREATE TABLE story_bands (band TEXT NOT NULL, article_id TEXT NOT NULL);
        CREATE INDEX story_bands_band ON story_bands(band);
    """


def m002_feeds_and_channels(d: Dialect) -> str:
    """State of the live side: polled feeds, which items each feed brought, the channels subscribed to
    them, what was delivered where, and the answers given with their feedback."""
    return f"""
        CREATE TABLE feeds (
            id {d.serial},
            url TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL DEFAULT '',
            etag TEXT,
            last_modified TEXT,
            primed INTEGER NOT NULL DEFAULT 0,   -- polled successfully once: later items are news
            failures INTEGER NOT NULL DEFAULT 0, -- consecutive failed polls (backoff)
            last_error TEXT,
            last_polled TEXT,
            last_ok TEXT,
            next_poll_ts {d.real} NOT NULL DEFAULT 0
        );
        CREATE TABLE guild_feeds (
            guild TEXT NOT NULL,
            feed_id {d.bigint} NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
            after_seq {d.bigint} NOT NULL,          -- only items seen after the guild added the feed are news to it
            added_by TEXT NOT NULL DEFAULT '',
            added_at TEXT NOT NULL,
            PRIMARY KEY (guild, feed_id)
        );
        CREATE TABLE feed_items (
            seq {d.serial},
            feed_id {d.bigint} NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
            article_id TEXT NOT NULL,
            seen_at TEXT NOT NULL,
            announce INTEGER NOT NULL,           -- 0 for what a feed already held when it was first polled
            UNIQUE (feed_id, article_id)
        );
        CREATE TABLE subscriptions (
            channel TEXT PRIMARY KEY,
            guild TEXT NOT NULL,
            topic TEXT NOT NULL DEFAULT '',
            after_seq {d.bigint} NOT NULL,
            created_by TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            problem TEXT NOT NULL DEFAULT ''     -- why posts are held back (e.g. missing permissions), if they are
        );
        CREATE TABLE deliveries (
            channel TEXT NOT NULL,
            story_id TEXT NOT NULL,
            article_id TEXT NOT NULL,
            status TEXT NOT NULL,                -- posted | off-topic | failed: <reason>
            message TEXT,
            at TEXT NOT NULL,
            PRIMARY KEY (channel, story_id)
        );
        CREATE TABLE answers (
            id {d.serial},
            at TEXT NOT NULL,
            guild TEXT NOT NULL DEFAULT '',
            channel TEXT NOT NULL DEFAULT '',
            "user" TEXT NOT NULL DEFAULT '',
            message TEXT,                        -- the message that shows it, once sent
            question TEXT NOT NULL,
            context TEXT NOT NULL DEFAULT '',    -- the earlier question a follow-up builds on
            answer TEXT NOT NULL                 -- the Answer as JSON, citations included
        );
        CREATE INDEX answers_message ON answers(message);
        CREATE TABLE feedback (
            answer_id {d.bigint} NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
            "user" TEXT NOT NULL,
            vote INTEGER NOT NULL,               -- +1 or -1; a user's later click replaces the earlier
            at TEXT NOT NULL,
            PRIMARY KEY (answer_id, "user")
        );
    """


def m003_indexes_for_scale(d: Dialect) -> str:
    """Replacing an article's bands scanned every band (ingest slowed down as the corpus grew), and `latest`
    sorted every article; both now walk an index."""
    return """
        CREATE INDEX story_bands_article ON story_bands(article_id);
        CREATE INDEX articles_latest ON articles((published_ts IS NULL), published_ts DESC, ingested_at DESC)
            WHERE story_id = id;
    """


def m004_watches(d: Dialect) -> str:
    """Standing questions: each watch's current answer and the answers it posted lately (for damping), and an
    outbox of updates, so a restart neither posts a change twice nor loses one found while it was down."""
    return f"""
        CREATE TABLE watches (
            id {d.serial},
            guild TEXT NOT NULL DEFAULT '',        -- '' for the command line's watches
            channel TEXT NOT NULL DEFAULT '',
            question TEXT NOT NULL,
            created_by TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            answer TEXT,                           -- Answer.to_json() of the current answer
            answer_key TEXT NOT NULL DEFAULT '',   -- its normal form ('' before the first answer)
            changed_at TEXT,
            message TEXT,                          -- the post that showed the current answer
            history TEXT NOT NULL DEFAULT '[]',    -- [[answer_key, posted_at], ...] of the last day's posts
            checked_through {d.bigint} NOT NULL DEFAULT 0,  -- passages up to this id have been considered
            UNIQUE (guild, channel, question)
        );
        CREATE TABLE watch_updates (
            id {d.serial},
            watch_id {d.bigint} NOT NULL REFERENCES watches(id) ON DELETE CASCADE,
            answer TEXT NOT NULL,                  -- Answer.to_json() of the new answer
            previous TEXT,                         -- and of the one it replaces (null for the first answer)
            previous_message TEXT,
            created_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',  -- pending | posted | failed: ...
            message TEXT
        );
        CREATE INDEX watch_updates_pending ON watch_updates(status) WHERE status = 'pending';
    """


def m005_shared_store(d: Dialect) -> str:
    """Several processes, possibly on several machines, on one store: leases (one poller per feed, one round of
    standing questions at a time), delivery claims (each item posted once per channel), and in PostgreSQL the
    vectors themselves, with a log of removed passages for the replicas to catch up on."""
    vectors = f"""
        CREATE TABLE passage_vectors (
            passage_id BIGINT PRIMARY KEY REFERENCES passages(id) ON DELETE CASCADE,
            vector BYTEA NOT NULL              -- float32, little-endian, normalised
        );
        CREATE TABLE passage_removals (seq {d.serial}, passage_id BIGINT NOT NULL);
    """
    return f"""
        CREATE TABLE leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, until_ts {d.real} NOT NULL);
        ALTER TABLE deliveries ADD COLUMN claimed_by TEXT;      -- status 'claimed': being posted by this process
        ALTER TABLE deliveries ADD COLUMN claimed_until {d.real};  -- ... which another may take over after this
        {vectors if d.shared else ""}
    """


def m006_teasers(d: Dialect) -> str:
    """A feed entry kept with its summary only, because its page could not be read (refused, unreachable):
    marked with the reason, so `stats` can count such stories and a later poll fetches the page again."""
    return """
        ALTER TABLE articles ADD COLUMN teaser TEXT NOT NULL DEFAULT '';
        CREATE INDEX articles_teaser ON articles(id) WHERE teaser != '';
    """


# Numbered migrations, functions of the engine's dialect: each returns a script; it runs with its version bump in
# one transaction.
MIGRATIONS: list[Callable[[Dialect], str]] = [
    m001_create_tables,
    m002_feeds_and_channels,
    m003_indexes_for_scale,
    m004_watches,
    m005_shared_store,
    m006_teasers,
]

# bm25 column weights: a headline word counts for less than a word in the passage itself.
_BM25 = "bm25(passages_fts, 0.4, 1.0)"
PG_CANDIDATES = 1000  # PostgreSQL: passages scored with bm25 after the GIN index and a cheap first score
PG_NORMALIZATION = 1  # ts_rank's length normalisation in that first score (1: divided by 1 + log(length))


@dataclass
class StoredArticle:
    id: str
    story_id: str
    source: str
    published: datetime | None
    content_hash: str
    minhash: np.ndarray | None


def _iso(dt: datetime | None) -> str | None:
    return dt.astimezone(UTC).isoformat() if dt else None


def from_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class Store:
    """SQLite (one file: `path`) or PostgreSQL (`url`). Write methods run inside `transaction()` so an article and
    its passages land together."""

    def __init__(self, path: Path | None = None, *, read_only: bool = False, url: str | None = None):
        self.path = path
        self.url = url
        self.read_only = read_only
        self._forget_frequencies()
        self._df_version: object = None
        if url:
            self.dialect = POSTGRES
            self.db = PostgresDatabase(url)
            self.where = self.db.where
            self._migrate_postgres()
            return
        assert path is not None
        self.dialect = SQLITE
        self.where = str(path)
        if read_only:
            self.db = sqlite3.connect(_read_only_uri(path), uri=True, check_same_thread=False, isolation_level=None)
        else:
            self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA busy_timeout = 30000")  # first: two processes opening a new home wait, not fail
        if not read_only:
            self._use_wal()
            self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.execute("PRAGMA foreign_keys = ON")
        self._migrate()

    @property
    def shared(self) -> bool:
        """Other processes on other machines write here too (PostgreSQL)."""
        return self.dialect.shared

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
        if self.read_only and version < len(MIGRATIONS):
            from embeddings.errors import TradewireError

            raise TradewireError(
                f"{self.path} is from an older tradewire and its directory is read-only: "
                "open it once where it is writable to upgrade it"
            )
        if version == len(MIGRATIONS):
            return
        # Under the write lock, and the version read again inside it: of two processes making a new home at
        # once, the second finds the schema made and does nothing.
        with self.transaction():
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            for number, migration in enumerate(MIGRATIONS[version:], version + 1):
                for statement in _statements(migration(SQLITE)):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number}")

    def _migrate_postgres(self) -> None:
        """The same migrations, numbered in a one-row table; an advisory lock makes concurrent first opens wait."""
        with self.db.transaction(lock=MIGRATION_LOCK):
            self.db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = self.db.execute("SELECT version FROM schema_version").fetchone()
            if row is None:
                self.db.execute("INSERT INTO schema_version(version) VALUES (0)")
            version = row[0] if row else 0
            if version > len(MIGRATIONS):
                from embeddings.errors import TradewireError

                raise TradewireError(f"{self.where} was made by a newer tradewire (schema {version}): upgrade this one")
            for number, migration in enumerate(MIGRATIONS[version:], version + 1):
                for statement in _statements(migration(POSTGRES)):
                    self.db.execute(statement)
                self.db.execute("UPDATE schema_version SET version = ?", (number,))

    def transaction(self, *, ingest: bool = False):
        """One write transaction. `ingest`: it writes passages, so in PostgreSQL it waits for other ingests'
        transactions to end (SQLite's write lock already makes every transaction wait for the others)."""
        if self.dialect is POSTGRES:
            return self.db.transaction(lock=INGEST_LOCK if ingest else None)
        return _Transaction(self.db)

    def close(self) -> None:
        self.db.close()

    # --- state -------------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # --- articles ----------------------------------------------------------------------------------
    def find_article(self, article_id: str, url: str = "") -> StoredArticle | None:
        row = self.db.execute(
            "SELECT id, story_id, source, published, content_hash, minhash FROM articles WHERE id = ?",
            (article_id,),
        ).fetchone()
        if row is None and url:
            row = self.db.execute(
                # `url != ''` lets SQLite use the partial index articles_url (without it: a full scan each time)
                "SELECT id, story_id, source, published, content_hash, minhash FROM articles "
                "WHERE url = ? AND url != ''",
                (url,),
            ).fetchone()
        return self._stored(row) if row else None

    def _stored(self, row: sqlite3.Row) -> StoredArticle:
        sig = np.frombuffer(bytes(row["minhash"]), dtype=np.uint32) if row["minhash"] else None
        return StoredArticle(
            row["id"], row["story_id"], row["source"], from_iso(row["published"]), row["content_hash"], sig
        )

    def story_candidates(self, band_keys: Sequence[str]) -> list[StoredArticle]:
        marks = ",".join("?" * len(band_keys))
        rows = self.db.execute(
            f"SELECT DISTINCT a.id, a.story_id, a.source, a.published, a.content_hash, a.minhash "
            f"FROM story_bands b JOIN articles a ON a.id = b.article_id WHERE b.band IN ({marks})",
            list(band_keys),
        ).fetchall()
        return [self._stored(r) for r in rows]

    def put_article(
        self, article: Article, *, story_id: str, content_hash: str, minhash: np.ndarray, bands: list[str]
    ) -> None:
        """Insert or replace an article row (its passages are handled separately)."""
        self.db.execute(
            """INSERT INTO articles (id, story_id, title, title_derived, source, url, origin, authors,
                   published, published_ts, text, content_hash, minhash, ingested_at, teaser)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
               ON CONFLICT(id) DO UPDATE SET story_id=excluded.story_id, title=excluded.title,
                   title_derived=excluded.title_derived, source=excluded.source, url=excluded.url,
                   origin=excluded.origin, authors=excluded.authors, published=excluded.published,
                   published_ts=excluded.published_ts, text=excluded.text,
                   content_hash=excluded.content_hash, minhash=excluded.minhash,
                   ingested_at=excluded.ingested_at, teaser=excluded.teaser""",
            (
                article.id,
                story_id,
                article.title,
                int(article.title_derived),
                article.source,
                article.url,
                article.origin,
                json.dumps(article.authors),
                _iso(article.published),
                article.published.timestamp() if article.published else None,
                article.text,
                content_hash,
                minhash.tobytes(),
                datetime.now(UTC).isoformat(timespec="seconds"),
                article.teaser,
            ),
        )
        self.db.execute("DELETE FROM story_bands WHERE article_id = ?", (article.id,))
        self.db.executemany("INSERT INTO story_bands(band, article_id) VALUES (?, ?)", [(b, article.id) for b in bands])

    def delete_passages(self, article_id: str) -> list[int]:
        """Remove an article's passages and their lexical rows; returns the removed passage ids."""
        self._forget_frequencies()
        ids = [r[0] for r in self.db.execute("SELECT id FROM passages WHERE article_id = ?", (article_id,))]
        if ids and self.dialect is POSTGRES:  # terms and vectors go with their passage (ON DELETE CASCADE)
            self.db.executemany("INSERT INTO passage_removals(passage_id) VALUES (?)", [(i,) for i in ids])
        elif ids:
            self.db.executemany("DELETE FROM passages_fts WHERE rowid = ?", [(i,) for i in ids])
        if ids:
            self.db.execute("DELETE FROM passages WHERE article_id = ?", (article_id,))
        return ids

    def add_passages(self, article: Article, passages: Sequence[Passage], lexical: Sequence[str]) -> list[int]:
        """Insert passages and their analysed text; returns their new ids (the FAISS ids)."""
        self._forget_frequencies()
        from embeddings.analysis import analyse

        title_terms = analyse(article.title) if not article.title_derived else ""
        if self.dialect is POSTGRES:
            return self._add_passages_postgres(article, passages, lexical, title_terms)
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

    def _add_passages_postgres(
        self, article: Article, passages: Sequence[Passage], lexical: Sequence[str], title_terms: str
    ) -> list[int]:
        """The passages' ids taken from the sequence at once (in order: the caller holds the ingest lock), then the
        rows sent in two pipelined batches instead of two round trips a passage."""
        if not passages:
            return []
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

    # --- vectors (PostgreSQL: the database holds them; each process keeps a FAISS replica) ----------------
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

    # --- reading -----------------------------------------------------------------------------------
    def passage_id_stats(self) -> tuple[int, int]:
        count, total = self.db.execute("SELECT count(*), coalesce(sum(id), 0) FROM passages").fetchone()
        return int(count), int(total)

    def passage_ids(self) -> np.ndarray:
        return np.fromiter((r[0] for r in self.db.execute("SELECT id FROM passages")), dtype=np.int64)

    def _passage_bodies(self, key: str, values: Sequence[object]) -> list[sqlite3.Row]:
        """Passages (id, article_id, title, title_derived, body) whose `key` (p.id or p.article_id) is in values."""
        rows: list[sqlite3.Row] = []
        for chunk in _chunks(list(values), 500):
            rows += self.db.execute(
                f"""SELECT p.id, p.article_id, a.title, a.title_derived,
                           substr(a.text, p.char_start + 1, p.char_end - p.char_start) AS body
                    FROM passages p JOIN articles a ON a.id = p.article_id
                    WHERE {key} IN ({",".join("?" * len(chunk))})""",
                chunk,
            ).fetchall()
        return rows

    def passage_texts(self, ids: Iterable[int]) -> list[tuple[int, str]]:
        """(id, text to embed) for the given passages: the headline, then the passage."""
        rows = self._passage_bodies("p.id", list(ids))
        return [(r["id"], embedding_text(r["title"], bool(r["title_derived"]), r["body"])) for r in rows]

    def article_passages(self, article_ids: Sequence[str]) -> list[tuple[int, str, str]]:
        """(passage id, article id, headline + passage text) for every passage of the given articles."""
        rows = self._passage_bodies("p.article_id", article_ids)
        return [(r["id"], r["article_id"], f"{r['title']}\n{r['body']}") for r in rows]

    def hits(self, ids: Sequence[int]) -> dict[int, Hit]:
        """Hydrate passage ids into Hits (text, sentences, article metadata, syndicated sources)."""
        rows: list[sqlite3.Row] = []
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            rows += self.db.execute(
                f"""SELECT p.id, p.article_id, p.position, p.char_start, p.char_end, p.sentences,
                           substr(a.text, p.char_start + 1, p.char_end - p.char_start) AS body,
                           a.title, a.source, a.url,
                           a.origin, a.published, a.story_id
                    FROM passages p JOIN articles a ON a.id = p.article_id WHERE p.id IN ({marks})""",
                chunk,
            ).fetchall()
        sources = self.story_sources(r["story_id"] for r in rows)
        out: dict[int, Hit] = {}
        for r in rows:
            out[r["id"]] = Hit(
                passage_id=r["id"],
                article_id=r["article_id"],
                position=r["position"],
                text=r["body"],
                start=r["char_start"],
                sentences=[tuple(s) for s in json.loads(r["sentences"])],
                title=r["title"],
                source=r["source"],
                url=r["url"],
                origin=r["origin"],
                published=from_iso(r["published"]),
                also_sources=sources(r["story_id"], r["article_id"]),
            )
        return out

    def story_sources(self, story_ids: Iterable[str]) -> Callable[[str, str], list[str]]:
        """One query for the sources of many stories; returns (story id, article id) -> the story's other
        articles' distinct sources."""
        members: dict[str, list[tuple[str, str]]] = {}
        for chunk in _chunks(list(set(story_ids)), 500):
            rows = self.db.execute(
                f"SELECT story_id, id, source FROM articles WHERE story_id IN ({','.join('?' * len(chunk))})"
                f" AND source != '' ORDER BY {self.dialect.insertion_order}",
                chunk,
            )
            for story_id, article_id, source in rows:
                members.setdefault(story_id, []).append((article_id, source))

        def others(story_id: str, exclude: str) -> list[str]:
            return list(dict.fromkeys(source for a, source in members.get(story_id, []) if a != exclude))

        return others

    def passage_with(self, article_id: str, quote: str) -> str | None:
        """The text of the article's passage that contains `quote` (a cited sentence); None when it is not
        indexed any more (the article was replaced by a version without that sentence)."""
        row = self.db.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()
        at = row["text"].find(quote) if row and quote else -1
        if at < 0:
            return None
        span = self.db.execute(
            """SELECT char_start, char_end FROM passages WHERE article_id = ? AND char_start <= ? AND char_end > ?
               ORDER BY position LIMIT 1""",
            (article_id, at, at),
        ).fetchone()
        return row["text"][span[0] : span[1]] if span else None

    def lexical_search(
        self, terms: Sequence[str], limit: int, filter_sql: str = "", params: Sequence[object] = ()
    ) -> list[tuple[int, float]]:
        """(passage id, bm25 score with higher = better) of the passages holding any of the analysed `terms`.
        SQLite: FTS5's bm25. PostgreSQL: the GIN index finds the passages, a cheap score (each term's ts_rank
        times its idf) keeps the best PG_CANDIDATES, and those are scored with FTS5's bm25 formula (k1 1.2, b 0.75,
        headline 0.4, passage 1.0) from their term positions; docs/scaling.md compares the two rankings."""
        terms = list(dict.fromkeys(t for t in terms if t))
        if not terms:
            return []
        joins = "JOIN passages p ON p.id = {id} JOIN articles a ON a.id = p.article_id" if filter_sql else ""
        if self.dialect is SQLITE:
            sql = f"""SELECT f.rowid, {_BM25} AS rank FROM passages_fts f {joins.format(id="f.rowid")}
                      WHERE passages_fts MATCH ? {filter_sql} ORDER BY rank LIMIT ?"""
            rows = self.db.execute(sql, [fts_query(terms), *params, limit]).fetchall()
            return [(int(r[0]), -float(r[1])) for r in rows]
        freq, total = self.document_frequencies(terms)
        terms = [t for t in terms if freq.get(t)]
        if not terms:
            return []
        idf = [_idf(freq[t], total) for t in terms]
        term = "plainto_tsquery('simple', ?)"
        rough = " + ".join(f"{w:.6f} * ts_rank(t.terms, {term}, {PG_NORMALIZATION})" for w in idf)
        sql = f"""
            WITH q(term, idf) AS (SELECT * FROM unnest(?::text[], ?::float8[])),
            candidates AS (
                SELECT t.passage_id, t.terms, t.length FROM passage_terms t {joins.format(id="t.passage_id")}
                WHERE t.terms @@ ({" || ".join([term] * len(terms))}) {filter_sql}
                ORDER BY {rough} DESC, t.passage_id LIMIT ?)
            SELECT c.passage_id,
                   sum(q.idf * tf.f * (1.2 + 1) / (tf.f + 1.2 * (1 - 0.75 + 0.75 * c.length / ?))) AS score
            FROM candidates c
            CROSS JOIN LATERAL unnest(c.terms) AS u(lexeme, positions, weights)
            JOIN q ON q.term = u.lexeme
            CROSS JOIN LATERAL (SELECT sum(CASE w WHEN 'B' THEN 0.4 ELSE 1.0 END) AS f FROM unnest(u.weights) w) tf
            GROUP BY c.passage_id ORDER BY score DESC, c.passage_id LIMIT ?"""
        candidates = max(PG_CANDIDATES, limit)
        values = [terms, idf, *terms, *params, *terms, candidates, self._df_average, limit]  # set with `freq`
        rows = self.db.execute(sql, values).fetchall()
        return [(int(r[0]), float(r[1])) for r in rows]

    def filtered_passage_ids(self, filter_sql: str, params: Sequence[object]) -> np.ndarray:
        rows = self.db.execute(
            f"SELECT p.id FROM passages p JOIN articles a ON a.id = p.article_id WHERE 1=1 {filter_sql}",
            params,
        )
        return np.fromiter((r[0] for r in rows), dtype=np.int64)

    def document_frequencies(self, terms: Iterable[str]) -> tuple[dict[str, int], int]:
        """How many passages hold each analysed term, and how many passages there are. Counting a common
        term's passages walks its whole doclist (milliseconds at 100k passages), so counts are cached until
        passages are written: by this connection or another one (SQLite's `PRAGMA data_version`), or by anyone
        (PostgreSQL: the newest passage and removal numbers)."""
        if self.dialect is SQLITE:
            version: object = self.db.execute("PRAGMA data_version").fetchone()[0]
        else:  # passages and their vectors are written together: the replicas' watermarks tell of both
            version = self.vector_watermarks()
        if version != self._df_version:
            self._forget_frequencies()
            self._df_version = version
        terms = list(dict.fromkeys(terms))
        unknown = [t for t in terms if t not in self._df]
        if unknown and self.dialect is SQLITE:
            marks = ",".join("?" * len(unknown))
            found = dict(self.db.execute(f"SELECT term, doc FROM passages_vocab WHERE term IN ({marks})", unknown))
            self._df.update({t: int(found.get(t, 0)) for t in unknown})
        elif unknown:
            term = "plainto_tsquery('simple', ?)"
            counts = ", ".join(f"count(*) FILTER (WHERE terms @@ {term})" for _ in unknown)
            any_term = " || ".join([term] * len(unknown))  # the GIN index finds the rows that hold any of them
            row = self.db.execute(
                f"SELECT {counts} FROM passage_terms WHERE terms @@ ({any_term})", [*unknown, *unknown]
            ).fetchone()
            self._df.update({t: int(row[n]) for n, t in enumerate(unknown)})
        if self._df_total is None and self.dialect is SQLITE:
            self._df_total = int(self.db.execute("SELECT count(*) FROM passages").fetchone()[0])
        elif self._df_total is None:  # with bm25's average document length, in the same scan
            row = self.db.execute("SELECT count(*), coalesce(avg(length), 0) FROM passage_terms").fetchone()
            self._df_total, self._df_average = int(row[0]), float(row[1]) or 1.0
        return {t: self._df[t] for t in terms if self._df[t]}, self._df_total

    def _forget_frequencies(self) -> None:
        self._df: dict[str, int] = {}
        self._df_total: int | None = None
        self._df_average: float | None = None

    def latest(
        self, limit: int, filter_sql: str = "", params: Sequence[object] = (), article_ids: Sequence[str] = ()
    ) -> list[ArticleSummary]:
        """Newest stories first (one row per story: its first article, with the other sources)."""
        ids_sql = ""
        if article_ids:
            ids_sql = f" AND a.id IN ({','.join('?' * len(article_ids))})"
            params = [*params, *article_ids]
        rows = self.db.execute(
            f"""SELECT a.id, a.title, a.source, a.url, a.origin, a.published, a.story_id, a.teaser FROM articles a
                WHERE a.story_id = a.id {filter_sql}{ids_sql}
                ORDER BY a.published_ts IS NULL, a.published_ts DESC, a.ingested_at DESC LIMIT ?""",
            [*params, limit],
        ).fetchall()
        sources = self.story_sources(r["story_id"] for r in rows)
        return [
            ArticleSummary(
                r["id"],
                r["title"],
                r["source"],
                r["url"],
                r["origin"],
                from_iso(r["published"]),
                sources(r["story_id"], r["id"]),
                teaser=bool(r["teaser"]),
            )
            for r in rows
        ]

    def counts(self) -> dict[str, int]:
        one = self.db.execute
        return {
            "articles": one("SELECT count(*) FROM articles").fetchone()[0],
            "stories": one("SELECT count(*) FROM articles WHERE story_id = id").fetchone()[0],
            "passages": one("SELECT count(*) FROM passages").fetchone()[0],
        }

    def summary_only_count(self) -> int:
        """Articles kept with a feed's summary only, their page unread (the partial index articles_teaser)."""
        return int(self.db.execute("SELECT count(*) FROM articles WHERE teaser != ''").fetchone()[0])

    def newest_published(self) -> datetime | None:
        row = self.db.execute("SELECT max(published) FROM articles").fetchone()
        return from_iso(row[0])


def _idf(docs: int, total: int) -> float:
    """bm25's inverse document frequency (as FTS5 computes it, floored just above zero)."""
    return max(1e-6, math.log((total - docs + 0.5) / (docs + 0.5)))


def _statements(script: str) -> list[str]:
    """A migration script's statements, one by one (executescript would commit the open transaction)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return [s for s in statements if s.rstrip(";").strip()]


def _read_only_uri(path: Path) -> str:
    """An SQLite URI that reads `path` without writing anything beside it. A WAL database needs its `-shm` file:
    if a writer left one (and its `-wal`), SQLite reads both; if not, nothing is waiting in a WAL and the file
    can be read as immutable, which needs no `-shm` at all (its directory may be a read-only mount)."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    side = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    if not all(p.exists() for p in side):
        uri += "&immutable=1"
    return uri


def embedding_text(title: str, title_derived: bool, body: str) -> str:
    """What the encoder sees for a passage: a real headline gives every passage its story's context."""
    return body if title_derived or not title else f"{title}. {body}"


def _chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class _Transaction:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb):
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
        return False
