"""The store's SQL that both engines share: articles, passages, their metadata, listing and reading. An engine is a
subclass (embeddings/store/sqlite.py, embeddings/store/postgres.py) that adds how it connects, migrates, locks,
writes passages and their lexical index, searches that index and keeps the vectors; nothing outside this package
asks which engine it is.

Queries filtered by `embeddings.search.Filters.sql()` must name the articles table `a` and the passages table `p`:
the filter's fragment is written over those aliases (`a.published_ts`, `a.source`).

One module on purpose, though about 450 lines: the articles' and passages' queries both engines run, one method
each, so that an engine's subclass can be read against one list; the records of the live side are in their own
modules (feeds.py, answers.py, watches.py, briefs.py, leases.py), each a `Records`.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np

from embeddings.models import Article, ArticleSummary, Hit, Passage
from embeddings.store.migrations import Dialect

if TYPE_CHECKING:
    from embeddings.encoder import Encoder
    from embeddings.index import IndexKind, VectorIndex


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


def _summary(row, sources: Callable[[str, str], list[str]]) -> ArticleSummary:
    """A story's first article as listed (`latest`, a brief), from a row of articles `a` with its other sources."""
    return ArticleSummary(
        row["id"],
        row["title"],
        row["source"],
        row["url"],
        row["origin"],
        from_iso(row["published"]),
        sources(row["story_id"], row["id"]),
        teaser=bool(row["teaser"]),
    )


def now_iso() -> str:
    """The time now, UTC, to the second: when a record was written."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def embedding_text(title: str, title_derived: bool, body: str) -> str:
    """What the encoder sees for a passage: a real headline gives every passage its story's context."""
    return body if title_derived or not title else f"{title}. {body}"


def chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class Vectors(ABC):
    """Where an engine keeps the passages' vectors and how a process's FAISS index stays in step with them:
    SQLite's FAISS file beside the database, or PostgreSQL's vectors table and an in-memory replica."""

    index: VectorIndex

    @abstractmethod
    def refresh(self) -> bool:
        """Take in what other processes wrote since; True when the index changed."""

    @abstractmethod
    def committed(self, removed: Sequence[int], added_ids: Sequence[int], added: np.ndarray | None) -> None:
        """An ingest transaction committed: passages `removed`, and `added_ids` with their vectors `added`."""

    @abstractmethod
    def checkpoint(self, *, closing: bool = False) -> None:
        """Make what changed last where the database does not hold it (SQLite's FAISS file), or save what spares
        the next start work (PostgreSQL's replica snapshot; when `closing`, or when much changed)."""


class Store(ABC):
    """Articles, passages, the lexical index and the live side's records of one knowledge base. Write methods run
    inside `transaction()` so an article and its passages land together."""

    dialect: Dialect
    db: object  # sqlite3.Connection, or embeddings.store.pgdb.PostgresDatabase: execute(...).fetchone()
    where: str  # where it lives, for messages: a directory, or a database URL without its password
    location_setting: str  # the setting that chooses it: TRADEWIRE_HOME or TRADEWIRE_DATABASE_URL
    read_only: bool = False
    url: str | None = None  # the database URL of a server's store (a secret: never shown); None for a file

    def __init__(self) -> None:
        self._forget_frequencies()
        self._df_version: object = None

    # --- the engine's part -------------------------------------------------------------------------
    @abstractmethod
    def transaction(self, *, ingest: bool = False) -> AbstractContextManager:
        """One write transaction. `ingest`: it writes passages, and waits for other ingests' transactions."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def writer(self, timeout: float) -> AbstractContextManager[None]:
        """The right to ingest, held around a whole ingest: IndexBusy after `timeout` seconds when the engine
        allows one ingest at a time (SQLite); nothing to wait for when each batch locks for itself."""

    def ingest_elsewhere(self) -> bool:
        """Another process is ingesting here now (while it is, a repair would race it)."""
        return False

    @abstractmethod
    def open_vectors(self, dim: int, kind: IndexKind, encoder: Encoder) -> Vectors:
        """The vectors of this store, loaded and in step with its passages (`encoder` embeds any missing)."""

    @abstractmethod
    def put_vectors(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        """Store new passages' vectors inside their ingest transaction, where the engine keeps them in the
        database (PostgreSQL); SQLite keeps them in the FAISS file only, saved at checkpoints."""

    def ingest_generation(self) -> int:
        """How many ingest batches have committed, where several processes ingest at once (a plan made at one
        generation is still good at the same one). One ingest at a time: always 0."""
        return 0

    def next_ingest_generation(self) -> int:
        """Count this batch (inside its transaction); returns its generation. One ingest at a time: always 1, so
        a batch is never planned twice."""
        return 1

    @abstractmethod
    def add_passages(self, article: Article, passages: Sequence[Passage], lexical: Sequence[str]) -> list[int]:
        """Insert passages and their analysed text; returns their new ids (the FAISS ids)."""

    @abstractmethod
    def _forget_lexical(self, ids: Sequence[int]) -> None:
        """Passages about to be deleted: drop what the engine keeps of them beside the passages table."""

    @abstractmethod
    def lexical_search(
        self, terms: Sequence[str], limit: int, filter_sql: str = "", params: Sequence[object] = ()
    ) -> list[tuple[int, float]]:
        """(passage id, bm25 score with higher = better) of the passages holding any of the analysed `terms`."""

    @abstractmethod
    def _data_version(self) -> object:
        """Changes whenever passages are written, by anyone (the document frequencies' cache key)."""

    @abstractmethod
    def _count_terms(self, terms: list[str]) -> dict[str, int]:
        """How many passages hold each term."""

    @abstractmethod
    def _count_passages(self) -> None:
        """Set `_df_total` (and `_df_average`, bm25's average passage length, where the engine scores it)."""

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

    def _stored(self, row) -> StoredArticle:
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
        if ids:
            self._forget_lexical(ids)
            for chunk in chunks(ids, 500):  # the tariff facts read from them (embeddings/store/tariffs.py)
                marks = ",".join("?" * len(chunk))
                self.db.execute(f"DELETE FROM tariff_facts WHERE passage_id IN ({marks})", chunk)
                self.db.execute(f"DELETE FROM tariff_passages WHERE passage_id IN ({marks})", chunk)
            self.db.execute("DELETE FROM passages WHERE article_id = ?", (article_id,))
        return ids

    # --- reading -----------------------------------------------------------------------------------
    def passage_id_stats(self) -> tuple[int, int]:
        count, total = self.db.execute("SELECT count(*), coalesce(sum(id), 0) FROM passages").fetchone()
        return int(count), int(total)

    def passage_ids(self) -> np.ndarray:
        return np.fromiter((r[0] for r in self.db.execute("SELECT id FROM passages")), dtype=np.int64)

    def _passage_bodies(self, key: str, values: Sequence[object]) -> list:
        """Passages (id, article_id, title, title_derived, body) whose `key` (p.id or p.article_id) is in values."""
        rows: list = []
        for chunk in chunks(list(values), 500):
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
        rows: list = []
        for chunk in chunks(list(ids), 500):
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
        for chunk in chunks(list(set(story_ids)), 500):
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

    def filtered_passage_ids(self, filter_sql: str, params: Sequence[object]) -> np.ndarray:
        rows = self.db.execute(
            f"SELECT p.id FROM passages p JOIN articles a ON a.id = p.article_id WHERE 1=1 {filter_sql}",
            params,
        )
        return np.fromiter((r[0] for r in rows), dtype=np.int64)

    def document_frequencies(self, terms: Iterable[str]) -> tuple[dict[str, int], int]:
        """How many passages hold each analysed term, and how many passages there are. Counting a common
        term's passages walks its whole doclist (milliseconds at 100k passages), so counts are cached until
        passages are written, by this connection or another one (`_data_version`)."""
        version = self._data_version()
        if version != self._df_version:
            self._forget_frequencies()
            self._df_version = version
        terms = list(dict.fromkeys(terms))
        if unknown := [t for t in terms if t not in self._df]:
            self._df.update(self._count_terms(unknown))
        if self._df_total is None:
            self._count_passages()
        assert self._df_total is not None
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
        return [_summary(r, sources) for r in rows]

    def stories_between(self, since: datetime, until: datetime) -> list[tuple[ArticleSummary, int, str]]:
        """The stories first reported in [since, until), oldest first: each story's first article with its other
        sources, its lead passage's id and the lead passage's text."""
        rows = self.db.execute(
            """SELECT a.id, a.title, a.source, a.url, a.origin, a.published, a.story_id, a.teaser, p.id AS passage_id,
                      substr(a.text, p.char_start + 1, p.char_end - p.char_start) AS lead
               FROM articles a JOIN passages p ON p.article_id = a.id AND p.position = 0
               WHERE a.story_id = a.id AND a.published_ts >= ? AND a.published_ts < ?
               ORDER BY a.published_ts, a.id""",
            (since.timestamp(), until.timestamp()),
        ).fetchall()
        sources = self.story_sources(r["story_id"] for r in rows)
        return [
            (
                _summary(r, sources),
                int(r["passage_id"]),
                r["lead"],
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


class Records:
    """A group of the live side's tables (feeds.py, answers.py, watches.py, briefs.py, leases.py): each group is
    written by its class only, in a transaction of its own or, where a change spans several, the caller's."""

    def __init__(self, store: Store):
        self.store = store
        self.db = store.db

    def transaction(self) -> AbstractContextManager:
        return self.store.transaction()

    def _of_guild(self, table: str, guild: str | None):
        """The rows of one of this class's tables in the order they were added: a guild's, or all of them."""
        if guild is None:
            return self.db.execute(f"SELECT * FROM {table} ORDER BY id")
        return self.db.execute(f"SELECT * FROM {table} WHERE guild = ? ORDER BY id", (guild,))
