"""The tariff board: every tariff the indexed news reports, one line per (charged by, charged on, goods), with its
rate, its status and day as the news stood on a date, what it replaced, and a citation for every report of it.

The facts come from answering/tariffs.py, read once per passage and kept in the store (`read_news`: the
passages not read yet, so a board call after an ingest reads only what is new; a store's facts read by another
version of the rules are read again). A line is built from its facts in the order they were reported, as
answering/timeline.py builds steps:
- the same rate and kind of status (in force: announced or in effect; paused; lifted; exempted) from another
  report is the same step, with all its citations; an announced rate later said to be in effect is one step;
- a different rate reported within `same_time_days` of the step's first report by another article, which does
  not say what it replaced, is a disagreement: the step shows both figures, as `ask` does;
- otherwise it is a new step; its `replaced` is the rate the report says it replaced, else the step before.
A threat is a line of its own (a threatened rate is never shown as in force), dropped once the line it
threatens is reported again after it.

As of a day (`as_of`, the end of that day, the rule of `ask --as-of`): only reports published by then, and a
rate announced for a day is "in effect" from that day on.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import lru_cache

from answering.candidates import add_differing
from answering.candidates import normal_form as _normal_form
from answering.dates import fmt_day
from answering.result import Citation
from answering.subjects import countries_in
from answering.tariffs import (
    ANNOUNCED,
    IN_EFFECT,
    LIFTED,
    PAUSED,
    STATUSES,
    THREATENED,
    goods_key,
    read_news,
    read_passage,
)
from answering.weights import WEIGHTS
from embeddings.analysis import terms
from embeddings.errors import TradewireError
from embeddings.models import link


# --- the board ---------------------------------------------------------------------------------------------
@dataclass
class Step:
    reported: date  # the first report of it
    rate: str
    status: str  # as reported: one of answering.tariffs.STATUSES
    day: date | None  # the day it takes effect (or its pause ends), when a report says
    citations: list[int]
    replaced: str | None = None
    differ: list[tuple[str, list[int]]] = field(default_factory=list)  # other rates reported at the same time
    articles: set[str] = field(default_factory=set)
    first: float = 0.0  # the first report's time (seconds since the epoch)

    @property
    def kind(self) -> str:
        return "force" if self.status in (IN_EFFECT, ANNOUNCED) else self.status


@dataclass
class Line:
    by: str
    on: str  # '' for every country's goods
    goods: str  # '' for all goods
    qualifier: str
    steps: list[Step]
    as_of: date

    @property
    def now(self) -> Step:
        return self.steps[-1]

    @property
    def key(self) -> str:
        """Which line this is, whatever its rate: a watch compares lines by it."""
        threat = "threat" if self.now.status == THREATENED else ""
        return "|".join([self.by, self.on, goods_key(self.goods), self.qualifier, threat])

    @property
    def status(self) -> str:
        """Its status as of the board's day: an announced rate whose day has come is in effect."""
        s = self.now
        if s.status == ANNOUNCED and s.day and s.day <= self.as_of:
            return IN_EFFECT
        return s.status

    @property
    def day(self) -> date | None:
        """The day that goes with the status: in effect since, announced from, paused until, lifted from."""
        s = self.now
        if self.status == IN_EFFECT:
            return s.day or s.reported
        return s.day

    def when(self) -> str:
        """The status and its day in words: "in effect since May 14, 2026", "from March 1, 2026", "paused until
        July 9, 2026 (that day has passed; no later report)"."""
        day = self.day
        said = fmt_day(day) if day else ""
        if self.status == IN_EFFECT:  # since the day it took effect, when a report says; else when reported
            return (
                f"in effect since {said}"
                if self.now.day or self.now.status == ANNOUNCED
                else f"in effect (reported {fmt_day(self.now.reported)})"
            )
        if self.status == ANNOUNCED:
            return f"announced, from {said}" if day else "announced"
        if self.status == PAUSED:
            if not day:
                return "paused"
            passed = " (that day has passed; no later report)" if day < self.as_of else ""
            return f"paused until {said}{passed}"
        if self.status == LIFTED:
            return (f"to be lifted on {said}" if day > self.as_of else f"lifted on {said}") if day else "lifted"
        return self.status  # threatened, exempted

    def signature(self) -> dict[str, str | None]:
        """What a watch posts a change of: the rate, the status and its day."""
        return {"rate": normal_form(self.now.rate), "status": self.status, "day": _iso(self.day)}

    def to_json(self) -> dict[str, object]:
        s = self.now
        return {
            "key": self.key,
            "charged_by": self.by,
            "charged_on": self.on or None,
            "goods": self.goods or None,
            "qualifier": self.qualifier or None,
            "rate": s.rate,
            "status": self.status,
            "day": _iso(self.day),
            "when": self.when(),
            "reported": s.reported.isoformat(),
            "replaced": s.replaced,
            "citations": s.citations,
            **({"reports_differ": [{"rate": r, "citations": c} for r, c in s.differ]} if s.differ else {}),
            "history": [
                {
                    "reported": x.reported.isoformat(),
                    "rate": x.rate,
                    "status": x.status,
                    "day": _iso(x.day),
                    "citations": x.citations,
                }
                for x in self.steps
            ],
        }


@dataclass
class Board:
    as_of: date
    lines: list[Line]
    citations: list[Citation]
    filters: dict[str, str]
    read: dict[str, int]  # passages read, their sentences with a duty and a rate, those that gave a fact

    def to_json(self) -> dict[str, object]:
        return {
            "as_of": self.as_of.isoformat(),
            "filters": self.filters,
            "lines": [line.to_json() for line in self.lines],
            "citations": [
                {k: getattr(c, k) for k in ("n", "article_id", "title", "source", "published", "url", "quote")}
                for c in self.citations
            ],
            "read": self.read,
        }


def board(
    library,
    *,
    on: str | None = None,
    by: str | None = None,
    product: str | None = None,
    status: str | None = None,
    as_of: datetime | None = None,
) -> Board:
    """The board as the news stood at `as_of` (now if None), its lines filtered: charged `on` a country (the
    lines on every country's goods too), charged `by` one, on a `product` (its words in the line's goods), with
    a `status` (one of answering.tariffs.STATUSES)."""
    filters = {k: v for k, v in (("on", on), ("by", by), ("product", product), ("status", status)) if v}
    wanted_on, wanted_by = _country(on, "charged on"), _country(by, "charged by")
    if status and status not in STATUSES:
        raise TradewireError(f"unknown status {status!r}: one of {', '.join(STATUSES)}")
    product_terms = set(terms(product)) if product else set()
    if product and not product_terms:
        raise TradewireError(f"{product!r} names no product")
    read_news(library)
    until = (as_of or datetime.now(UTC)).astimezone(UTC)
    rows, lines = _lines(library, until)
    shown = [
        line
        for line in lines
        if (not wanted_by or line.by == wanted_by)
        and (not wanted_on or line.on in (wanted_on, ""))
        and (not product_terms or product_terms <= set(terms(line.goods)))
        and (not status or line.status == status)
    ]
    shown, citations = _number(shown, rows, library)
    passages, sentences, used = library.records.tariffs.read_counts()
    read = {"passages": passages, "sentences": sentences, "used": used, "not_used": sentences - used}
    return Board(until.date(), shown, citations, filters, read)


# The lines last built for each library, by what they were built from: a board call with nothing new since
# (the same facts, published by the same time, as of the same day) filters them again without building them.
_BUILT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _lines(library, until: datetime) -> tuple[dict[int, _Fact], list[Line]]:
    """The facts published by `until` (by id) and the board's lines built from them, as of `until`'s day."""
    key = (library.records.tariffs.version_of(until.timestamp()), until.date())
    cached = _BUILT.get(library)
    if cached and cached[0] == key and not library.read_only:
        return cached[1], cached[2]
    rows = [_Fact.of(r) for r in library.records.tariffs.facts(until.timestamp())]
    if library.read_only:
        rows += _unread_facts(library, until)
    lines = build_lines(rows, until.date())
    by_id = {r.id: r for r in rows}
    _BUILT[library] = (key, by_id, lines)
    return by_id, lines


def _country(name: str | None, what: str) -> str | None:
    """The one country a user's filter names, in any case ("china", "Chinese", "US", "Beijing")."""
    if not name:
        return None
    for said in (name, name.title(), name.upper()):
        if found := {m.country for m in countries_in(said)}:
            break
    if len(found) != 1:
        problem = "names no country tradewire knows" if not found else "names several countries; give one"
        raise TradewireError(f"{what} {name!r}: {problem}")
    return found.pop()


@dataclass
class _Fact:
    id: int
    article_id: str
    sentence: str
    in_title: bool
    by: str
    on: str
    goods: str
    goods_key: str
    qualifier: str
    rate: str
    status: str
    day: date | None
    replaced: str | None
    published: float
    article: dict

    @classmethod
    def of(cls, r) -> _Fact:
        return cls(
            int(r["id"]),
            r["article_id"],
            r["sentence"],
            bool(r["in_title"]),
            r["charged_by"],
            r["charged_on"],
            r["goods"],
            r["goods_key"],
            r["qualifier"],
            r["rate"],
            r["status"],
            date.fromisoformat(r["day"]) if r["day"] else None,
            r["replaced"],
            float(r["published_ts"]),
            {k: r[k] for k in ("title", "source", "url", "origin", "published", "story_id")},
        )


def _unread_facts(library, until: datetime) -> list[_Fact]:
    """A read-only library's facts of the passages not read yet, read now in memory."""
    records = library.records.tariffs
    rows = [row for p in records.unread(10**9) if p.published and p.published <= until for row in read_passage(p)[1]]
    articles = records.articles({row["article_id"] for row in rows})  # one query for all of them
    out = []
    for n, row in enumerate(rows, 1):
        day = row["day"]
        out.append(_Fact(-n, row["article_id"], row["sentence"], bool(row["in_title"]), row["charged_by"],
                         row["charged_on"], row["goods"], row["goods_key"], row["qualifier"], row["rate"],
                         row["status"], date.fromisoformat(day) if day else None, row["replaced"],
                         row["published_ts"], articles[row["article_id"]]))  # fmt: skip
    return sorted(out, key=lambda f: f.published)


def build_lines(rows: Iterable[_Fact], as_of: date) -> list[Line]:
    """The board's lines from facts (oldest first), as of a day."""
    by_key: dict[tuple, list[_Fact]] = {}
    for f in _one_per_report(rows):
        threat = f.status == THREATENED
        by_key.setdefault((f.by, f.on, f.goods_key, f.qualifier, threat), []).append(f)
    lines: dict[tuple, Line] = {}
    for key, found in by_key.items():
        steps: list[Step] = []
        for f in found:
            _take(steps, f)
        goods = found[-1].goods
        lines[key] = Line(key[0], key[1], goods, key[3], steps, as_of)
    for key, line in list(lines.items()):  # a threat carried out, or reported again as something else
        if key[4] and (real := lines.get((*key[:4], False))) and real.now.first >= line.now.first:
            del lines[key]
    return sorted(lines.values(), key=lambda x: (x.by, x.on or "~", x.goods, x.qualifier, x.now.status == THREATENED))


def _one_per_report(rows: Iterable[_Fact]) -> list[_Fact]:
    """Each article's fact of a line once: the story's own sentence over its headline."""
    seen: dict[tuple, int] = {}
    out: list[_Fact] = []
    for f in rows:
        key = (f.article_id, f.by, f.on, f.goods_key, f.qualifier, normal_form(f.rate), f.status)
        if key in seen:
            if out[seen[key]].in_title and not f.in_title:
                out[seen[key]] = f
            continue
        seen[key] = len(out)
        out.append(f)
    return out


def _take(steps: list[Step], f: _Fact) -> None:
    """Add one report to a line's steps (module docstring: same step, disagreement, or a new step)."""
    reported = datetime.fromtimestamp(f.published, UTC).date()
    kind = "force" if f.status in (IN_EFFECT, ANNOUNCED) else f.status
    rate = normal_form(f.rate)
    step = steps[-1] if steps else None
    cite = f.id
    if step is not None and step.kind == kind and normal_form(step.rate) == rate:
        if f.article_id not in step.articles:
            step.citations.append(cite)
            step.articles.add(f.article_id)
        if f.status == IN_EFFECT and step.status == ANNOUNCED and not (step.day and step.day > reported):
            step.status = IN_EFFECT  # announced, then reported in effect
        step.day = step.day or f.day
        return
    if (
        step is not None
        and step.kind == kind
        and f.replaced is None
        and abs(f.published - step.first) <= WEIGHTS.same_time_days * 86400
    ):  # another report at the same time, or the same report, that gives another rate without saying it changed
        add_differing(step.differ, f.rate, cite)
        return
    replaced = f.replaced
    if replaced is None and step is not None and step.kind == "force" and kind == "force":
        replaced = step.rate
    steps.append(Step(reported, f.rate, f.status, f.day, [cite], replaced, [], {f.article_id}, f.published))


def _number(lines: list[Line], rows: dict[int, _Fact], library) -> tuple[list[Line], list[Citation]]:
    """The shown lines with their facts numbered as citations (current steps first, then their history; one
    number a sentence of an article, however many facts it gave), and those citations. The lines given are left
    as they are (they may be cached)."""
    number: dict[int, int] = {}  # fact id -> citation number
    by_sentence: dict[tuple[str, str], int] = {}
    first: list[_Fact] = []  # the fact each number was first given for
    for line in lines:
        for s in [line.now, *line.steps[:-1]]:
            for fid in s.citations + [c for _, cs in s.differ for c in cs]:
                f = rows[fid]
                key = (f.article_id, f.sentence)
                if key not in by_sentence:
                    by_sentence[key] = len(first) + 1
                    first.append(f)
                number[fid] = by_sentence[key]
    sources = library.records.tariffs.story_sources([f.article["story_id"] for f in first])
    citations = []
    for n, f in enumerate(first, 1):
        a = f.article
        citations.append(
            Citation(
                n,
                f.article_id,
                a["title"],
                a["source"],
                a["published"],
                link(a["url"], a["origin"]),
                f.sentence,
                sources(a["story_id"], f.article_id),
            )  # fmt: skip
        )

    def numbered(s: Step) -> Step:
        return replace(
            s,
            citations=list(dict.fromkeys(number[i] for i in s.citations)),
            differ=[(r, list(dict.fromkeys(number[i] for i in cs))) for r, cs in s.differ],
        )

    return [replace(line, steps=[numbered(s) for s in line.steps]) for line in lines], citations


@lru_cache(maxsize=4096)
def normal_form(rate: str) -> str:
    """A rate's normal form ("25%" and "25 percent" are one), cached: a board compares each report's rate."""
    return _normal_form(rate)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
