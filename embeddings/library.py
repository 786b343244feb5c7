"""The one facade the bot and the CLI use: open(home) -> ingest / search / latest / stats, and `records`, the live
side's (feeds, answers, watches, briefs, leases: embeddings/store/records.py).

An ingest plans each batch (added, updated, a syndicated copy merged into its story, unchanged), embeds it outside
any lock, and writes articles, passages and vectors in one transaction of the store; the store is committed
before anything is reported. How the vectors are kept and how ingests take turns is the engine's part
(embeddings/store: SQLite with a FAISS file and one ingest at a time, or PostgreSQL with the vectors in the
database, a replica per process, and batches planned again when another process committed in between).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from embeddings.analysis import analyse, terms
from embeddings.encoder import (
    DEFAULT_MODEL,
    DEFAULT_PRECISION,
    Encoder,
    Precision,
    canonical_model_name,
    make_encoder,
    parse_model_id,
)
from embeddings.errors import SourceError, TradewireError
from embeddings.index import IndexKind, VectorIndex
from embeddings.ingest import IngestReport, Plan, plan_batch
from embeddings.models import MAX_ARTICLE_CHARS, Article, ArticleSummary, Hit
from embeddings.search import Filters, Mode, hybrid_search
from embeddings.store import LiveRecords, Store, Vectors, embedding_text, open_store

if TYPE_CHECKING:
    from embeddings.sources import Fetcher

log = logging.getLogger(__name__)

BATCH_ARTICLES = 32
BATCH_CHARS = 1_000_000  # a batch is committed at 32 articles or a million characters, whichever comes first
CHECKPOINT_SECONDS = 20.0


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
        self.where = store.where  # for messages: never a password
        self.read_only = store.read_only  # a home we may not write: ask, search and latest only, nothing saved
        self.index_kind = index_kind
        self.encoder = encoder
        self.store = store
        self._vectors: Vectors | None = None
        self._last_checkpoint = time.monotonic()
        # the live side: records.feeds, .answers, .watches, .briefs and .leases (embeddings/store/records.py)
        self.records = LiveRecords(store)

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
        store = open_store(home, url=database_url, writing=writing)
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
                f"the index in {store.where} was built with model {recorded!r}, not {wanted!r}; "
                f"use that model and precision (TRADEWIRE_MODEL, TRADEWIRE_PRECISION), or another "
                f"{store.location_setting} for a new index"
            )
        return cls(home, encoder, store, index_kind)

    def _writable(self) -> None:
        if self.read_only:
            raise TradewireError(f"{self.home} is not writable: nothing can be added to this knowledge base")

    # --- vectors -----------------------------------------------------------------------------------
    @property
    def index(self) -> VectorIndex:
        """The FAISS index, loaded on first use and in step with the store (the engine's `Vectors`)."""
        if self._vectors is None:
            if self.store.get_meta("model") is None and not self.read_only:
                with self.store.transaction():
                    self.store.set_meta("model", canonical_model_name(self.encoder.name))
                    self.store.set_meta("dim", str(self.encoder.dim))
            dim = int(self.store.get_meta("dim") or self.encoder.dim)
            self._vectors = self.store.open_vectors(dim, self.index_kind, self.encoder)
        return self._vectors.index

    def refresh(self) -> bool:
        """Take in the vectors other processes wrote since (a long-running bot sees a CLI ingest); cheap when
        nothing changed. Returns True when the index changed."""
        return self._vectors.refresh() if self._vectors is not None else False

    def checkpoint(self, *, closing: bool = False) -> None:
        """Make the vectors last where the engine keeps them apart from the database (SQLite's FAISS file; a
        PostgreSQL replica's snapshot, when much changed or when `closing`)."""
        if self._vectors is not None:
            self._vectors.checkpoint(closing=closing)
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
        with self.store.writer(lock_timeout):
            self.refresh()  # build on what other processes wrote, never over it
            self.index  # noqa: B018 - the vectors loaded before the first batch commits into them
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
                    self._ingest_batch(batch, report)
                    batch = []
            if batch:
                self._ingest_batch(batch, report)
            self.checkpoint()
        return report

    def _embed(self, plans: list[Plan], known: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Vectors of the plans' passages by the text the encoder sees, encoding only texts not in `known`."""
        texts = [embedding_text(p.article.title, p.article.title_derived, x.text) for p in plans for x in p.passages]
        fresh = list(dict.fromkeys(t for t in texts if t not in known))
        vectors = dict(known)
        if fresh:
            vectors.update(zip(fresh, self.encoder.encode(fresh), strict=True))
        return vectors

    def _ingest_batch(self, batch: list[Article], report: IngestReport) -> None:
        generation = self.store.ingest_generation()
        plans, unchanged = plan_batch(self.store, batch)
        vectors = self._embed(plans, {})  # the slow part, outside any lock
        removed: list[int] = []
        new_ids: list[int] = []
        with self.store.transaction(ingest=True):
            # If another process has stored anything since (a shared store), some of these may be among it: plan
            # again, now under the lock (the vectors already made are reused).
            if self.store.next_ingest_generation() != generation + 1:
                plans, unchanged = plan_batch(self.store, batch)
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
            if new_ids:
                self.store.put_vectors(new_ids, np.stack(added))
        # Committed: from here on the articles are in, whatever happens to this process.
        assert self._vectors is not None
        self._vectors.committed(removed, new_ids, np.stack(added) if added else None)
        report.unchanged += unchanged
        for plan in plans:
            if plan.kind == "merged":
                report.merged.append((plan.article.id, plan.story_id))
            else:
                getattr(report, plan.kind).append(plan.article.id)
        report.passages += len(new_ids)
        if time.monotonic() - self._last_checkpoint > CHECKPOINT_SECONDS:
            self.checkpoint()

    # --- reading -----------------------------------------------------------------------------------
    def search(
        self,
        query: str,
        *,
        k: int = 10,
        filters: Filters | None = None,
        prefer_recent: bool | None = None,
        mode: Mode = "hybrid",
        recent_days: float = 0,
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
            recent_days=recent_days,
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

    def stories_between(self, since: datetime, until: datetime) -> list[tuple[ArticleSummary, int, str]]:
        """The stories first reported in [since, until), oldest first: (the story's first article with its other
        sources, its lead passage's id, that passage's text)."""
        return self.store.stories_between(since, until)

    def document_frequencies(self, terms: Iterable[str]) -> tuple[dict[str, int], int]:
        return self.store.document_frequencies(terms)

    def passage_texts(self, ids: Iterable[int]) -> list[tuple[int, str]]:
        """(passage id, the text its vector was made from) for the given passages."""
        return self.store.passage_texts(ids)

    def passage(self, article_id: str, quote: str) -> str | None:
        """The indexed passage of an article that holds `quote` (a cited sentence), in full."""
        return self.store.passage_with(article_id, quote)

    def stats(self) -> dict[str, object]:
        counts = self.store.counts()
        newest = self.store.newest_published()
        return {
            **counts,
            "summary_only": self.store.summary_only_count(),
            "vectors": len(self._vectors.index) if self._vectors is not None else None,
            "model": self.store.get_meta("model") or canonical_model_name(self.encoder.name),
            "newest": newest.isoformat() if newest else None,
            "home": self.where,
            "ingest_running": self.store.ingest_elsewhere(),  # vectors catch up when it ends
        }

    def close(self) -> None:
        self.checkpoint(closing=True)
        self.store.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
