"""The daily brief: a period's stories grouped by event and ranked, at most eight lines.

A story here is what the knowledge base already keeps as one (syndicated near-copies are one story with several
sources, embeddings/dedupe.py). Stories are grouped by *meaning*, so that follow-ups and other outlets' own
write-ups of one event are one line: two stories are one event when the cosine of their lead passages' vectors is at
least GROUP_COSINE, and groups are joined through their members (single link). Events are ranked by how many
distinct sources carry them, then by how recent their newest story is. Each line gives the event's headline (its
best-carried story's, the newest of equals), that story's first sentence quoted exactly, the number of sources
and a link. A topic keeps only the events with a story about it (`Library.about`, the rule `latest --topic`
uses)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from embeddings.chunking import split_sentences
from embeddings.models import ArticleSummary

# Judged on real news (RealTime QA's 1,835 search results and gold articles, 2022-2024, grouped a week at a
# time; docs/benchmarks.md, "Daily brief: grouping judged"): at 0.72, 47 of 50 sampled groups were one event but
# 19 of 20 pairs just below it were one event split in two; at 0.68 about 82% of the new joins are right and it
# still keeps apart different tariff stories of one season (0.61-0.67 on the demo's).
GROUP_COSINE = 0.68
MAX_EVENTS = 8


@dataclass
class Event:
    stories: list[ArticleSummary]  # oldest first
    lead: str  # the headline story's first sentence, exactly
    headline: ArticleSummary = field(init=False)

    def __post_init__(self) -> None:
        self.headline = max(self.stories, key=lambda s: (len(_sources([s])), _ts(s)))  # then the newest

    @property
    def sources(self) -> list[str]:
        return _sources(self.stories)

    @property
    def newest(self) -> datetime | None:
        return max((s.published for s in self.stories if s.published), default=None)


@dataclass
class Brief:
    since: datetime
    until: datetime
    topic: str | None
    events: list[Event]
    stories: int  # stories in the period (about the topic, when there is one), before the cut to MAX_EVENTS

    def to_json(self) -> dict[str, object]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "topic": self.topic,
            "stories": self.stories,
            "events": [
                {
                    "headline": e.headline.title,
                    "lead": e.lead,
                    "sources": e.sources,
                    "url": e.headline.link,
                    "published": e.headline.published.isoformat() if e.headline.published else None,
                    "stories": [s.id for s in e.stories],
                }
                for e in self.events
            ],
        }


def brief(library, *, since: datetime, until: datetime, topic: str | None = None, limit: int = MAX_EVENTS) -> Brief:
    """The events of the stories first reported in [since, until), best carried first."""
    found = library.stories_between(since, until)
    vectors = library.index.vectors([pid for _, pid, _ in found])
    groups = _single_link([vectors.get(pid) for _, pid, _ in found])
    events = [Event([found[m][0] for m in members], "") for members in groups]
    leads = {story.id: lead for story, _, lead in found}
    for event in events:
        event.lead = _first_sentence(leads[event.headline.id])
    if topic:
        about = library.about(topic, [s.id for e in events for s in e.stories])
        events = [e for e in events if any(s.id in about for s in e.stories)]
    events.sort(key=lambda e: (len(e.sources), e.newest.timestamp() if e.newest else 0.0), reverse=True)
    return Brief(since, until, topic, events[:limit], sum(len(e.stories) for e in events))


def _single_link(vectors: list[np.ndarray | None], block: int = 2048) -> list[list[int]]:
    """Groups of indexes: the connected parts of the graph whose edges join two vectors of cosine at least
    GROUP_COSINE (single link), each group in index order, groups in the order of their first member. The
    cosines are taken a block of rows at a time (10,000 stories: 10^8 products, not held at once)."""
    parent = list(range(len(vectors)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    have = [i for i, v in enumerate(vectors) if v is not None]
    if have:
        matrix = np.stack([vectors[i] for i in have]).astype(np.float32)
        for start in range(0, len(have), block):
            sims = matrix[start : start + block] @ matrix.T
            for a, b in zip(*np.nonzero(sims >= GROUP_COSINE), strict=True):
                i, j = have[start + int(a)], have[int(b)]
                if i < j:
                    parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(vectors)):
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])


def _sources(stories: list[ArticleSummary]) -> list[str]:
    names = [n for s in stories for n in [s.source, *s.also_sources] if n]
    return list(dict.fromkeys(names))


def _ts(story: ArticleSummary) -> float:
    return story.published.timestamp() if story.published else 0.0


_NOT_A_LEAD = re.compile(
    r"^(?:editor'?s note|©|copyright|correction|clarification|a version of this story|this story|sign up|subscribe"
    r"|updated|published)\b",
    re.I,
)


def _first_sentence(text: str) -> str:
    """The lead's first sentence that reads as one: not a dateline ("CNN —"), a byline or a notice (about half
    of the first sentences of real news pages are one of those)."""
    sentences = [text[a:b].strip() for a, b in split_sentences(text)]
    for sentence in sentences:
        if len(sentence.split()) >= 6 and not _NOT_A_LEAD.match(sentence):
            return sentence
    return sentences[0] if sentences else text.strip()
