"""Hybrid retrieval: dense (FAISS) and lexical (FTS5 BM25) rankings fused by reciprocal rank, with date and
source filters and, when the question asks what is current, a preference for recent articles."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from embeddings.analysis import terms
from embeddings.encoder import Encoder
from embeddings.index import VectorIndex
from embeddings.models import Hit
from embeddings.store import Store

Mode = Literal["hybrid", "dense", "lexical"]
RRF_K = 60
# A question about a figure now also ranks the reports of this many days before its day (bench.figures; 30 and
# 45 read the newest report as often, 90 less: docs/benchmarks.md).
RECENT_WINDOW_DAYS = 45
KEEP_BEST = 2  # of the whole corpus's ranking, kept among the k when recency reorders them
WINDOW_IDS = 20_000  # ... its dense ranking searched among its passages by id when it holds at most this many
COMMON_SHARE = 0.1  # a term in more passages than this share is left out of the lexical query ...
COMMON_MIN_PASSAGES = 1000  # ... once the corpus has this many passages
MIN_TERMS, MAX_COMMON = 3, 2  # ... unless that leaves fewer than MIN_TERMS: then the rarest common ones stay
# Words that ask for the current state of things rather than a fixed fact.
_RECENCY = re.compile(
    r"\b(latest|current(ly)?|now|recent(ly)?|newest|today|this week|this month|so far|still|yet|new)\b", re.I
)


@dataclass
class Filters:
    since: datetime | None = None
    until: datetime | None = None  # "as of": articles published after this are ignored
    source: str | None = None

    def sql(self) -> tuple[str, list[object]]:
        """A WHERE fragment (starting with AND) and its parameters. The contract with the queries it is put in
        (all in embeddings/store): the articles table is aliased `a`, the passages table `p`."""
        parts, params = [], []
        if self.since:
            parts.append("AND a.published_ts >= ?")
            params.append(self.since.timestamp())
        if self.until:
            # Undated items cannot be shown to be later, so they stay.
            parts.append("AND (a.published_ts IS NULL OR a.published_ts <= ?)")
            params.append(self.until.timestamp())
        if self.source:
            parts.append("AND lower(a.source) LIKE lower(?) ESCAPE '\\'")  # case-blind in both engines
            escaped = self.source.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params.append(f"%{escaped}%")
        return " ".join(parts), params

    def __bool__(self) -> bool:
        return bool(self.since or self.until or self.source)


def selective_terms(store: Store, query: str) -> list[str]:
    """The query's terms for the lexical search, less those in more than COMMON_SHARE of a large corpus's
    passages: they barely move BM25, yet make it score most of the corpus (200 ms a query at 120k passages).
    A frequent word can still be the one that matters ("trump", "tariff", "election" in a trade corpus), so a
    query is topped up with its rarest frequent words to MIN_TERMS terms, at most MAX_COMMON of them."""
    found = list(dict.fromkeys(terms(query)))
    freq, total = store.document_frequencies(found)
    if total < COMMON_MIN_PASSAGES:
        return found
    rare = [t for t in found if freq.get(t, 0) <= COMMON_SHARE * total]
    common = sorted((t for t in found if t not in rare), key=lambda t: freq.get(t, 0))
    kept = set(rare) | set(common[: min(MAX_COMMON, max(0, MIN_TERMS - len(rare)))])
    return [t for t in found if t in kept]


def asks_for_recent(question: str) -> bool:
    return bool(_RECENCY.search(question))


def hybrid_search(
    store: Store,
    index: VectorIndex,
    encoder: Encoder,
    query: str,
    *,
    k: int = 10,
    filters: Filters | None = None,
    prefer_recent: bool | None = None,
    mode: Mode = "hybrid",
    depth: int = 50,
    recent_days: float = 0,
) -> list[Hit]:
    """The k best passages for a query, best first, each with fused, dense and lexical scores. With
    `prefer_recent` and `recent_days`, the reports of that many days before `filters.until` (or now) are also
    ranked on their own, and those rankings fused with the others."""
    filters = filters or Filters()
    depth = max(depth, k)
    if prefer_recent is None:
        prefer_recent = asks_for_recent(query)
    now = filters.until or datetime.now(UTC)
    qvec = encoder.encode([query])[0] if mode in ("hybrid", "dense") else None
    terms_asked = selective_terms(store, query) if mode in ("hybrid", "lexical") else []
    window = None
    if prefer_recent and recent_days:
        since = now - timedelta(days=recent_days)
        if not filters.since or filters.since < since:
            window = Filters(since=since, until=filters.until, source=filters.source)
    filter_sql, params = filters.sql()
    dense = _dense(store, index, qvec, depth, filters, filter_sql, params) if qvec is not None else []
    lexical = store.lexical_search(terms_asked, depth, filter_sql, params) if terms_asked else []
    rankings = [(dense, lexical)]
    if window:
        # The reports of the weeks before the question's day, ranked on their own: in a corpus of years, the
        # newest report that gives a rate can be 200th overall, behind older ones that say the same words.
        rankings.append(_window_rankings(store, index, qvec, terms_asked, depth, window))
    dense_scores = {pid: s for dense, _ in rankings for pid, s in dense}
    lexical_scores = {pid: s for _, lexical in rankings for pid, s in lexical}

    fused: dict[int, float] = {}
    for ranking in (r for pair in rankings for r in pair):
        for rank, (pid, _) in enumerate(ranking):
            fused[pid] = fused.get(pid, 0.0) + 1.0 / (RRF_K + rank + 1)
    if not fused:
        return []
    candidates = sorted(fused, key=fused.__getitem__, reverse=True)[: max(depth, k)]
    hits = store.hits(candidates)
    if qvec is not None:
        missing = [pid for pid in hits if pid not in dense_scores]
        for pid, vec in index.vectors(missing).items():
            dense_scores[pid] = float(vec @ qvec)
    for pid, hit in hits.items():
        hit.score = fused[pid]
        hit.dense = dense_scores.get(pid)
        hit.lexical = lexical_scores.get(pid)

    if prefer_recent:
        _boost_recent(list(hits.values()), now)
    ranked = sorted(hits.values(), key=lambda h: h.score, reverse=True)[:k]
    if prefer_recent:
        # The best passages of the whole corpus are read whatever their age: in a small corpus the freshness
        # boost and the window's rankings can push the one report that answers out of the k behind newer ones that
        # do not; how much a report's age counts against its answer is the reader's decision's (Weights.age).
        base: dict[int, float] = {}
        for ranking in rankings[0]:
            for rank, (pid, _) in enumerate(ranking):
                base[pid] = base.get(pid, 0.0) + 1.0 / (RRF_K + rank + 1)
        kept = [hits[pid] for pid in sorted(base, key=base.__getitem__, reverse=True)[:KEEP_BEST] if pid in hits]
        others = [h for h in ranked if h not in kept][: max(0, k - len(kept))]
        ranked = sorted([*others, *kept], key=lambda h: h.score, reverse=True)
    return ranked


def _window_rankings(
    store: Store, index: VectorIndex, qvec, terms_asked: list[str], depth: int, window: Filters
) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
    """The dense and lexical rankings of the passages in `window` (a window of weeks holds few passages: the
    dense one is searched among them by id, up to WINDOW_IDS of them)."""
    sql, params = window.sql()
    dense = _dense(store, index, qvec, depth, window, sql, params, few=WINDOW_IDS) if qvec is not None else []
    lexical = store.lexical_search(terms_asked, depth, sql, params) if terms_asked else []
    return dense, lexical


def _dense(
    store: Store,
    index: VectorIndex,
    qvec,
    depth: int,
    filters: Filters,
    filter_sql: str,
    params: list[object],
    few: int = 0,
) -> list[tuple[int, float]]:
    """The `depth` passages the filters allow closest to `qvec`. `few`: the filters are expected to allow few
    passages (a window of weeks): when they allow at most that many, those are searched by id at once (a FAISS
    search of 2,000 ids: 1.7 ms at 100k passages, against 23 ms for over-fetching and filtering)."""
    if not filters:
        return index.search(qvec, depth)
    if few:
        ids = store.filtered_passage_ids(f"{filter_sql} LIMIT {few + 1}", params)
        if len(ids) <= few:
            return index.search(qvec, depth, allowed=ids)
    # Over-fetch and filter; when the filter is too selective for that, search only the allowed ids.
    wide = index.search(qvec, depth * 8)
    allowed = (
        set(store.filtered_passage_ids(filter_sql + f" AND p.id IN ({','.join(str(i) for i, _ in wide)})", params))
        if wide
        else set()
    )
    kept = [(i, s) for i, s in wide if i in allowed]
    if len(kept) >= depth or len(wide) < depth * 8:
        return kept[:depth]
    return index.search(qvec, depth, allowed=store.filtered_passage_ids(filter_sql, params))


def _boost_recent(hits: list[Hit], now: datetime, half_life_days: float = 30.0, weight: float = 0.5) -> None:
    """Scale fused scores by freshness as of `now` (the question's date), halving every half_life_days: the
    newest hit is not "current" just for being the newest one found."""
    for hit in hits:
        age = max(0.0, (now - hit.published).total_seconds() / 86400) if hit.published else 365.0
        hit.score *= (1 - weight) + weight * math.pow(0.5, age / half_life_days)
