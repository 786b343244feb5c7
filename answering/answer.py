"""Question -> Answer: the retrieval plan (as of the question's date, its source, a follow-up's context), the
trained reader over the retrieved passages, the evidence combined across passages, abstention, citations.

Extractive on purpose: every answer is a span of a sentence that is quoted exactly, so a citation can never
say something its source does not. How spans are weighed against each other:
- a span's `margin` is the reader's score for it less its passage's no-answer score (answering/reader.py);
- its score adds the passage's similarity to the question (`dense_weight`), the share of the question's words
  its sentence holds, each weighed by how few of the retrieved passages hold it (`overlap`), and, for each other
  article that gives the same answer, `agreement` (syndicated copies and follow-up stories corroborate it);
- a span must be the kind of thing asked: a country for "which country" (said by its name, in the region
  asked), a name for who, where and which, a count for "how many"; a dateline never answers;
- a span answers when its margin plus `sure_overlap` times that share of the question's words reaches
  `min_margin`; when none is left, `ask` abstains;
- a question about the current state of things ("what is the duty on ...") is read from passages that prefer
  the weeks before its day (`retrieve`), and takes the newest article's answer among those within
  `recent_slack` of the best; for a figure (a rate, an amount), the newest report that gives a figure of that
  kind about what it asks, however much surer the reader is of an older one; its "as of" says which report that
  is, and a figure whose newest report is over a year older than the question says so (`note`);
- a figure must be the one asked (answering/figures.py): a rate for a duty, never the value of the goods it
  covers; in force, not threatened, averted, forecast or past; the one that stands with the country asked;
- a month the question names ("... in June?") counts for that month's reports and against others (`month`);
- a newer report that names the answer as the figure it replaced ("cut to 15% from 25%") gives the answer
  instead, and a span that is such a replaced figure answers with the new one;
- other answers that cannot be true with it (the same kind of fact, from other articles reported within
  `same_time_days`, within `disagree_slack` of its score) are returned as its `disagreement`.
`Weights` says which constants were chosen on RealTime QA questions of 2020-2021 (`python -m bench.quality
--calibrate`) and which by hand; none was chosen on the 2022-2024 questions the benchmarks report.

One module: `decide` and the checks each candidate passes (subject, figure, kind of fact) are one decision read
top to bottom; question analysis lives in answering/question.py, subjects and figures in their own modules.
"""

from __future__ import annotations

import logging
import math
import re
import string
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from answering import figures
from answering.dates import change_day, days_of, effective_day, find_dates
from answering.extract import fact_kind
from answering.question import (
    AnswerType,
    answer_type,
    asked_part,
    asks_ahead,
    asks_country,
    asks_duty,
    asks_winner,
    counted_words,
    election_asked,
    election_kinds,
    election_said,
    in_months,
    months_named,
    office_asked,
    period_named,
    win_said,
    years_named,
)
from answering.reader import Reader, Span, Window
from answering.result import MAX_CITATIONS, Answer, Coming, Disagreeing, Was, abstention, citation
from answering.subjects import CALENDAR, Roles, Subjects, countries_in, lies_in, roles, subjects
from embeddings.analysis import terms, terms_held
from embeddings.models import Hit

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class Weights:
    # dense_weight and agreement: the best of 660 settings by `python -m bench.quality --calibrate` (RealTime QA
    # 2020-2021, 600 questions), for the reader before its near-miss training. The abstention (min_margin,
    # sure_overlap) and overlap: searched together by `--calibrate --grid` on those questions and checked on the
    # near-miss set of our own stories (`python -m bench.near_miss --curve`; docs/benchmarks.md). A span answers
    # when its reader margin plus `sure_overlap` times the share of the question's words its sentence holds
    # (weighed by rarity) reaches `min_margin`: a sentence that says what the question asks needs less of the
    # reader's certainty than one that shares none of its words. Of the 150 settings, those that abstain on the
    # unanswerable quiz questions at least as often as margin -10 alone did (0.784), -8 with 12 answers the most
    # (answer hit 0.348 against 0.308, cited right 0.485 against 0.454; near misses abstained 0.958 either way).
    min_margin: float = -8.0
    sure_overlap: float = 12.0
    # Added to a span's score for that share: the best of 0-8 in the same search.
    overlap: float = 4.0
    dense_weight: float = 8.0
    agreement: float = 0.5
    recent_slack: float = 1.5
    # For and against a report when the question names its month ("in June"), or a period before its "now"
    # ("this week", "yesterday"): set by hand.
    month: float = 3.0
    # Another answer is a disagreement when its score is within this of the chosen one's, it is the same kind of
    # thing (a rate, an amount, a date), it comes from other articles, and its reports are within
    # `same_time_days` of the chosen ones (set by hand; docs/benchmarks.md measures how often it fires).
    disagree_slack: float = 4.0
    same_time_days: float = 3.0
    sure: float = 0.0  # ... and its reader margin is at least this (the reader finds it answers)


WEIGHTS = Weights()
# The longest question `ask` takes. The reader reads a question's first 48 word pieces (about 250 characters of
# English); a quiz question with a sentence of context before it runs longer (at most 364 characters among
# RealTime QA's 6,613), and the rest still helps find passages. `/ask` takes as many.
MAX_QUESTION_CHARS = 500
_reader = Reader()


def warm_up() -> None:
    """Load what answering with the reader needs before the first question comes: the reader's ONNX session
    (whose load releases the GIL, so a thread can do it while the caller opens the knowledge base and searches)
    and the table of countries. Problems are left for the question itself to report."""
    try:
        if _reader.available():
            _reader.load()
        countries_in("")
    except Exception:  # noqa: BLE001 - the question's own path raises it again, with its message
        log.debug("warm-up failed", exc_info=True)


def parse_when(value: str | None) -> datetime | None:
    """A user's date ("2025-04-01", "April 1, 2025", "yesterday") as the end of that day, UTC."""
    if not value:
        return None
    import dateparser

    from embeddings.errors import TradewireError

    parsed = dateparser.parse(value, languages=["en"], settings={"TIMEZONE": "UTC", "RETURN_AS_TIMEZONE_AWARE": True})
    if parsed is None:
        raise TradewireError(f"cannot read the date {value!r} (try 2025-04-01)")
    if not re.search(r"\d{1,2}:\d{2}", value):
        parsed = parsed.replace(hour=23, minute=59, second=59)
    return parsed


def parse_since(value: str | None) -> datetime | None:
    """A user's date as the start of that day, UTC: where a period begins (`--since`)."""
    when = parse_when(value)
    return when.replace(hour=0, minute=0, second=0, microsecond=0) if when else None


def ask(
    library,
    question: str,
    *,
    as_of: datetime | None = None,
    source: str | None = None,
    k: int = 8,
    mode: str = "hybrid",
    context: str = "",
) -> Answer:
    """Retrieve and answer: the one path the CLI, the bot and the benchmarks share. `context`: the earlier
    question when this one follows up on it."""
    question, context = checked(question, context)
    hits = retrieve(library, question, as_of=as_of, source=source, k=k, mode=mode, context=context)
    result = decide(question, read(question, hits, context=context, as_of=as_of or datetime.now(UTC)))
    return with_empty_note(library, result)


def checked(question: str, context: str = "") -> tuple[str, str]:
    """The question and its context with their spaces made single, or a one-line error: empty, or too long."""
    from embeddings.errors import TradewireError

    question = " ".join(question.split())
    context = " ".join(context.split())
    if not question:
        raise TradewireError("the question is empty")
    if len(question) > MAX_QUESTION_CHARS:
        raise TradewireError(f"the question is {len(question):,} characters; the limit is {MAX_QUESTION_CHARS:,}")
    return question, context


def with_empty_note(library, result: Answer) -> Answer:
    """An abstention over an empty knowledge base says how to fill it."""
    if result.abstained and library.document_frequencies([])[1] == 0:
        result.note = "the knowledge base is empty: run `tradewire ingest PATH_OR_URL` (or try `tradewire demo`)"
    return result


def retrieve(
    library,
    question: str,
    *,
    as_of: datetime | None = None,
    source: str | None = None,
    k: int = 8,
    mode: str = "hybrid",
    context: str = "",
) -> list[Hit]:
    """The passages `ask` reads: published by `as_of`, from `source`; a question about the current state of
    things prefers the reports of the weeks before its day (a rate of 2018 is not the rate of 2025), and one about
    a figure now also reads the best of those reports ranked on their own (RECENT_WINDOW_DAYS)."""
    from embeddings.search import RECENT_WINDOW_DAYS, Filters

    query = f"{question} {context}" if context else question
    now = _asks_about_now(question)
    recent = True if now else None  # None: the search's own reading of the words
    days = RECENT_WINDOW_DAYS if now and figures.Wanted.of(question).measure else 0
    filters = Filters(until=as_of, source=source)
    return library.search(query, k=k, filters=filters, mode=mode, prefer_recent=recent, recent_days=days)


@dataclass
class Reading:
    """What the reader found in the retrieved passages, before anything is decided from it."""

    question: str
    hits: list[Hit]
    spans: list[Span]
    nulls: list[float]
    rarity: dict[str, float] = field(default_factory=dict)  # the question's words, each its weight (rarity())
    as_of: datetime | None = None  # the question's "now": "this week" is the week before it


# The reader's best spans kept of each passage: when its best reading fails a check ("anti-dumping" for a duty
# asked), its next ones ("25%", "9%" of the next sentence) may not.
SPANS_PER_PASSAGE = 8


def read(question: str, hits: list[Hit], *, context: str = "", as_of: datetime | None = None) -> Reading:
    """Run the reader over the passages (a follow-up is read with the question it follows). `as_of`: the
    question's "now", which "this week" and "yesterday" count back from."""
    if not hits:
        return Reading(question, [], [], [], as_of=as_of)
    asked = f"{question} {context}" if context else question  # the question first: the reader caps its length
    # The headline without the site's name a page appends ("… | CNN Politics"): a prefix of the title, so a
    # headline span's offsets stay the title's.
    spans, nulls = _reader.read(asked, [Window(h.text, h.headline) for h in hits], top=SPANS_PER_PASSAGE)
    return Reading(question, hits, spans, nulls, rarity(question, hits), as_of)


def rarity(question: str, hits: list[Hit]) -> dict[str, float]:
    """Each of the question's words weighed by how few of the retrieved passages hold it, log(1 + k/(1 + n)): a
    word every passage holds cannot tell their sentences apart."""
    words = _words(asked_part(question) or question)
    held = [_words(f"{h.title}\n{h.text}", words) & words for h in hits]
    return {w: math.log(1 + len(hits) / (1 + sum(w in h for h in held))) for w in words}


@dataclass
class _Candidate:
    span: Span
    hit: Hit
    sentence: str  # the sentence of the article that holds the span, exactly
    text: str  # the span as written, trimmed to its sentence
    value: str  # what the answer line shows ("March 23, 2025" for "Sunday")
    score: float
    share: float = 0.0  # of the question's words, weighed by rarity, that its sentence holds


def supported(question: str, reading: Reading, weights: Weights = WEIGHTS) -> tuple[list[_Candidate], str]:
    """The answers the passages support, each placed in its sentence and checked (the question's subject is in
    its passage, a figure is the one asked for, a name names someone), and when there is none, why."""
    atype = answer_type(question)
    if not reading.hits:
        return [], "nothing indexed matches the question"
    # A span answers when its margin over its passage's no-answer score reaches min_margin; of the spans that
    # overlap in one passage ("50% from 25%", "25%"), the reader's best reading that passes the checks stands
    # for them all.
    lowest = weights.min_margin - weights.sure_overlap
    answering = _non_overlapping([s for s in reading.spans if s.margin >= lowest])
    months = months_named(question)
    # A passage answers only about what the question names: "When is Australia's election?" is not answered by
    # a story about Canada's, however sure the reader is of the date in it (answering/subjects.py).
    named = subjects(asked_part(question) or question)
    # A span read as the answer that is a country is no other subject of its passage only when a country is
    # asked ("Which European nation …?" is answered by "Germany"; "Who won …?" is not by "Argentina").
    country_asked = asks_country(question)[0]
    read_as = {w: [s.text for s in answering if s.window == w and country_asked] for w in range(len(reading.hits))}
    missing = {w: named.missing(f"{h.title}\n{h.text}", read_as[w]) for w, h in enumerate(reading.hits)}
    asked = _read_question(question, named, reading.rarity)
    days = period_named(question)
    since = reading.as_of - timedelta(days=days) if days and reading.as_of else None
    # Of spans that overlap, the best that passes the checks stands for them: "anti-dumping duty" is no rate, the
    # reader's next reading of the same words, "17% anti-dumping duty", is.
    found: list[_Candidate] = []
    for s in sorted(reading.spans, key=lambda s: s.margin, reverse=True):
        if s.margin < lowest or missing[s.window] or any(_overlap_spans(c.span, s) for c in found):
            continue
        if c := _candidate(s, reading.hits[s.window], atype, weights, months, asked, since):
            found.append(c)
    found = [c for c in found if c.span.margin + weights.sure_overlap * c.share >= weights.min_margin]
    if found:
        return found, ""
    gaps = sorted({m for s in answering for m in missing[s.window]})  # what the readable passages lack ...
    if gaps:  # ... and none of the passages read mentions (another passage may name what one lacks)
        gaps = [g for g in gaps if g in named.absent([f"{h.title}\n{h.text}" for h in reading.hits])]
    if gaps:
        said = [_as_asked(g, question) for g in gaps[:3]]
        return [], f"the closest passages do not mention {' or '.join(said)}"
    return [], "the closest passages do not answer the question"


def _as_asked(subject: str, question: str) -> str:
    """A subject as the question writes it: a product is held as an analysed term ("coffe"), said as "coffee"."""
    return next((w for w in re.findall(r"[\w'’-]+", question) if terms(w) == [subject]), subject)


def decide(question: str, reading: Reading, weights: Weights = WEIGHTS) -> Answer:
    """The answer the passages best support, with corroborating citations, or an abstention."""
    atype = answer_type(question)
    found, why = supported(question, reading, weights)
    if not found:
        return abstention(question, why, atype.value)
    groups: dict[str, list[_Candidate]] = {}
    for c in found:
        if key := normal_form(c.value):
            groups.setdefault(key, []).append(c)
    ranked = []
    for members in groups.values():
        members.sort(key=lambda c: c.score, reverse=True)
        articles = {c.hit.article_id for c in members}
        ranked.append((members[0].score + weights.agreement * (len(articles) - 1), members))
    if not ranked:
        return abstention(question, "the closest passages do not answer the question", atype.value)
    ranked.sort(key=lambda r: r[0], reverse=True)
    best_score, members = ranked[0]
    if _asks_about_now(question):
        # Reports differ over time: the newest report close to the best is the current state; for a figure, the
        # newest report that gives a figure of the kind asked about the question's subject (a candidate that
        # answers on its own: it passed the abstention rule), however much surer the reader is of an older one (a
        # rate of 2018 is not the rate of 2025).
        figure = fact_kind(members[0].value) in _FIGURE_FACTS
        rate = figures.rate_named(asked_part(question) or question)
        close = [
            r
            for r in ranked
            if (figure or r[0] >= best_score - weights.recent_slack)
            and _newest(r[1])
            and _same_fact(question, r, ranked[0], rate)
        ]
        if close:
            best_score, members = max(close, key=lambda r: (_newest(r[1]), r[0]))
        best_score, members = _replacement(best_score, members, ranked)
        replaced = _prior(members, ranked)
    else:
        replaced, close = None, []
    top = members[0]
    if top.span.in_title:  # the story's own sentence says what its headline does, with its context: quote that
        top = next((c for c in members if c.hit.article_id == top.hit.article_id and not c.span.in_title), top)
        members = [top, *(c for c in members if c is not top)]
    chosen = [top]
    for c in members[1:]:  # other articles giving the same answer corroborate it
        if len(chosen) >= MAX_CITATIONS:
            break
        if c.hit.article_id not in {x.hit.article_id for x in chosen}:
            chosen.append(c)
    about_now = fact_kind(top.value) in _FIGURE_FACTS and _asks_about_now(question)
    change = figures.change_of(top.sentence, top.text) if about_now else None
    day = effective_day(top.sentence, top.hit.published) if about_now else None
    if day and day > (reading.as_of or datetime.now(UTC)).date():
        # Announced for a later day: in force until then is what the announcement says it replaces ("from 12%"),
        # else the newest older report's figure of the same thing.
        older = [g for _, g in close if g is not members and _later(top.hit.published, _newest(g))]
        return _announced(question, atype, top, chosen, change, day, replaced or max(older, key=_newest, default=None))
    rivals = _disagreeing(question, members, best_score, ranked, weights)
    before = [replaced[0]] if replaced else []
    cited = [*chosen, *before, *(r[0] for r in rivals)]
    dated = [c.hit.published for c in cited if c.hit.published]  # as of the newest article cited
    since = _newest(members)
    was = _was(before[0], members, len(chosen) + 1) if before else None
    if was is None and change and day and since:  # "cut … to 8% from 12%, effective March 1": its own "from"
        was = Was(top.sentence[change.old[0] : change.old[1]], day.isoformat(), [1], since.date().isoformat())
    return Answer(
        question=question,
        answer=top.value,
        abstained=False,
        as_of=max(dated).date().isoformat() if dated else None,
        citations=[citation(i, c.hit, c.sentence) for i, c in enumerate(cited, 1)],
        answer_type=atype.value,
        span=top.text,
        disagreement=[
            Disagreeing(top.value, list(range(1, len(chosen) + 1))),
            *(Disagreeing(r[0].value, [len(chosen) + len(before) + i]) for i, r in enumerate(rivals, 1)),
        ]
        if rivals
        else [],
        was=was,
        note=_stale(since, reading.as_of) if about_now else "",
    )


def _announced(
    question: str,
    atype: AnswerType,
    top: _Candidate,
    chosen: list[_Candidate],
    change: figures.Change | None,
    day: date,
    earlier: list[_Candidate] | None,
) -> Answer:
    """A change announced for a day after the question's ("will cut … to 8% from 12%, effective March 1,
    2027"): the answer is the figure in force until then, as the announcements say it ("from 12%") or an older
    report gave it (`earlier`), with the change to come, its day and the announcements cited. When the news
    gives no figure before it, the announced one is the answer, said to apply only from that day."""
    old = top.sentence[change.old[0] : change.old[1]] if change else (earlier[0].value if earlier else "")
    agreeing = [earlier[0]] if earlier and normal_form(earlier[0].value) == normal_form(old) else []
    cited = [*chosen, *agreeing]
    dated = [c.hit.published for c in cited if c.hit.published]
    coming = Coming(top.value, day.isoformat(), list(range(1, len(chosen) + 1)))
    return Answer(
        question=question,
        answer=old or top.value,
        abstained=False,
        as_of=max(dated).date().isoformat() if dated else None,
        citations=[citation(i, c.hit, c.sentence) for i, c in enumerate(cited, 1)],
        answer_type=atype.value,
        span=old or top.text,
        coming=coming if old else None,
        note="" if old else f"in force from {day:%b} {day.day}, {day.year}; the news indexed gives no figure before it",
    )


STALE_DAYS = 365  # an answer whose newest report is older than this, as of the question, says so


def _stale(reported: datetime | None, now: datetime | None) -> str:
    """ "the newest report that gives it is from Sep 18, 2018": said plainly when a figure asked as it stands now
    comes from a report that old, since nothing newer in the news indexed gives it."""
    if reported is None or now is None or (now - reported).days <= STALE_DAYS:
        return ""
    return f"the newest report that gives it is from {reported:%b} {reported.day}, {reported.year}"


_FIGURE_FACTS = (AnswerType.PERCENT, AnswerType.MONEY)


def _same_fact(
    question: str, group: tuple[float, list[_Candidate]], best: tuple[float, list[_Candidate]], rate: frozenset[str]
) -> bool:
    """Another answer gives the same kind of fact as the best one, about the same thing: a figure of the same kind
    (a rate for a rate), not a part the question does not ask about ("the tariff tied to fentanyl" for the tariff
    on Chinese goods), in a sentence that names the rate asked or else holds about as many of the question's
    words (`rate`: figures.rate_named of the question)."""
    if group is best:
        return True
    one, other = best[1][0], group[1][0]
    kind = fact_kind(one.value)
    if kind not in _FIGURE_FACTS:
        return True
    if fact_kind(other.value) != kind:
        return False
    at = other.sentence.find(other.text)
    if at >= 0 and figures.part_of(other.sentence, (at, at + len(other.text)), question):
        return False
    if rate:
        return True  # both sentences name the rate asked (`_candidate` checked it), however they word the rest
    asked = set(terms(question))
    return len(asked & set(terms(other.sentence))) >= len(asked & set(terms(one.sentence))) - 1


def _was(older: _Candidate, members: list[_Candidate], n: int) -> Was | None:
    """The answer a newer report replaced: until the day the change takes or took effect when the report says
    ("effective Dec 1", "was cut … on Friday"), else only that a report changed it (the first report of the new
    answer after the older one: its date is not the day the change applies)."""
    newer = members[0]
    after = [c.hit.published for c in members if c.hit.published and _later(c.hit.published, older.hit.published)]
    if not after:
        return None
    day = effective_day(newer.sentence, newer.hit.published) or change_day(
        newer.sentence, newer.hit.published, max(0, newer.sentence.find(newer.text))
    )
    return Was(older.value, day.isoformat() if day else None, [n], min(after).date().isoformat())


def _later(one: datetime, other: datetime | None) -> bool:
    return other is None or one > other


def _replacement(
    score: float, members: list[_Candidate], ranked: list[tuple[float, list[_Candidate]]]
) -> tuple[float, list[_Candidate]]:
    """A newer report that says it replaced the answer ("cut to 15% from 25%") gives the current answer, however
    much surer the reader is of the old figure; followed through a chain of changes (25% -> 15% -> 40%)."""
    seen = {id(members)}
    while True:
        when, old = _newest(members), members[0].text.lower()
        newer = [
            (s, g)
            for s, g in ranked
            if id(g) not in seen and when is not None and (_newest(g) or when) > when and _replaced(old, _said(g))
        ]
        if not newer:
            return score, members
        score, members = max(newer, key=lambda r: (_newest(r[1]), r[0]))
        seen.add(id(members))


def _prior(members: list[_Candidate], ranked: list[tuple[float, list[_Candidate]]]) -> list[_Candidate] | None:
    """The older answer the chosen report says it replaced ("raised to 40% from 15%" -> the 15% group), if the
    passages hold it."""
    when = _newest(members)
    said = _said(members)
    older = [
        g for _, g in ranked if g is not members and when and (_newest(g) or when) < when and _replaced(g[0].text, said)
    ]
    return max(older, key=lambda g: _newest(g) or when) if older else None


def _said(group: list[_Candidate]) -> str:
    """The sentences a group's answer is given in, lower case, for `_replaced`."""
    return " ".join(c.sentence for c in group).lower()


def _replaced(figure: str, text: str) -> bool:
    """`text` (lower case) names `figure` as what was replaced: "... to 15% from 25% ..." for 25%."""
    return re.search(r"\bfrom\s+" + re.escape(figure.lower()) + r"(?!\w)", text) is not None


MAX_RIVALS = 2


def _disagreeing(
    question: str,
    members: list[_Candidate],
    best_score: float,
    ranked: list[tuple[float, list[_Candidate]]],
    weights: Weights,
) -> list[tuple[_Candidate, float]]:
    """Other answers that cannot be true with the chosen one: well supported, the same kind of fact about the
    same thing (its sentence holds about as many of the question's words as the answer's does), from other
    articles, reported at about the same time, and not what the chosen report says it replaced ("to 50% from
    25%" makes 25% history, not a disagreement)."""
    top = members[0]
    kind = fact_kind(top.value)
    if kind is None:
        return []
    asked = set(terms(question))
    subject = len(asked & set(terms(top.sentence)))
    ours = {c.hit.article_id for c in members}
    when = _newest(members)
    said = _said(members)
    rivals = []
    for score, group in ranked:
        other = group[0]
        if group is members or score < best_score - weights.disagree_slack or fact_kind(other.value) != kind:
            continue
        if other.span.margin < weights.sure:
            continue
        if len(asked & set(terms(other.sentence))) < subject - 1:
            continue  # a figure of the same kind about something else ("45% of voters want him to run")
        if ours & {c.hit.article_id for c in group}:
            continue  # one article giving two figures is two facts (a rate and its retaliation), not a dispute
        then = _newest(group)
        if when is None or then is None or abs((when - then).total_seconds()) > weights.same_time_days * 86400:
            continue  # reports far apart in time: a change, not a disagreement
        if _replaced(other.text, said) or _replaced(top.text, _said(group)):
            continue  # one report names the other's figure as the one it replaced: a change, in time
        rivals.append((other, score))
    return rivals[:MAX_RIVALS]


_EDGE_PUNCTUATION = " \t\n,;:!?\"'“”‘’()[]"  # and a full stop, unless it ends an abbreviation ("U.S.", "Inc.")
_ABBREVIATION_END = re.compile(r"(?:\b[A-Za-z]\.|\b(?:Inc|Corp|Co|Ltd|Jr|Sr|St|Gov|Sen|Rep)\.)$")


def _non_overlapping(spans: list[Span]) -> list[Span]:
    """Best first, leaving out a span that overlaps a better one of the same passage (or headline)."""
    kept: list[Span] = []
    for s in sorted(spans, key=lambda s: s.margin, reverse=True):
        if not any(_overlap_spans(k, s) for k in kept):
            kept.append(s)
    return kept


def _overlap_spans(k: Span, s: Span) -> bool:
    return k.window == s.window and k.in_title == s.in_title and k.start < s.end and s.start < k.end


@dataclass(frozen=True)
class _Asked:
    """What the question asks about, read once: its text, what it names, who charges and who pays, the
    countries it names, what a "how many" counts, and its words' weights."""

    question: str
    subjects: Subjects
    roles: Roles
    rarity: dict[str, float] = field(default_factory=dict)
    country: _CountryAsked | None = None  # "Which country …?"; None when the question asks no country
    countries: frozenset[str] = frozenset()  # the countries the whole question names
    counted: frozenset[str] = frozenset()  # counted_words(question)
    rate: frozenset[str] = frozenset()  # the words that name the rate it asks about (figures.rate_named)
    wanted: figures.Wanted | None = None  # the kind of figure it asks for, and whether it asks what holds now
    years: frozenset[int] = frozenset()  # the years it pins its time to (question.years_named)
    winner: bool = False  # it asks who won an election (question.asks_winner)
    elections: frozenset[str] | None = None  # the kinds of election it asks about (question.election_asked)
    office: frozenset[str] = frozenset()  # the terms of the office a "who is" asks for (question.office_asked)
    duty: bool = False  # "What duty …?": it asks a rate, so only a rate or an amount answers
    ahead: bool = False  # "When will …?": a day still to come when it was reported (question.asks_ahead)


def _read_question(question: str, named: Subjects, rarity: dict[str, float]) -> _Asked:
    countries = frozenset(m.country for m in countries_in(question))
    asks, region = asks_country(question)
    return _Asked(
        question,
        named,
        roles(asked_part(question) or question),
        rarity,
        _CountryAsked(countries, region) if asks else None,
        countries,
        frozenset(counted_words(question)),
        figures.rate_named(asked_part(question) or question),
        figures.Wanted.of(question, now=_asks_about_now(question)),
        frozenset(years_named(question)),
        asks_winner(question),
        None if (kinds := election_asked(question)) is None else frozenset(kinds),
        frozenset(terms(" ".join(office_asked(question)))),
        asks_duty(question),
        asks_ahead(question),
    )


@dataclass(frozen=True)
class _CountryAsked:
    """A "which country" question's answer is a country it does not name itself ("Canada expelled which
    country's ambassador?"), in the region it says ("which Asian country")."""

    named: frozenset[str]
    region: str | None

    def allows(self, country: str) -> bool:
        return country not in self.named and (self.region is None or lies_in(country, self.region))


def _dateline(sentence: str) -> bool:
    """ "CNN —", "New York CNN Business —": a dateline or a byline left standing as a sentence: it says nothing."""
    return len(sentence.split()) <= 6 and sentence.rstrip().endswith(("—", "–", "-"))


# Answer types for which a figure in the span is the answer, chosen by answering/figures.py; so it is when the
# question asks about a duty ("What US tariff will Korean goods face?").
_FIGURE_TYPES = {AnswerType.PERCENT, AnswerType.MONEY, AnswerType.QUANTITY, AnswerType.NUMBER, AnswerType.GENERIC}
_ASKS_DUTY = re.compile(r"\b(?:tariffs?|dut(?:y|ies)|levy|levies|rates?)\b(?!-free)", re.I)
_FIGURE_LIKE = re.compile(r"\d")
_COUNT = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|thousands?|"
    r"millions?|billions?|half|none|no)\b",
    re.I,
)
# Answer types that name someone or something: the span must hold a proper name.
_NAMED_TYPES = {AnswerType.PERSON, AnswerType.ORG, AnswerType.WHO}
_PLACE_TYPES = {AnswerType.PLACE, AnswerType.LOCALITY}
_TIME_UNITS = r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centuries)"
_DURATION = re.compile(rf"\b{_TIME_UNITS}\b", re.I)
_ASKS_DURATION = re.compile(rf"\bhow (?:many (?:more |fewer |\w+ )?{_TIME_UNITS}|long|old|soon)\b", re.I)
# Answers that are a name, which an apposition after a comma only describes.
_NAME_TYPES = {*_NAMED_TYPES, *_PLACE_TYPES, AnswerType.NAME, AnswerType.TITLE}
_APPOSITION = re.compile(r",\s+(?!(?:and|or|but|nor)\b)(?=(?:a|an|the|who|which|whose|where|[a-z][\w-]*)\b)")
_PROPER = re.compile(r"(?<![\w'’])[A-Z][\w'’.-]*")


def _event_held(asked: _Asked, hit: Hit, story: str, sentence: str, span: str) -> bool:
    """What the question says happened or who it asks for is in the evidence: a win said in the answer's sentence
    (not hoped for), the kind of election it names in the story (a local vote does not answer about a
    presidential one), the office it asks for in the answer's sentence or another sentence of its passage that
    names the answer ("Economy Minister Marcelo Ebrard", not "Conservative leader Pierre Poilievre"). `story`: the
    hit's headline and text."""
    if asked.elections is not None and not election_said(story):
        return False  # "When is Mexico's next election?" is not answered by the day of a tariff
    if asked.winner and not (win_said(sentence) and (election_said(sentence) or election_said(hit.title))):
        return False  # "Who won Portugal's presidential election?" is not answered by a prime minister sworn in
    if asked.elections:
        said = election_kinds(sentence)
        if not (election_kinds(story) & asked.elections) or (said and not said & asked.elections):
            return False
    if asked.office:
        name = span.strip(_EDGE_PUNCTUATION)
        said = [sentence, *(t for _, _, t in hit.sentence_texts() if name and name in t)]
        if not any(_holds_office(t, asked.office) for t in said):
            return False
    return True


def _holds_office(text: str, office: frozenset[str]) -> bool:
    """Every term of the office is in the text, as written or longer ("chair" in "chairman", "lead" in
    "leader")."""
    have = set(terms(text))
    return all(any(h.startswith(t) for h in have) for t in office)


def _names_a_place(text: str, asked: _Asked) -> bool:
    """A place is a name: a country, its capital or a state the question does not name ("Georgia", "Beijing"),
    or another proper name."""
    if any(m.country not in asked.countries for m in countries_in(text)):
        return True
    return _names_someone(text, asked.question)


def _names_someone(text: str, question: str) -> bool:
    """The span holds a proper name that is not a month or a day, a country, or a word of the question itself."""
    asked = {w.lower() for w in re.findall(r"[\w'’.-]+", question)}
    for m in countries_in(text):
        text = text[: m.start] + " " * (m.end - m.start) + text[m.end :]
    words = (re.sub(r"['’]s$", "", w).rstrip(".").lower() for w in _PROPER.findall(text))
    return any(w not in CALENDAR and w not in asked and f"{w}'s" not in asked for w in words)


def _candidate(
    span: Span,
    hit: Hit,
    atype: AnswerType,
    weights: Weights,
    months: set[int] = frozenset(),
    asked: _Asked | None = None,
    since: datetime | None = None,
) -> _Candidate | None:
    """The span placed in its sentence (or the headline, which is then quoted), trimmed to it, the figure the
    question asks for when the sentence gives several, its date resolved against the article's date."""
    if span.in_title:
        s_text, a, b = hit.title, span.start, span.end
    else:
        at = hit.start + span.start
        sentences = hit.sentence_texts()
        i = next((i for i, (s, e, _t) in enumerate(sentences) if s <= at < e), None)
        if i is None:
            return None
        s_start, s_end, s_text = sentences[i]
        if _dateline(s_text):
            return None
        a, b = at - s_start, min(hit.start + span.end, s_end) - s_start
    story = f"{hit.title}\n{hit.text}"
    if asked and _other_label(s_text, a, asked):
        return None  # "How much is gas in Texas?" is not answered by the line "Tennessee: $2.96" of a list
    if asked and asked.years and hit.published and hit.published.year < min(asked.years):
        if not any(str(y) in s_text for y in asked.years):
            return None  # "How much did the economy shrink in 2022?" is not answered by a report of 2020
    if asked and asked.years and hit.published and hit.published.year > max(asked.years):
        # A later report: a figure of the year asked is said with its year; another answer's story names it.
        if not any(str(y) in (s_text if _FIGURE_LIKE.search(s_text[a:b]) else story) for y in asked.years):
            return None  # "Who won the 2021 midterms?" is not answered by a story of the 2025 ones
    if asked and not _event_held(asked, hit, story, s_text, s_text[a:b]):
        return None  # "Who won Kenya's election?" is not answered by the chairman who announced its date
    raw = s_text[a:b]
    text = raw.lstrip(_EDGE_PUNCTUATION)
    a += len(raw) - len(text)
    text = text.rstrip(_EDGE_PUNCTUATION)
    while text.endswith(".") and not _ABBREVIATION_END.search(text):
        text = text[:-1].rstrip(_EDGE_PUNCTUATION)
    a, text = _whole_quotes(s_text, a, text)
    question = asked.question if asked else ""
    country = None
    if atype in _NAME_TYPES and (apposition := _APPOSITION.search(text)) and _PROPER.search(text[: apposition.start()]):
        text = text[: apposition.start()]  # "The Ever Given, a 224,000-ton container ship": the name
    if text and asked and asked.country is not None:
        # "Which country …?" is answered by a country the question does not name, said by its name
        # ("Ukrainian first lady" answers "Ukraine"), never by "the communist-run island".
        mention = next((m for m in countries_in(text) if asked.country.allows(m.country)), None)
        if mention is None:
            return None
        a, text = a + mention.start, text[mention.start : mention.end]
        country = re.sub(r"['’]s$", "", text) if mention.named else mention.country  # "Myanmar" as written
    elif text and atype in _NAMED_TYPES and not _names_someone(text, question):
        return None  # "Who won Kenya's election?" is not answered by "the country's election" or "Kenya's commission"
    elif text and asked and atype in _PLACE_TYPES and not _names_a_place(text, asked):
        return None  # "Where will the next World Cup be held?" is not answered by "the summer"
    if atype == AnswerType.NUMBER and fact_kind(text) == AnswerType.PERCENT:
        return None  # "How many cars ...?" is not answered by a rate
    if atype == AnswerType.NUMBER and _DURATION.search(text) and not _ASKS_DURATION.search(question):
        return None  # "How many counts …?" is not answered by "over nine minutes"
    if atype in _COUNTS and asked and asked.counted and not terms_held(s_text, asked.counted):
        return None  # "How many lives …?" is not answered by a sentence about "24 million infections"
    wants_figure = atype in _FIGURE_TYPES or (atype != AnswerType.DATE and _ASKS_DUTY.search(question))
    if text and (wants_figure or figures.FIGURE.match(text)):
        picked = figures.pick(
            s_text,
            a,
            a + len(text),
            question,
            asked.roles if asked else Roles(),
            reported=hit.published.date() if hit.published else None,
            want=asked.wanted if asked else None,
        )
        if picked is None:
            return None  # the sentence's figures are about other countries than the question's
        if asked and not figures.names_rate(s_text, asked.rate, question):
            return None  # "What is the US inflation rate?" is not answered by "Mortgage rates jumped past 6%"
        if picked != (a, a + len(text)):
            a, text = picked[0], s_text[picked[0] : picked[1]].rstrip(_EDGE_PUNCTUATION)
    if not text:
        return None
    if atype in _HOW_MUCH and asked and asked.counted and (unit := _COUNTED_UNIT.match(s_text, a + len(text))):
        if terms_held(unit.group(0), asked.counted):
            text = s_text[a : unit.end()]  # "How many tons of rice …?": "7.5 million tons", not "7.5 million"
    figure_kinds = (AnswerType.PERCENT, AnswerType.MONEY)
    if asked and asked.duty and fact_kind(text) not in figure_kinds:
        return None  # "What US duty applies to shrimp?" is a rate, not "anti-dumping"
    if atype in _HOW_MUCH and not _COUNT.search(text):
        return None  # "How many workers …?" is not answered by "how many" in "did not say how many workers"
    if asked and asked.subjects.products and fact_kind(text) in figure_kinds:
        if asked.subjects.products_missing(f"{s_text}\n{hit.title}"):
            return None  # "the duty on hardwood plywood" is not the figure a sentence gives for softwood plywood
    if atype in figure_kinds and fact_kind(text) not in figure_kinds:
        return None  # a rate or an amount is asked: "What are US tariffs on Chinese goods?" is not "fentanyl"
    if asked and asked.wanted and asked.wanted.measure == figures.PRICE and atype in _HOW_MUCH:
        if fact_kind(text) != AnswerType.MONEY:
            return None  # "How much is a gallon of gas?" is a sum of money, not "130,000" stations
    value = country or text
    mentions = [d for d in find_dates(s_text, hit.published) if d.start < a + len(text) and a < d.end]
    if mentions and (atype == AnswerType.DATE or _covers(mentions[0], a, a + len(text))):
        value = mentions[0].value if len(mentions) == 1 else text
    score = span.margin + weights.dense_weight * max(hit.dense or 0.0, 0.0)
    if asked and asked.ahead and atype == AnswerType.DATE and mentions and hit.published:
        # "When will Korea decide?": a day after the report's ("due in September"), not the day it was reported.
        first, last = days_of(mentions[0])
        if last and last < hit.published.date():
            return None
        if first:
            score += weights.month if first > hit.published.date() else -weights.month
    share = 0.0
    if asked and asked.rarity:
        # A headline stands for its story: its words are the story's.
        share = _overlap(f"{hit.title}\n{hit.text}" if span.in_title else s_text, asked.rarity)
        score += weights.overlap * share
    if since and hit.published:  # "... this week?": a report of the days the question means, not an older one
        score += weights.month if hit.published >= since else -weights.month
    if months:  # "... in June?": a report of that month, or a sentence naming it
        score += weights.month if in_months(hit, s_text, months) else -weights.month
    return _Candidate(span, hit, s_text, text, value, score, share)


_QUOTE_REACH = 80  # how far outside a span its quotation's other mark may be


def _whole_quotes(sentence: str, at: int, text: str) -> tuple[int, str]:
    """The span with both marks of a quotation it holds one of ("Liberation Day” tariffs" is "“Liberation Day”
    tariffs"; "the “Liberation Day" is "the “Liberation Day”"), taken from its sentence; as it is when the other
    mark is not near."""
    end = at + len(text)
    for opening, closing in (("“", "”"), ('"', '"')):
        if opening == closing:  # a straight mark: an odd count leaves one alone
            lone_closing, lone_opening = text.count(closing) % 2 == 1, False
        else:
            opened, closed = text.count(opening), text.count(closing)
            lone_closing, lone_opening = closed > opened, opened > closed
        if lone_closing:
            before = sentence.rfind(opening, max(0, at - _QUOTE_REACH), at)
            if before >= 0:
                at = before
            elif opening == closing:  # a straight mark: its partner may follow instead
                after = sentence.find(closing, end, end + _QUOTE_REACH)
                end = after + 1 if after >= 0 else end
        elif lone_opening:
            after = sentence.find(closing, end, end + _QUOTE_REACH)
            end = after + 1 if after >= 0 else end
    return at, sentence[at:end]


# A line of a list, "Tennessee: $2.96", "China: 34%": its label says what its figure is for.
_LABELLED = re.compile(r"\s*([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}):\s+(?=\S)")


def _other_label(sentence: str, at: int, asked: _Asked) -> bool:
    """The span at `at` is in a labelled line of a list ("Label: figure …") whose label names none of what the
    question names, when the question names a place or a name."""
    named = [*asked.subjects.countries, *asked.subjects.names]
    if not named or not (m := _LABELLED.match(sentence)) or at < m.end() or not figures.FIGURE.match(sentence, m.end()):
        return False  # not a line of a list: a dateline ("NEW YORK: Oil rose to $85") says where, not what for
    label = m.group(1)
    said = {c.country for c in countries_in(label)}
    return not (said & set(asked.subjects.countries)) and not any(
        n.lower() in label.lower() or label.lower() in n.lower() for n in asked.subjects.names
    )


# A question that asks how much (not "Which state has the highest price …?", "Which retailer is cutting prices?").
_HOW_MUCH = {AnswerType.MONEY, AnswerType.QUANTITY, AnswerType.NUMBER}
_COUNTS = {AnswerType.QUANTITY, AnswerType.NUMBER}  # "how many X", "how much X": the sentence must say X
# A unit of measure right after a count: "How many tons …?" is answered "7.5 million tons" ("three", not "three
# counts", for a count of things).
_COUNTED_UNIT = re.compile(
    r"(?<=\d|[a-z])\s+(?:metric\s+|short\s+|cubic\s+)?(?:tons?|tonnes?|barrels?|bushels?|bales?|kilo(?:gram)?s?|kg|"
    r"pounds|lbs|ounces?|gallons?|lit(?:er|re)s?|met(?:er|re)s?|megawatts?|gigawatts?|hectares?|acres?|carats?|"
    r"TEUs?|containers?)\b",
    re.I,
)


def _words(text: str, wanted: set[str] | None = None) -> set[str]:
    """A text's analysed words (of them, those `wanted`), a country counted as one word however it is written
    ("Canada's", "Canadian")."""
    mentions = countries_in(text)
    for m in reversed(mentions):
        text = f"{text[: m.start]} {text[m.end :]}"
    words = set(terms(text)) if wanted is None else terms_held(text, wanted)
    return words | {f"@{m.country}" for m in mentions}


def _overlap(text: str, rarity: dict[str, float]) -> float:
    """The share of the question's words, weighed by rarity, that the text holds."""
    have = _words(text, set(rarity))
    total = sum(rarity.values())
    return sum(w for t, w in rarity.items() if t in have) / total if total else 0.0


def _newest(members: list[_Candidate]) -> datetime | None:
    return max((c.hit.published for c in members if c.hit.published), default=None)


def _covers(mention, start: int, end: int) -> bool:
    """The date mention is most of the span ("on Sunday", "Tuesday"): the span is a date."""
    return mention.end - mention.start >= 0.6 * (end - start)


def normal_form(value: str) -> str:
    """SQuAD's normal form: lower case, no punctuation, no articles, single spaces ("25%" and "25 percent"
    agree)."""
    text = value.lower().replace("&", " and ").replace("per cent", "percent").replace("%", " percent")
    text = "".join(" " if ch in string.punctuation or ch in "“”‘’" else ch for ch in text)
    return " ".join(w for w in text.split() if w not in {"a", "an", "the"})


_NOW = re.compile(
    r"\b(?:is|are|isn't|aren't|do|does|now|current(?:ly)?|latest|still|today|so far)\b"
    r"|\b(?:what|who|where|how|which)['’]s\b",
    re.I,
)
_PAST = re.compile(r"\b(?:was|were|did|had|ago|last (?:year|month|week)|(?:19|20)\d\d)\b", re.I)


def _asks_about_now(question: str) -> bool:
    """ "What is the duty on Canadian lumber?": the current state, which newer reports may have changed."""
    asked = asked_part(question)
    return bool(_NOW.search(asked)) and not _PAST.search(asked)


def with_weights(**changes: float) -> Weights:
    """The shipped weights with some changed (calibration and benchmarks)."""
    return replace(WEIGHTS, **changes)
