"""What an ingest does with a batch before anything is written: each article planned against what is stored
(added, updated, a syndicated copy merged into its story, or unchanged), and the report of what happened."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

import numpy as np

from embeddings import dedupe
from embeddings.chunking import chunk
from embeddings.models import MAX_ARTICLE_CHARS, Article, Passage, plural
from embeddings.store import Store, StoredArticle


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
            f" — {plural(self.passages, 'passage')} embedded"
            + (f"; {len(self.truncated)} cut to their first {MAX_ARTICLE_CHARS:,} characters" if self.truncated else "")
            + (f"; {len(self.teasers)} with the feed's summary only (page not read)" if self.teasers else "")
        )


def content_hash(article: Article) -> str:
    parts = [
        article.title,
        article.text,
        article.source,
        article.url,
        article.published.isoformat() if article.published else "",
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass
class Plan:
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


def plan_batch(store: Store, batch: list[Article]) -> tuple[list[Plan], list[str]]:
    """What each article of the batch becomes given what is stored, and the ids of those that change
    nothing. Plans hold copies of the articles (an update takes the stored id), so planning can be redone."""
    plans: list[Plan] = []
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
        existing = store.find_article(article.id, article.url)
        kind, story_id = "", ""
        if existing:
            if existing.content_hash == digest or _older(article, existing):
                # Same text, or an older version of a story we hold newer text for (a re-sent copy
                # replaced it): nothing to do. Older text never overwrites newer.
                unchanged.append(existing.id)
                continue
            article.id, kind, story_id = existing.id, "updated", existing.story_id
        elif (copy := _near_copy(store, sig, keys, pending)) is None:
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
        plan = Plan(article, story_id, digest, sig, keys, kind, passages)
        earlier = next((n for n, p in enumerate(plans) if p.article.id == article.id), None)
        if earlier is None:
            plans.append(plan)
            continue
        # A newer version of an article planned earlier in this batch (the same outlet's near-copy): it replaces
        # that plan, so one article gets one set of passages. New to the store, it is still "added".
        if plans[earlier].kind == "added":
            plan.kind = "added"
        plans[earlier] = plan
        pending[:] = [x for x in pending if x.id != article.id]
        pending.append(StoredArticle(article.id, story_id, article.source, article.published, digest, sig))
    return plans, unchanged


def _near_copy(store: Store, sig: np.ndarray, keys: list[str], pending: list[StoredArticle]) -> StoredArticle | None:
    """The stored (or pending) article this text is a near-copy of, if any."""
    best, best_sim = None, dedupe.NEAR_COPY
    for candidate in [*store.story_candidates(keys), *pending]:
        if candidate.minhash is None:
            continue
        sim = dedupe.similarity(sig, candidate.minhash)
        if sim >= best_sim:
            best, best_sim = candidate, sim
    return best
