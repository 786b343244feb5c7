"""How an answer moved over time: the distinct answers the news gave to one question, oldest first, each with
the day it was reported, the exact sentence and its citations.

Built from what `ask` already knows. The passages are retrieved without the preference for recent news and
more of them are read (TIMELINE_K against `ask`'s 8: a history spans many reports, and each report counts only
once); each report's best checked answer (answering/candidates.py `supported`: the question's subject in the
passage, the figure asked for, "to 15% from 25%" read as 15%) is kept when it is about as sure as the best one
(`slack`) and the same kind of fact (a rate is not followed by a date). Then, in the order they were reported:
- the same answer in normal form (25% = 25 percent) from another outlet or a later restatement is the same
  step, with all its citations;
- a different answer reported within `same_time_days` of the step's first report, by another article, is not
  a change but a disagreement: the step says "reports differ" — unless its report says what it replaced
  ("raised to 18% from 12%"): that is a change, however soon after;
- otherwise it is a new step; when its report says what it replaced ("doubled to 50% from 25%") and that is not
  the step before, the replaced figure is a step of its own, "before" that report, citing it; when it says the
  change takes effect on a later day ("effective March 1"), the step says so, as `ask` does.
A question the news cannot answer abstains; each step stands on its own by the margin rule (`RULE`: `ask`'s
model of sureness judges one chosen answer, not a step); an answer that never changed is one step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from answering.answer import read
from answering.candidates import add_differing, normal_form, supported
from answering.dates import effective_day
from answering.extract import fact_kind
from answering.figures import change_of
from answering.question import Question
from answering.result import Citation, citation
from answering.weights import RULE, WEIGHTS
from embeddings.search import Filters

TIMELINE_K = 24  # passages read: three times `ask`'s, for reports spread over time
SLACK = 8.0  # a report's answer counts when its score is within this of the best report's


@dataclass
class Step:
    answer: str
    reported: str  # ISO date of the first report of this answer
    citations: list[int]  # the reports that give it
    differ: list[tuple[str, list[int]]] = field(default_factory=list)  # other answers reported at the same time
    before: bool = False  # known only from a later report that says it replaced it: it held before `reported`
    effective: str | None = None  # the later day its report says it takes effect ("effective March 1"), ISO


@dataclass
class Timeline:
    question: str
    steps: list[Step]
    citations: list[Citation]
    abstained: bool = False
    note: str = ""

    @property
    def unchanged(self) -> bool:
        """One answer all along, which no report contradicted."""
        return len(self.steps) == 1 and not self.steps[0].differ

    def to_json(self) -> dict[str, object]:
        return {
            "question": self.question,
            "abstained": self.abstained,
            "note": self.note,
            "steps": [
                {
                    "reported": s.reported,
                    "answer": s.answer,
                    "citations": s.citations,
                    **({"before": True} if s.before else {}),
                    **({"effective": s.effective} if s.effective else {}),
                    **({"reports_differ": [{"answer": a, "citations": c} for a, c in s.differ]} if s.differ else {}),
                }
                for s in self.steps
            ],
            "citations": [
                {k: getattr(c, k) for k in ("n", "article_id", "title", "source", "published", "url", "quote")}
                for c in self.citations
            ],
        }


def timeline(library, question: str, *, since: datetime | None = None, k: int = TIMELINE_K) -> Timeline:
    """The steps of the answer to `question` in the indexed news (reported on or after `since`, if given)."""
    q = Question.read(question)
    hits = library.search(q.query, k=k, filters=Filters(since=since), prefer_recent=False)
    found, why = supported(q, read(q, hits), RULE)  # every step stands on its own: the margin rule
    dated = [c for c in found if c.hit.published and normal_form(c.value)]
    if not dated:
        return Timeline(q.text, [], [], abstained=True, note=why or "the passages that answer it are undated")
    best = max(dated, key=lambda c: c.score)
    kind = fact_kind(best.value)
    per_report = {}
    for c in sorted(dated, key=lambda c: c.score, reverse=True):  # each report once: its best answer
        if c.score >= best.score - SLACK and fact_kind(c.value) == kind:
            per_report.setdefault(c.hit.article_id, c)
    for article_id, c in per_report.items():  # the story's own sentence over its headline, as `ask` quotes it
        if c.span.in_title:
            body = (x for x in dated if x.hit.article_id == article_id and not x.span.in_title)
            per_report[article_id] = next((x for x in body if normal_form(x.value) == normal_form(c.value)), c)
    reports = sorted(per_report.values(), key=lambda c: (c.hit.published, -c.score))
    citations: list[Citation] = []
    steps: list[Step] = []
    starts: list[datetime] = []  # when each step was first reported
    for c in reports:
        n = len(citations) + 1
        citations.append(citation(n, c.hit, c.sentence))
        key = normal_form(c.value)
        step = steps[-1] if steps else None
        if step is not None and normal_form(step.answer) == key:
            step.citations.append(n)
            continue
        old = _replaced(c)  # a report that says what it replaced reports a change, however soon after
        if step is not None and old is None and _same_time(starts[-1], c.hit.published):
            add_differing(step.differ, c.value, n)
            continue
        day = c.hit.published.date().isoformat()
        if old and normal_form(old) != (normal_form(step.answer) if step else None):
            steps.append(Step(old, day, [n], before=True))
            starts.append(c.hit.published)
        takes = effective_day(c.sentence, c.hit.published)  # "cut … to 8%, effective March 1": not before then
        later = takes.isoformat() if takes and takes.isoformat() > day else None
        steps.append(Step(c.value, day, [n], effective=later))
        starts.append(c.hit.published)
    return Timeline(q.text, steps, citations)


def _replaced(c) -> str | None:
    """The figure the report says its answer replaced ("to 50% from 25%": 25%), if it says one: in the answer's
    sentence, or (an answer read from the headline) in a sentence of the passage that gives the same figure."""
    for sentence in [c.sentence, *(text for _, _, text in c.hit.sentence_texts() if text != c.sentence)]:
        if change := change_of(sentence, c.text):
            return sentence[change.old[0] : change.old[1]].strip(" ,.;")
    return None


def _same_time(first: datetime, then: datetime) -> bool:
    return abs((then - first).total_seconds()) <= WEIGHTS.same_time_days * 86400
