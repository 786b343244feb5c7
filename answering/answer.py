"""Question -> Answer: the retrieval plan (as of the question's date, its source, a follow-up's context), the
trained reader over the retrieved passages, the evidence combined across passages, abstention, citations.

Extractive on purpose: every answer is a span of a sentence that is quoted exactly, so a citation can never
say something its source does not. How spans are weighed against each other:
- a span's `margin` is the reader's score for it less its passage's no-answer score (answering/reader.py);
- its score adds the passage's similarity to the question (`dense_weight`), the share of the question's words
  its sentence holds, each weighed by how few of the retrieved passages hold it (`overlap`), and, for each other
  article that gives the same answer, `agreement` (syndicated copies and follow-up stories corroborate it), and
  loses `age` for each year its report is older than the question (the reader's best reading of an answer is
  still the one quoted), and for a question about now a figure of a part of the duties the question does not
  name ("tied to fentanyl") yields to a figure of their whole, and is no disagreement with it;
- a span must be the kind of thing asked: a country for "which country" (said by its name, in the region
  asked), a name for who, where and which, a count for "how many"; a dateline never answers;
- the answer chosen is given when a model of "this answer is right" is sure enough of it (answering/sureness.py,
  fitted on RealTime QA questions of 2020-2021); without the model, a span answers when its margin plus
  `sure_overlap` times that share of the question's words reaches `min_margin`; when none is left, `ask` abstains;
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

The question is read once (answering/question.py, `Question`) and handed to each step; the reader's spans are
placed in their sentences and checked in answering/candidates.py; the weights are answering/weights.py; this
module retrieves, reads and decides among the candidates.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime

from answering import figures, measures
from answering.candidates import Candidate, Reading, answer_key, normal_form, rarity, supported
from answering.dates import change_day, effective_day
from answering.extract import fact_kind
from answering.question import AnswerType, Question
from answering.reader import Reader, Window
from answering.result import MAX_CITATIONS, Answer, Coming, Disagreeing, Was, abstention, citation
from answering.subjects import countries_in
from answering.sureness import features
from answering.weights import WEIGHTS, Weights
from embeddings.analysis import terms
from embeddings.models import Hit

log = logging.getLogger(__name__)

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
    question: str | Question,
    *,
    as_of: datetime | None = None,
    source: str | None = None,
    k: int = 8,
    mode: str = "hybrid",
    context: str = "",
) -> Answer:
    """Retrieve and answer: the one path the CLI, the bot and the benchmarks share. `context`: the earlier
    question when this one follows up on it. A question too long or empty is a one-line error."""
    q = Question.of(question, context)
    hits = retrieve(library, q, as_of=as_of, source=source, k=k, mode=mode)
    return with_empty_note(library, decide(q, read(q, hits, as_of=as_of or datetime.now(UTC))))


def with_empty_note(library, result: Answer) -> Answer:
    """An abstention over an empty knowledge base says how to fill it."""
    if result.abstained and library.document_frequencies([])[1] == 0:
        result.note = "the knowledge base is empty: run `tradewire ingest PATH_OR_URL` (or try `tradewire demo`)"
    return result


def retrieve(
    library,
    question: str | Question,
    *,
    as_of: datetime | None = None,
    source: str | None = None,
    k: int = 8,
    mode: str = "hybrid",
) -> list[Hit]:
    """The passages `ask` reads: published by `as_of`, from `source`; a question about the current state of
    things prefers the reports of the weeks before its day (a rate of 2018 is not the rate of 2025), and one about
    a figure now also reads the best of those reports ranked on their own (RECENT_WINDOW_DAYS)."""
    from embeddings.search import RECENT_WINDOW_DAYS, Filters

    q = Question.of(question)
    recent = True if q.now else None  # None: the search's own reading of the words
    days = RECENT_WINDOW_DAYS if q.now and q.wanted.measure else 0
    filters = Filters(until=as_of, source=source)
    return library.search(q.query, k=k, filters=filters, mode=mode, prefer_recent=recent, recent_days=days)


# The reader's best spans kept of each passage: when its best reading fails a check ("anti-dumping" for a duty
# asked), its next ones ("25%", "9%" of the next sentence) may not.
SPANS_PER_PASSAGE = 8


def read(question: str | Question, hits: list[Hit], *, as_of: datetime | None = None) -> Reading:
    """Run the reader over the passages (a follow-up is read with the question it follows). `as_of`: the
    question's "now", which "this week" and "yesterday" count back from."""
    q = Question.of(question)
    if not hits:
        return Reading(q, [], [], [], as_of=as_of)
    # The question first: the reader caps its length. The headline without the site's name a page appends
    # ("… | CNN Politics"): a prefix of the title, so a headline span's offsets stay the title's.
    spans, nulls = _reader.read(q.query, [Window(h.text, h.headline) for h in hits], top=SPANS_PER_PASSAGE)
    return Reading(q, hits, spans, nulls, rarity(q, hits), as_of)


def ranked_answers(found: list[Candidate], weights: Weights = WEIGHTS) -> list[tuple[float, list[Candidate]]]:
    """The candidates as answers, best first: readings that say one answer ("Britain", "the United Kingdom";
    `answer_key`) are one, scored by their best reading and how many articles agree; each answer's readings
    best first. The reader's best reading of an answer quotes it, whatever its report's age; the answer counts as
    its best score, age and all."""
    groups: dict[str, list[Candidate]] = {}
    for c in found:
        if key := answer_key(c.value):
            groups.setdefault(key, []).append(c)
    ranked = []
    for members in groups.values():
        members.sort(key=lambda c: c.score + c.aged, reverse=True)
        articles = {c.hit.article_id for c in members}
        ranked.append((max(c.score for c in members) + weights.agreement * (len(articles) - 1), members))
    ranked.sort(key=lambda r: r[0], reverse=True)
    return ranked


def decide(question: str | Question, reading: Reading, weights: Weights = WEIGHTS) -> Answer:
    """The answer the passages best support, with corroborating citations, or an abstention."""
    q = Question.of(question)
    found, why = supported(q, reading, weights, every=weights.sureness is not None)
    if not found:
        return abstention(q.text, why, q.kind.value)
    ranked = ranked_answers(found, weights)
    if not ranked:
        return abstention(q.text, "the closest passages do not answer the question", q.kind.value)
    kind = fact_kind(ranked[0][1][0].value)
    if q.now and kind in _FIGURE_FACTS and _part(q, ranked[0][1][0]):
        # A figure of a part of the duties the question does not name ("the tariff tied to fentanyl on Chinese
        # goods") is not the current figure while one of the whole is read, however much newer its report.
        whole = next((r for r in ranked if fact_kind(r[1][0].value) == kind and not _part(q, r[1][0])), None)
        if whole is not None:
            ranked.remove(whole)
            ranked.insert(0, whole)
    best_score, members = ranked[0]

    def stands(group: tuple[float, list[Candidate]]) -> bool:
        """The answer would be given on its own: the model of sureness is sure enough of it (without the model,
        every candidate passed the margin rule already)."""
        if weights.sureness is None:
            return True
        others = [score for score, g in ranked if g is not group[1]]
        sure = weights.sureness.probability(features(group[1], group[0], others, reading))
        return sure >= weights.sureness.threshold

    if q.now:
        # Reports differ over time: the newest report close to the best is the current state; for a figure, the
        # newest report that gives a figure of the kind asked about the question's subject (an answer that would
        # be given on its own: `stands`), however much surer the reader is of an older one (a rate of 2018 is not
        # the rate of 2025).
        figure = fact_kind(members[0].value) in _FIGURE_FACTS
        close = [
            r
            for r in ranked
            if (figure or r[0] >= best_score - weights.recent_slack)
            and _newest(r[1])
            and _same_fact(q, r, ranked[0])
            and (r is ranked[0] or stands(r))
        ]
        if close:
            best_score, members = max(close, key=lambda r: (_newest(r[1]), r[0]))
        best_score, members = _replacement(best_score, members, [r for r in ranked if r[1] is members or stands(r)])
        replaced = _prior(members, ranked)
    else:
        replaced, close = None, []
    if not stands((best_score, members)):  # the answer chosen is given when the model is sure enough of it
        return abstention(q.text, why, q.kind.value)
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
    about_now = fact_kind(top.value) in _FIGURE_FACTS and q.now
    change = figures.change_of(top.sentence, top.text) if about_now else None
    day = effective_day(top.sentence, top.hit.published) if about_now else None
    if day and day > (reading.as_of or datetime.now(UTC)).date():
        # Announced for a later day: in force until then is what the announcement says it replaces ("from 12%"),
        # else the newest older report's figure of the same thing.
        older = [g for _, g in close if g is not members and _later(top.hit.published, _newest(g))]
        return _announced(q, top, chosen, change, day, replaced or max(older, key=_newest, default=None))
    rivals = _disagreeing(q, members, best_score, ranked, weights)
    before = [replaced[0]] if replaced else []
    cited = [*chosen, *before, *(r[0] for r in rivals)]
    dated = [c.hit.published for c in cited if c.hit.published]  # as of the newest article cited
    since = _newest(members)
    was = _was(before[0], members, len(chosen) + 1) if before else None
    if was is None and change and day and since:  # "cut … to 8% from 12%, effective March 1": its own "from"
        was = Was(top.sentence[change.old[0] : change.old[1]], day.isoformat(), [1], since.date().isoformat())
    return Answer(
        question=q.text,
        answer=top.value,
        abstained=False,
        as_of=max(dated).date().isoformat() if dated else None,
        citations=[citation(i, c.hit, c.sentence) for i, c in enumerate(cited, 1)],
        answer_type=q.kind.value,
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
    q: Question,
    top: Candidate,
    chosen: list[Candidate],
    change: figures.Change | None,
    day: date,
    earlier: list[Candidate] | None,
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
        question=q.text,
        answer=old or top.value,
        abstained=False,
        as_of=max(dated).date().isoformat() if dated else None,
        citations=[citation(i, c.hit, c.sentence) for i, c in enumerate(cited, 1)],
        answer_type=q.kind.value,
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


def _same_fact(q: Question, group: tuple[float, list[Candidate]], best: tuple[float, list[Candidate]]) -> bool:
    """Another answer gives the same kind of fact as the best one, about the same thing: a figure of the same kind
    (a rate for a rate), not a part the question does not ask about ("the tariff tied to fentanyl" for the tariff
    on Chinese goods), in a sentence that names the rate asked or else holds about as many of the question's
    words."""
    if group is best:
        return True
    one, other = best[1][0], group[1][0]
    kind = fact_kind(one.value)
    if kind not in _FIGURE_FACTS:
        return True
    if fact_kind(other.value) != kind:
        return False
    if _part(q, other):
        return False
    if q.rate:
        return True  # both sentences name the rate asked (`_candidate` checked it), however they word the rest
    return len(q.terms & set(terms(other.sentence))) >= len(q.terms & set(terms(one.sentence))) - 1


def _part(q: Question, c: Candidate) -> str | None:
    """What part of the duties the candidate's figure is, when the question does not name it ("fentanyl")."""
    at = c.sentence.find(c.text)
    return measures.part_of(c.sentence, (at, at + len(c.text)), q.terms) if at >= 0 else None


def _was(older: Candidate, members: list[Candidate], n: int) -> Was | None:
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
    score: float, members: list[Candidate], ranked: list[tuple[float, list[Candidate]]]
) -> tuple[float, list[Candidate]]:
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


def _prior(members: list[Candidate], ranked: list[tuple[float, list[Candidate]]]) -> list[Candidate] | None:
    """The older answer the chosen report says it replaced ("raised to 40% from 15%" -> the 15% group), if the
    passages hold it."""
    when = _newest(members)
    said = _said(members)
    older = [
        g for _, g in ranked if g is not members and when and (_newest(g) or when) < when and _replaced(g[0].text, said)
    ]
    return max(older, key=lambda g: _newest(g) or when) if older else None


def _said(group: list[Candidate]) -> str:
    """The sentences a group's answer is given in, lower case, for `_replaced`."""
    return " ".join(c.sentence for c in group).lower()


def _replaced(figure: str, text: str) -> bool:
    """`text` (lower case) names `figure` as what was replaced: "... to 15% from 25% ..." for 25%."""
    return re.search(r"\bfrom\s+" + re.escape(figure.lower()) + r"(?!\w)", text) is not None


MAX_RIVALS = 2


def _disagreeing(
    q: Question,
    members: list[Candidate],
    best_score: float,
    ranked: list[tuple[float, list[Candidate]]],
    weights: Weights,
) -> list[tuple[Candidate, float]]:
    """Other answers that cannot be true with the chosen one: well supported, the same kind of fact about the
    same thing (its sentence holds about as many of the question's words as the answer's does), from other
    articles, reported at about the same time, and not what the chosen report says it replaced ("to 50% from
    25%" makes 25% history, not a disagreement)."""
    top = members[0]
    kind = fact_kind(top.value)
    if kind is None:
        return []
    subject = len(q.terms & set(terms(top.sentence)))
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
        if q.now and _part(q, other):
            continue  # a part of the duties ("tied to fentanyl") is not a rival to their whole
        if len(q.terms & set(terms(other.sentence))) < subject - 1:
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


def _newest(members: list[Candidate]) -> datetime | None:
    return max((c.hit.published for c in members if c.hit.published), default=None)
