"""The one facade the bot and the CLI use: open(home) -> ingest / search / latest / stats.

Consistency, embedded (SQLite, the default): SQLite is the source of truth and is committed before anything is
reported; the FAISS file is saved atomically at checkpoints. Opening reconciles the two (vectors of passages that
are gone are dropped, passages without vectors are embedded again), so a process killed at any moment leaves
nothing that the next run cannot repair.

Shared (PostgreSQL, TRADEWIRE_DATABASE_URL): the database holds the vectors too, committed with their passages;
each process searches an in-memory FAISS replica caught up before every search (embeddings.replica). Several
ingests may run at once on several machines: each batch is planned and embedded outside any lock, then planned
again and written under an advisory lock, so two processes never store one article twice.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from filelock import FileLock, Timeout

from embeddings import dedupe, status
from embeddings.analysis import analyse, terms
from embeddings.chunking import chunk
from embeddings.encoder import (
    DEFAULT_MODEL,
    DEFAULT_PRECISION,
    Encoder,
    Precision,
    canonical_model_name,
    make_encoder,
    parse_model_id,
)
from embeddings.errors import IndexBusy, SourceError, TradewireError
from embeddings.index import IndexKind, VectorIndex
from embeddings.models import MAX_ARTICLE_CHARS, Article, ArticleSummary, Hit, Passage
from embeddings.replica import Replica
from embeddings.search import Filters, Mode, hybrid_search
from embeddings.state import State
from embeddings.store import Store, StoredArticle, embedding_text

if TYPE_CHECKING:
    from embeddings.sources import Fetcher

log = logging.getLogger(__name__)

DB_NAME = "tradewire.db"
VECTORS_NAME = "vectors.faiss"
BATCH_ARTICLES = 32
BATCH_CHARS = 1_000_000  # a batch is committed at 32 articles or a million characters, whichever comes first
CHECKPOINT_SECONDS = 20.0


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)  # article ids
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    merged: list[tuple[str, str]] = field(default_factory=list)  # (article id, story id): syndicated copies
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (item, reason)
    truncated: list[tuple[str, int, int]] = field(default_factory=list)  # (article id, kept, original characters)
    teasers: list[tuple[str, str]] = field(default_factory=list)  # (article id, why its page was not read)
    passages: int = 0

    @property
    def failed(self) -> bool:
        return bool(self.skipped)

    @property
    def article_ids(self) -> list[str]:
        """Every article the items turned out to be, whatever happened to it."""
        return [*self.added, *self.updated, *self.unchanged, *(a for a, _ in self.merged)]

    def merge(self, other: IngestReport) -> None:
        for name in ("added", "updated", "unchanged", "merged", "skipped", "truncated", "teasers"):
            getattr(self, name).extend(getattr(other, name))
        self.passages += other.passages

    def summary(self) -> str:
        return (
            f"added {len(self.added)}, updated {len(self.updated)}, unchanged {len(self.unchanged)}, "
            f"merged {len(self.merged)} (same story, another source), skipped {len(self.skipped)}"
            f" — {_count(self.passages, 'passage')} embedded"
            + (f"; {len(self.truncated)} cut to their first {MAX_ARTICLE_CHARS:,} characters" if self.truncated else "")
            + (f"; {len(self.teasers)} with the feed's summary only (page not read)" if self.teasers else "")
        )


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def content_hash(article: Article) -> str:
    parts = [
        article.title,
        article.text,
        article.source,
        article.url,
        article.published.isoformat() if article.published else "",
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _read_only_home(home: Path, writing: bool) -> bool:
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


@dataclass
class _Plan:
    """What one article of a batch becomes."""

    article: Article
    story_id: str
    digest: str
    signature: np.ndarray
    bands: list[str]
    kind: str  # added | updated | merged
    passages: list[Passage]


def _older(article: Article, other: Article | StoredArticle) -> bool:
    """Both are dated and `article` is the older: then it does not replace `other`, whether `other` came earlier
    in the same batch or is already stored (older text never overwrites newer)."""
    return bool(article.published and other.published and article.published < other.published)


def _is_about(weights: dict[str, float], text: str, similarity: float) -> bool:
    """Is a passage (with its headline) about a topic? `weights`: the topic's analysed words, each weighed by how
    rare it is in the news (`Library._topic_weights`). It holds most of the topic by weight (0.75), or half of it
    and is close in meaning (cosine 0.5), or is very close in meaning whatever its words (0.6). A word most of the
    news shares ("tariffs") weighs little: "steel tariffs" needs steel, and steel nearly suffices.
    `tradewire latest --help` says this in a user's words."""
    total = sum(weights.values())
    if not total:
        return similarity >= 0.6
    held = set(terms(text))
    share = sum(w for t, w in weights.items() if t in held) / total
    return share >= 0.75 or (share >= 0.5 and similarity >= 0.5) or similarity >= 0.6


class Library:
    """A knowledge base in one directory, `tradewire.db` (SQLite) and `vectors.faiss` (FAISS), or in a PostgreSQL
    database shared with other processes."""

    def __init__(self, home: Path, encoder: Encoder, store: Store, index_kind: IndexKind = "auto"):
        self.home = home
        self.where = store.where if store.shared else str(home)  # for messages: never a password
        self.read_only = store.read_only  # a home we may not write: ask, search and latest only, nothing saved
        self.index_kind = index_kind
        self.encoder = encoder
        self.store = store
        self._index: VectorIndex | None = None
        self._lock = FileLock(str(home / ".write.lock"))
        self._last_checkpoint = time.monotonic()
        self._vectors_stamp: tuple[int, int, int] | None = None
        self._replica: Replica | None = None
        self.state = State(store)

    @classmethod
    def open(
        cls,
        home: str | Path,
        model: str = DEFAULT_MODEL,
        encoder: Encoder | None = None,
        index_kind: IndexKind = "auto",
        precision: Precision | None = None,
        cache: Path | None = None,
        writing: bool = False,
        database_url: str | None = None,
    ) -> Library:
        """Open (creating if needed) the knowledge base at `home`; refuses a different embedding model.
        `index_kind`: exact `flat`, approximate `hnsw`, or `auto` by corpus size (see embeddings.index).
        `precision`: the encoder's (see embeddings.encoder); by default the one the index was built with, and
        DEFAULT_PRECISION for a new index; `cache`: where the int8 encoder keeps its graph.
        A home that cannot be written (a read-only mount, another user's directory) opens read-only, unless
        `writing` says the caller will write, which then fails with a one-line error.
        `database_url` (postgresql://...): the store is that PostgreSQL database, not `home`."""
        home = Path(home).expanduser()
        if database_url:
            store = Store(url=database_url)
        else:
            store = Store(home / DB_NAME, read_only=_read_only_home(home, writing))
        recorded = store.get_meta("model")
        if encoder is None:
            built_with, built_precision = parse_model_id(recorded) if recorded else (None, None)
            if precision is None:
                same_model = built_with == canonical_model_name(model)
                precision = built_precision if same_model and built_precision else DEFAULT_PRECISION
            encoder = make_encoder(model, precision, cache)
        wanted = canonical_model_name(encoder.name)
        if recorded and recorded != wanted:
            store.close()
            raise TradewireError(
                f"the index in {store.where if store.shared else home} was built with model {recorded!r}, "
                f"not {wanted!r}; "
                f"use that model and precision (TRADEWIRE_MODEL, TRADEWIRE_PRECISION), or another "
                f"{'TRADEWIRE_DATABASE_URL' if store.shared else 'TRADEWIRE_HOME'} for a new index"
            )
        return cls(home, encoder, store, index_kind)

    def _writable(self) -> None:
        if self.read_only:
            raise TradewireError(f"{self.home} is not writable: nothing can be added to this knowledge base")

    # --- vectors -----------------------------------------------------------------------------------
    @property
    def index(self) -> VectorIndex:
        """The FAISS index, loaded on first use and reconciled with SQLite."""
        if self._index is None:
            if self.store.get_meta("model") is None and not self.read_only:
                with self.store.transaction():
                    self.store.set_meta("model", canonical_model_name(self.encoder.name))
                    self.store.set_meta("dim", str(self.encoder.dim))
            dim = int(self.store.get_meta("dim") or self.encoder.dim)
            if self.store.shared:
                self._replica = Replica(self.store, dim, self.index_kind)
                self._replica.catch_up()
                self._index = self._replica.index
                return self._index
            self._vectors_stamp = self._stamp()
            self._index = VectorIndex.load_or_create(self.home / VECTORS_NAME, dim, self.index_kind)
            self._reconcile()
        return self._index

    def _stamp(self) -> tuple[int, int, int] | None:
        try:
            st = (self.home / VECTORS_NAME).stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def refresh(self) -> bool:
        """Reload the vectors if another process saved new ones since (a long-running bot sees a CLI ingest).
        One stat() when nothing changed. Returns True when the index was reloaded. Nothing unsaved is lost:
        SQLite holds every passage, and reloading reconciles the file with it. A replica of a shared store catches
        up instead: True when anything changed."""
        if self._replica is not None:
            return self._replica.catch_up() > 0
        if self._index is None or self._stamp() == self._vectors_stamp:
            return False
        self._index = None
        self.index  # noqa: B018 - reload and reconcile now, not in the middle of a search
        return True

    def _reconcile(self) -> None:
        assert self._index is not None
        count, total = self.store.passage_id_stats()
        ids = self._index.ids()
        if count == len(ids) and total == int(ids.sum()):
            if self._index.dirty:  # converted to the index kind asked for: save that once
                self._save_unless_busy()
            return
        if not self.read_only and self._ingest_elsewhere():
            return  # another process is writing: its checkpoint brings the vectors; repairing now would race it
        known = self.store.passage_ids()
        stale = np.setdiff1d(ids, known)
        missing = np.setdiff1d(known, ids)
        self._index.remove(stale)
        with status.step(f"repairing the vector index ({len(missing)} passages to embed)"):
            for start in range(0, len(missing), 256):
                texts = self.store.passage_texts(missing[start : start + 256].tolist())
                if texts:
                    vecs = self.encoder.encode([t for _, t in texts])
                    self._index.add(np.array([i for i, _ in texts], dtype=np.int64), vecs)
        log.warning(
            "repaired the vector index: dropped %d stale vectors, embedded %d passages again",
            len(stale),
            len(missing),
        )
        self._save_unless_busy()

    def _ingest_elsewhere(self) -> bool:
        """Another process holds the write lock (an ingest is running). This process's own lock is reentrant."""
        try:
            with self._lock.acquire(timeout=0):
                return False
        except Timeout:
            return True

    def _save_unless_busy(self) -> None:
        """Persist a repair or conversion unless an ingest in another process holds the write lock (or the home
        is read-only: then the repair lives in memory only)."""
        assert self._index is not None
        if self.read_only:
            return
        try:
            with self._lock.acquire(timeout=0):
                self._index.save(self.home / VECTORS_NAME)
                self._vectors_stamp = self._stamp()
        except Timeout:
            pass

    def checkpoint(self) -> None:
        """Save the vectors if they changed (atomically). A shared store's replica is never saved."""
        if self._index is not None and self._index.dirty and not self.read_only and self._replica is None:
            self._index.save(self.home / VECTORS_NAME)
            self._vectors_stamp = self._stamp()
        self._last_checkpoint = time.monotonic()

    # --- ingest ------------------------------------------------------------------------------------
    def ingest(
        self,
        targets: Iterable[str],
        *,
        fetcher: Fetcher | None = None,
        max_bytes: int | None = None,
        progress: Callable[[Article | SourceError], None] | None = None,
    ) -> IngestReport:
        """Read every target (file, directory, URL) and index what is new or changed. `max_bytes`: the size
        limit of one file or response (default: embeddings.sources.DEFAULT_MAX_BYTES)."""
        from embeddings import sources  # feed, page and HTTP libraries: only an ingest needs them

        limit = sources.DEFAULT_MAX_BYTES if max_bytes is None else max_bytes

        def items() -> Iterator[Article | SourceError]:
            for target in targets:
                yield from sources.read(target, fetcher=fetcher, max_bytes=limit)

        return self.ingest_articles(items(), progress=progress)

    def ingest_articles(
        self,
        items: Iterable[Article | SourceError],
        *,
        progress: Callable[[Article | SourceError], None] | None = None,
        lock_timeout: float = 60.0,
    ) -> IngestReport:
        """Index articles (SourceErrors are reported as skipped). Waits up to `lock_timeout` seconds for another
        process's ingest to end, then raises IndexBusy."""
        self._writable()
        report = IngestReport()
        with self._writer(lock_timeout):
            self.refresh()  # build on what other processes wrote, never over it
            index = self.index
            batch: list[Article] = []
            for item in items:
                if progress:
                    progress(item)
                if isinstance(item, SourceError):
                    report.skipped.append((item.item, item.reason))
                    continue
                if len(item.text) > MAX_ARTICLE_CHARS:  # made by a caller, not a reader: the same cap
                    item.truncated_from = len(item.text)
                    item.text = item.text[:MAX_ARTICLE_CHARS]
                if item.truncated_from:
                    report.truncated.append((item.id, len(item.text), item.truncated_from))
                if item.teaser:
                    report.teasers.append((item.id, item.teaser))
                batch.append(item.clean())
                if len(batch) >= BATCH_ARTICLES or sum(len(a.text) for a in batch) >= BATCH_CHARS:
                    self._ingest_batch(batch, index, report)
                    batch = []
            if batch:
                self._ingest_batch(batch, index, report)
            self.checkpoint()
        return report

    @contextmanager
    def _writer(self, timeout: float) -> Iterator[None]:
        """The right to ingest. Embedded: the home's write lock (one ingest at a time; IndexBusy after `timeout`
        seconds). Shared: nothing to wait for here; each batch's transaction takes the database's ingest lock."""
        if self.store.shared:
            yield
            return
        try:
            self._lock.acquire(timeout=timeout)
        except Timeout:
            raise IndexBusy(f"another ingest is writing to {self.home}; try again when it ends") from None
        try:
            yield
        finally:
            self._lock.release()

    def _plan(self, batch: list[Article]) -> tuple[list[_Plan], list[str]]:
        """What each article of the batch becomes given what is stored, and the ids of those that change
        nothing. Plans hold copies of the articles (an update takes the stored id), so planning can be redone."""
        plans: list[_Plan] = []
        unchanged: list[str] = []
        # One id twice in a batch: the newest `published` wins, the later line on a tie, as across batches.
        winner: dict[str, int] = {}
        for number, article in enumerate(batch):
            best = winner.get(article.id)
            if best is None or not _older(article, batch[best]):
                winner[article.id] = number
        pending: list[StoredArticle] = []  # this batch's new stories, for near-copies within the batch
        for number, original in enumerate(batch):
            if winner[original.id] != number:
                unchanged.append(original.id)
                continue
            article = replace(original)
            digest = content_hash(article)
            sig = dedupe.signature(article.text)
            keys = dedupe.bands(sig)
            existing = self.store.find_article(article.id, article.url)
            kind, story_id = "", ""
            if existing:
                if existing.content_hash == digest or _older(article, existing):
                    # Same text, or an older version of a story we hold newer text for (a re-sent copy
                    # replaced it): nothing to do. Older text never overwrites newer.
                    unchanged.append(existing.id)
                    continue
                article.id, kind, story_id = existing.id, "updated", existing.story_id
            elif (copy := self._near_copy(sig, keys, pending)) is None:
                kind, story_id = "added", article.id
                pending.append(StoredArticle(article.id, article.id, article.source, article.published, digest, sig))
            elif copy.source.casefold() == article.source.casefold() or not article.source or not copy.source:
                # The same outlet again: a corrected or re-sent version. Keep the newest text under the old id.
                newer = article.published and (copy.published is None or article.published > copy.published)
                if not (newer and copy.content_hash != digest):
                    unchanged.append(copy.id)
                    continue
                article.id, kind, story_id = copy.id, "updated", copy.story_id
            else:
                kind, story_id = "merged", copy.story_id
            passages = chunk(article) if kind != "merged" else []
            plans.append(_Plan(article, story_id, digest, sig, keys, kind, passages))
        return plans, unchanged

    def _embed(self, plans: list[_Plan], known: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Vectors of the plans' passages by the text the encoder sees, encoding only texts not in `known`."""
        texts = [embedding_text(p.article.title, p.article.title_derived, x.text) for p in plans for x in p.passages]
        fresh = list(dict.fromkeys(t for t in texts if t not in known))
        vectors = dict(known)
        if fresh:
            vectors.update(zip(fresh, self.encoder.encode(fresh), strict=True))
        return vectors

    def _ingest_batch(self, batch: list[Article], index: VectorIndex, report: IngestReport) -> None:
        generation = self.store.ingest_generation() if self.store.shared else 0
        plans, unchanged = self._plan(batch)
        vectors = self._embed(plans, {})  # the slow part, outside any lock
        removed: list[int] = []
        new_ids: list[int] = []
        with self.store.transaction(ingest=True):
            # Shared: if another process has stored anything since, some of these may be among it: plan again, now
            # under the lock (the vectors already made are reused).
            if self.store.shared and self.store.next_ingest_generation() != generation + 1:
                plans, unchanged = self._plan(batch)
                vectors = self._embed(plans, vectors)
            for plan in plans:
                removed += self.store.delete_passages(plan.article.id)
                self.store.put_article(
                    plan.article,
                    story_id=plan.story_id,
                    content_hash=plan.digest,
                    minhash=plan.signature,
                    bands=plan.bands,
                )
            added: list[np.ndarray] = []
            for plan in plans:
                article = plan.article
                lexical = [analyse(p.text) for p in plan.passages]
                new_ids += self.store.add_passages(article, plan.passages, lexical)
                added += [vectors[embedding_text(article.title, article.title_derived, p.text)] for p in plan.passages]
            if self.store.shared and new_ids:
                self.store.put_vectors(new_ids, np.stack(added))
        # Committed: from here on the articles are in, whatever happens to this process.
        if self._replica is not None:
            self._replica.catch_up()
        else:
            index.remove(np.array(removed, dtype=np.int64))
            if new_ids:
                index.add(np.array(new_ids, dtype=np.int64), np.stack(added))
        report.unchanged += unchanged
        for plan in plans:
            if plan.kind == "merged":
                report.merged.append((plan.article.id, plan.story_id))
            else:
                getattr(report, plan.kind).append(plan.article.id)
        report.passages += len(new_ids)
        if time.monotonic() - self._last_checkpoint > CHECKPOINT_SECONDS:
            self.checkpoint()

    def _near_copy(self, sig: np.ndarray, keys: list[str], pending: list[StoredArticle]) -> StoredArticle | None:
        """The stored (or pending) article this text is a near-copy of, if any."""
        best, best_sim = None, dedupe.NEAR_COPY
        for candidate in [*self.store.story_candidates(keys), *pending]:
            if candidate.minhash is None:
                continue
            sim = dedupe.similarity(sig, candidate.minhash)
            if sim >= best_sim:
                best, best_sim = candidate, sim
        return best

    # --- reading -----------------------------------------------------------------------------------
    def search(
        self,
        query: str,
        *,
        k: int = 10,
        filters: Filters | None = None,
        prefer_recent: bool | None = None,
        mode: Mode = "hybrid",
    ) -> list[Hit]:
        self.refresh()
        return hybrid_search(
            self.store,
            self.index,
            self.encoder,
            query,
            k=k,
            filters=filters,
            prefer_recent=prefer_recent,
            mode=mode,
        )

    def latest(self, n: int = 10, *, topic: str | None = None, filters: Filters | None = None) -> list[ArticleSummary]:
        """Newest stories first; with a topic, only stories whose passages match it by meaning or words."""
        filters = filters or Filters()
        filter_sql, params = filters.sql()
        if not topic:
            return self.store.latest(n, filter_sql, params)
        hits = self.search(topic, k=max(50, n * 5), filters=filters, prefer_recent=False)
        weights = self._topic_weights(topic)
        relevant = [h for h in hits if _is_about(weights, f"{h.title}\n{h.text}", h.dense or 0.0)]
        ids = list(dict.fromkeys(h.article_id for h in relevant))
        return self.store.latest(n, filter_sql, params, article_ids=ids) if ids else []

    def about(self, topic: str, article_ids: Iterable[str]) -> set[str]:
        """Those of the given articles that are about `topic`, by the same test `latest(topic=...)` uses."""
        passages = self.store.article_passages(list(dict.fromkeys(article_ids)))
        if not passages:
            return set()
        weights = self._topic_weights(topic)
        query = self.encoder.encode([topic])[0]
        vectors = self.index.vectors([pid for pid, _, _ in passages])
        return {
            article_id
            for pid, article_id, text in passages
            if _is_about(weights, text, float(vectors[pid] @ query) if pid in vectors else 0.0)
        }

    def _topic_weights(self, topic: str) -> dict[str, float]:
        """A topic's analysed words, each weighed by its rarity in the indexed passages: log(1 + N / n), so a word
        in every passage still weighs a little (log 2) and one in a passage of a thousand weighs ten times that."""
        wanted = list(dict.fromkeys(terms(topic)))
        counts, total = self.store.document_frequencies(wanted)
        return {t: math.log1p(max(total, 1) / max(counts.get(t, 0), 1)) for t in wanted}

    def document_frequencies(self, terms: Iterable[str]) -> tuple[dict[str, int], int]:
        return self.store.document_frequencies(terms)

    def passage(self, article_id: str, quote: str) -> str | None:
        """The indexed passage of an article that holds `quote` (a cited sentence), in full."""
        return self.store.passage_with(article_id, quote)

    def stats(self) -> dict[str, object]:
        counts = self.store.counts()
        newest = self.store.newest_published()
        return {
            **counts,
            "summary_only": self.store.summary_only_count(),
            "vectors": len(self._index) if self._index is not None else None,
            "model": self.store.get_meta("model") or canonical_model_name(self.encoder.name),
            "newest": newest.isoformat() if newest else None,
            "home": self.where,
            "ingest_running": not self.read_only
            and not self.store.shared
            and self._ingest_elsewhere(),  # vectors catch up when it ends
        }

    def close(self) -> None:
        self.checkpoint()
        self.store.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
