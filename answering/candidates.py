"""The reader's spans as answers: each placed in its sentence, trimmed to what it names, and checked against
what the question asks (`supported`): the question's subjects are in its passage; it is the kind of thing asked
(a country for "which country", a name for who, a count for "how many", a rate for a duty); a figure is the one
asked (answering/figures.py); the event asked happened (won, not hoped to win; the election of the kind asked);
and its score weighs the reader's margin with the passage's similarity and the question's rarer words.

One module of checks, each with the case that made it in a comment: they are read top to bottom in `_candidate`,
the one place a span becomes a `Candidate`.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from answering import figures, measures
from answering.dates import days_of, find_dates
from answering.events import election_kinds, election_said, win_said
from answering.extract import fact_kind
from answering.question import AnswerType, Question, in_months, words_of
from answering.reader import Span
from answering.subjects import (
    PROPER,
    countries_in,
    may_be_city,
    names_someone,
    only_a_place,
    only_country,
    province_of,
)
from answering.weights import WEIGHTS, Weights
from embeddings.analysis import stem, terms, terms_held
from embeddings.models import Hit


@dataclass
class Reading:
    """What the reader found in the retrieved passages, before anything is decided from it."""

    question: Question
    hits: list[Hit]
    spans: list[Span]
    nulls: list[float]
    rarity: dict[str, float] = field(default_factory=dict)  # the question's words, each its weight (rarity())
    as_of: datetime | None = None  # the question's "now": "this week" is the week before it

    def __post_init__(self) -> None:
        if self.as_of is not None and self.as_of.tzinfo is None:
            self.as_of = self.as_of.replace(tzinfo=UTC)  # a day without a zone is UTC's, as the reports' are


def rarity(question: str | Question, hits: list[Hit]) -> dict[str, float]:
    """Each of the question's words weighed by how few of the retrieved passages hold it, log(1 + k/(1 + n)): a
    word every passage holds cannot tell their sentences apart."""
    words = set(Question.of(question).words)
    held = [words_of(f"{h.title}\n{h.text}", words) & words for h in hits]
    return {w: math.log(1 + len(hits) / (1 + sum(w in h for h in held))) for w in words}


@dataclass
class Candidate:
    """A span of the reader's placed in its sentence, checked, and scored."""

    span: Span
    hit: Hit
    sentence: str  # the sentence of the article that holds the span, exactly
    text: str  # the span as written, trimmed to its sentence
    value: str  # what the answer line shows ("March 23, 2025" for "Sunday")
    score: float
    share: float = 0.0  # of the question's words, weighed by rarity, that its sentence holds
    aged: float = 0.0  # what its report's age took off its score (Weights.age)


def supported(
    question: str | Question, reading: Reading, weights: Weights = WEIGHTS, *, every: bool = False
) -> tuple[list[Candidate], str]:
    """The answers the passages support, each placed in its sentence and checked (the question's subject is in
    its passage, a figure is the one asked for, a name names someone), and when there is none, why. `every`:
    keep those the abstention rule (`min_margin`, `sure_overlap`) would drop, for a decision that abstains by
    another (answering/sureness.py)."""
    q = Question.of(question)
    if not reading.hits:
        return [], "nothing indexed matches the question"
    # A span is read when its margin over its passage's no-answer score reaches min_margin - sure_overlap (and,
    # by the margin rule, answers when its margin plus sure_overlap times its share reaches min_margin); of the
    # spans that overlap in one passage ("50% from 25%", "25%"), the reader's best reading that passes the
    # checks stands for them all.
    lowest = weights.min_margin - weights.sure_overlap
    answering = _non_overlapping([s for s in reading.spans if s.margin >= lowest])
    # A passage answers only about what the question names: "When is Australia's election?" is not answered by
    # a story about Canada's, however sure the reader is of the date in it (answering/subjects.py).
    # A span read as the answer that is a country is no other subject of its passage only when a country is
    # asked ("Which European nation …?" is answered by "Germany"; "Who won …?" is not by "Argentina").
    read_as = {w: [s.text for s in answering if s.window == w and q.country] for w in range(len(reading.hits))}
    missing = {w: q.subjects.missing(f"{h.title}\n{h.text}", read_as[w]) for w, h in enumerate(reading.hits)}
    since = reading.as_of - timedelta(days=q.period) if q.period and reading.as_of else None
    # Of spans that overlap, the best that passes the checks stands for them: "anti-dumping duty" is no rate, the
    # reader's next reading of the same words, "17% anti-dumping duty", is.
    found: list[Candidate] = []
    for s in sorted(reading.spans, key=lambda s: s.margin, reverse=True):
        if s.margin < lowest or missing[s.window] or any(_overlap_spans(c.span, s) for c in found):
            continue
        if c := _candidate(s, reading.hits[s.window], q, reading.rarity, weights, since, reading.as_of):
            found.append(c)
    if not every:
        found = [c for c in found if c.span.margin + weights.sure_overlap * c.share >= weights.min_margin]
    why = silence(q, reading, answering, missing) if every or not found else ""
    return found, why


def silence(q: Question, reading: Reading, answering: list[Span], missing: dict[int, list[str]]) -> str:
    """Why the passages answer nothing: what the question names that the passages the reader could answer from
    lack, when none of the passages read mentions it either."""
    gaps = sorted({m for s in answering for m in missing[s.window]})  # what the readable passages lack ...
    if gaps:  # ... and none of the passages read mentions (another passage may name what one lacks)
        gaps = [g for g in gaps if g in q.subjects.absent([f"{h.title}\n{h.text}" for h in reading.hits])]
    if gaps:
        said = [_as_asked(g, q.text) for g in gaps[:3]]
        return f"the closest passages do not mention {' or '.join(said)}"
    return "the closest passages do not answer the question"


def _as_asked(subject: str, question: str) -> str:
    """A subject as the question writes it: a product is held as an analysed term ("coffe"), said as "coffee"."""
    return next((w for w in re.findall(r"[\w'’-]+", question) if terms(w) == [subject]), subject)


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
_ASKS_CITY = re.compile(r"\b(?:which|what)\s+(?:[\w.-]+\s+)?(?:city|cities|town|towns|village|capital|port)\b", re.I)
_ASKS_STATE = re.compile(r"\b(?:which|what)\s+(?:[\w.-]+\s+)?(?:states?|provinces?|count(?:y|ies))\b", re.I)
_NAME_THEN_COMMA = re.compile(r"[A-Z][\w'’.-]*,\s*$")
_TIME_UNITS = r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centuries)"
_DURATION = re.compile(rf"\b{_TIME_UNITS}\b", re.I)
_ASKS_DURATION = re.compile(rf"\bhow (?:many (?:more |fewer |\w+ )?{_TIME_UNITS}|long|old|soon)\b", re.I)
# Answers that are a name, which an apposition after a comma only describes.
_NAME_TYPES = {*_NAMED_TYPES, *_PLACE_TYPES, AnswerType.NAME, AnswerType.TITLE}
_APPOSITION = re.compile(r",\s+(?!(?:and|or|but|nor)\b)(?=(?:a|an|the|who|which|whose|where|[a-z][\w-]*)\b)")


def _event_held(asked: Question, hit: Hit, story: str, sentence: str, span: str) -> bool:
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
        if not any(_holds_office(t, asked.office, asked.countries) for t in said):
            return False
    return True


# A rank that makes another office of the one asked: "deputy trade minister", "Vice President", "former Prime
# Minister" (an acting or interim holder holds the office).
_RANKS = frozenset(terms("deputy vice assistant junior former shadow ex"))
_OFFICE_WORD = re.compile(r"[A-Za-z][\w'’]*")


def _holds_office(text: str, office: frozenset[str], countries: Sequence[str] = ()) -> bool:
    """Every term of the office is in the text, as written or longer ("chair" in "chairman", "lead" in
    "leader"), and not only where the text gives another office in the same words: with a rank the question
    does not ask ("deputy trade minister" for the trade minister) or of a country it does not name ("Canadian
    Finance Minister" for the US finance minister)."""
    others = [m.end for m in countries_in(text) if m.country not in countries] if countries else []  # their ends
    words = [(w.start(), w.end(), next(iter(terms(w.group(0))), "")) for w in _OFFICE_WORD.finditer(text)]
    gone: list[tuple[int, int]] = []
    for i, (start, _end, term) in enumerate(words):
        ranked = term in _RANKS and term not in office
        # "Canadian Finance Minister", "Vietnam's trade minister": the office right after another country
        foreign = any(0 <= start - end <= 3 for end in others)
        if not (ranked or foreign):
            continue
        j = i + 1 if ranked else i
        while j < len(words) and j - i <= 4 and any(words[j][2].startswith(t) for t in office if words[j][2]):
            j += 1
        if j > i + (1 if ranked else 0):  # office words follow: that office is not the one asked
            gone.append((start, words[j - 1][1]))
    if gone:
        kept, at = [], 0
        for a, b in gone:
            kept.append(text[at:a])
            at = max(at, b)
        text = " ".join([*kept, text[at:]])
    have = set(terms(text))
    return all(any(h.startswith(t) for h in have) for t in office)


_CUT = re.compile(r"\s*(?:\.\.\.|…)\s*$")
_LAST_WORDS = re.compile(r"(?:(\w+)\W+)?(\w+)\W*$")


def _whole_until(title: str, text: str) -> int:
    """Where a headline's whole words end: before a mark that says it was cut ("… a new economic…"), or before its
    last word when that word is only the start of one its story goes on with after the same word ("announced Wedne"
    of "announced Wednesday"); its length when it is whole."""
    if cut := _CUT.search(title):
        return cut.start()
    last = _LAST_WORDS.search(title)
    if last and last.group(1):
        before, word = map(re.escape, last.group(1, 2))
        if re.search(rf"\b{before}\W+{word}\w", text):
            return last.start(2)
    return len(title) + 1


_PROPER_TAIL = re.compile(r"(?<![\w'’])[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*\W*$")  # capitalised words that end it


def _a_place_for_someone(text: str, asked: Question) -> bool:
    """A span that is only a place, or ends in one after lower-case words only ("followed by South Carolina"), where
    a person is asked for: a country, a capital, a state or province; where the question may be answered by a team
    or a country ("Who won …?"), only a state or province. "Hiroshima atomic bombing" names more than a place."""
    tail = _PROPER_TAIL.search(text)
    named = tail.group(0) if tail and not PROPER.search(text[: tail.start()]) else text
    place = only_a_place if asked.kind == AnswerType.PERSON else province_of
    return bool(place(named))


def _after_its_city(sentence: str, at: int, text: str) -> bool:
    """The span is a state or province written after a city's name ("Portland, Oregon", "Mobile, Alabama"): it
    says where the city is, not which."""
    return bool(province_of(text) and _NAME_THEN_COMMA.search(sentence[:at]))


def _inside_a_country(sentence: str, at: int, text: str) -> bool:
    """The span is a piece of a country's name in its sentence ("States" of "United States")."""
    end = at + len(text)
    for m in countries_in(sentence):
        name_end = m.start + len(re.sub(r"['’]s$", "", sentence[m.start : m.end]))  # "Moscow's" is "Moscow"
        if m.start <= at and end <= name_end and end - at < name_end - m.start:
            return True
    return False


def _names_a_place(text: str, asked: Question) -> bool:
    """A place is a name: a country, its capital or a state the question does not name ("Georgia", "Beijing"),
    or another proper name."""
    if any(m.country not in asked.countries for m in countries_in(text)):
        return True
    return names_someone(text, asked.text)


def _candidate(
    span: Span,
    hit: Hit,
    q: Question,
    rarity: dict[str, float],
    weights: Weights,
    since: datetime | None,
    now: datetime | None = None,
) -> Candidate | None:
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
    if _other_label(s_text, a, q):
        return None  # "How much is gas in Texas?" is not answered by the line "Tennessee: $2.96" of a list
    if q.years and hit.published and hit.published.year < min(q.years):
        if not any(str(y) in s_text for y in q.years):
            return None  # "How much did the economy shrink in 2022?" is not answered by a report of 2020
    if q.years and hit.published and hit.published.year > max(q.years):
        # A later report: a figure of the year asked is said with its year; another answer's story names it.
        if not any(str(y) in (s_text if _FIGURE_LIKE.search(s_text[a:b]) else story) for y in q.years):
            return None  # "Who won the 2021 midterms?" is not answered by a story of the 2025 ones
    if not _event_held(q, hit, story, s_text, s_text[a:b]):
        return None  # "Who won Kenya's election?" is not answered by the chairman who announced its date
    raw = s_text[a:b]
    text = raw.lstrip(_EDGE_PUNCTUATION)
    a += len(raw) - len(text)
    text = text.rstrip(_EDGE_PUNCTUATION)
    while text.endswith(".") and not _ABBREVIATION_END.search(text):
        text = text[:-1].rstrip(_EDGE_PUNCTUATION)
    a, text = _whole_quotes(s_text, a, text)
    country = None
    apposition = _APPOSITION.search(text) if q.kind in _NAME_TYPES else None
    if apposition and PROPER.search(text[: apposition.start()]):
        text = text[: apposition.start()]  # "The Ever Given, a 224,000-ton container ship": the name
    if span.in_title and text and a + len(text) >= _whole_until(hit.title, hit.text):
        return None  # "… announced Wedne": a headline cut short ends no answer
    if text and q.country is not None:
        # "Which country …?" is answered by a country the question does not name, said by its name
        # ("Ukrainian first lady" answers "Ukraine"), never by "the communist-run island".
        mention = next((m for m in countries_in(text) if q.country.allows(m.country)), None)
        if mention is None:
            return None
        a, text = a + mention.start, text[mention.start : mention.end]
        country = re.sub(r"['’]s$", "", text) if mention.named else mention.country  # "Myanmar" as written
    elif text and q.kind in (AnswerType.PERSON, AnswerType.WHO) and _a_place_for_someone(text, q):
        return None  # "Who won the Nevada caucuses?" is not answered by "South Carolina"
    elif text and q.kind in _NAMED_TYPES and not names_someone(text, q.text):
        return None  # "Who won Kenya's election?" is not answered by "the country's election" or "Kenya's commission"
    elif text and q.kind in _PLACE_TYPES and not _names_a_place(text, q):
        return None  # "Where will the next World Cup be held?" is not answered by "the summer"
    elif (
        text
        and q.kind == AnswerType.LOCALITY
        and _ASKS_CITY.search(q.asked)
        and (not may_be_city(text, q.text) or _after_its_city(s_text, a, text))
    ):
        # "In which city will the summit be held?" is not answered by "Europe" or "Egypt", nor by the state of
        # "Portland, Oregon"
        return None
    elif text and q.kind == AnswerType.LOCALITY and _ASKS_STATE.search(q.asked) and only_country(text):
        return None  # "Which US state …?" is not answered by "Russia" or "the United States"
    elif text and q.kind in _PLACE_TYPES and _inside_a_country(s_text, a, text):
        return None  # nor by "States", a piece of "the United States"
    if q.kind == AnswerType.NUMBER and fact_kind(text) == AnswerType.PERCENT:
        return None  # "How many cars ...?" is not answered by a rate
    if q.kind == AnswerType.NUMBER and _DURATION.search(text) and not _ASKS_DURATION.search(q.text):
        return None  # "How many counts …?" is not answered by "over nine minutes"
    if q.kind in _COUNTS and q.counted and not terms_held(s_text, q.counted):
        return None  # "How many lives …?" is not answered by a sentence about "24 million infections"
    wants_figure = q.kind in _FIGURE_TYPES or (q.kind != AnswerType.DATE and _ASKS_DUTY.search(q.text))
    if text and (wants_figure or measures.FIGURE.match(text)):
        picked = figures.pick(s_text, a, a + len(text), q, reported=hit.published.date() if hit.published else None)
        if picked is None:
            return None  # the sentence's figures are about other countries than the question's
        if not figures.names_rate(s_text, q):
            return None  # "What is the US inflation rate?" is not answered by "Mortgage rates jumped past 6%"
        if picked != (a, a + len(text)):
            a, text = picked[0], s_text[picked[0] : picked[1]].rstrip(_EDGE_PUNCTUATION)
    if not text:
        return None
    if q.kind in _HOW_MUCH and q.counted and (unit := _COUNTED_UNIT.match(s_text, a + len(text))):
        if terms_held(unit.group(0), q.counted):
            text = s_text[a : unit.end()]  # "How many tons of rice …?": "7.5 million tons", not "7.5 million"
    figure_kinds = (AnswerType.PERCENT, AnswerType.MONEY)
    if q.duty and fact_kind(text) not in figure_kinds:
        return None  # "What US duty applies to shrimp?" is a rate, not "anti-dumping"
    if q.kind in _HOW_MUCH and not _COUNT.search(text):
        return None  # "How many workers …?" is not answered by "how many" in "did not say how many workers"
    if q.subjects.products and fact_kind(text) in figure_kinds:
        if q.subjects.products_missing(f"{s_text}\n{hit.title}"):
            return None  # "the duty on hardwood plywood" is not the figure a sentence gives for softwood plywood
    if q.kind in figure_kinds and fact_kind(text) not in figure_kinds:
        return None  # a rate or an amount is asked: "What are US tariffs on Chinese goods?" is not "fentanyl"
    if q.wanted.measure == measures.PRICE and q.kind in _HOW_MUCH:
        if fact_kind(text) != AnswerType.MONEY:
            return None  # "How much is a gallon of gas?" is a sum of money, not "130,000" stations
    value = country or text
    mentions = [d for d in find_dates(s_text, hit.published) if d.start < a + len(text) and a < d.end]
    if mentions and (q.kind == AnswerType.DATE or _covers(mentions[0], a, a + len(text))):
        value = mentions[0].value if len(mentions) == 1 else text
    score = span.margin + weights.dense_weight * max(hit.dense or 0.0, 0.0)
    if q.ahead and q.kind == AnswerType.DATE and mentions and hit.published:
        # "When will Korea decide?": a day after the report's ("due in September"), not the day it was reported.
        first, last = days_of(mentions[0])
        if last and last < hit.published.date():
            return None
        if first:
            score += weights.month if first > hit.published.date() else -weights.month
    share = 0.0
    if rarity:
        # A headline stands for its story: its words are the story's.
        share = _overlap(f"{hit.title}\n{hit.text}" if span.in_title else s_text, rarity)
        score += weights.overlap * share
    aged = 0.0
    if weights.age and now and hit.published:
        # Older reports lose to newer ones: against a report for each year it is older than the question's "now",
        # or than the start of the years the question names (for "What was the tariff in 2018?", a report of 2018
        # is not old).
        then = min(now, datetime(min(q.years), 1, 1, tzinfo=UTC)) if q.years else now
        if then > hit.published:
            aged = weights.age * (then - hit.published).days / 365.25
            score -= aged
    if since and hit.published:  # "... this week?": a report of the days the question means, not an older one
        score += weights.month if hit.published >= since else -weights.month
    if q.months:  # "... in June?": a report of that month, or a sentence naming it
        score += weights.month if in_months(hit, s_text, q.months) else -weights.month
    return Candidate(span, hit, s_text, text, value, score, share, aged)


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


def _other_label(sentence: str, at: int, asked: Question) -> bool:
    """The span at `at` is in a labelled line of a list ("Label: figure …") whose label names none of what the
    question names, when the question names a place or a name."""
    named = [*asked.subjects.countries, *asked.subjects.names]
    if (
        not named
        or not (m := _LABELLED.match(sentence))
        or at < m.end()
        or not measures.FIGURE.match(sentence, m.end())
    ):
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


def _overlap(text: str, rarity: dict[str, float]) -> float:
    """The share of the question's words, weighed by rarity, that the text holds."""
    have = words_of(text, set(rarity))
    total = sum(rarity.values())
    return sum(w for t, w in rarity.items() if t in have) / total if total else 0.0


def _covers(mention, start: int, end: int) -> bool:
    """The date mention is most of the span ("on Sunday", "Tuesday"): the span is a date."""
    return mention.end - mention.start >= 0.6 * (end - start)


def add_differing(differ: list[tuple[str, list[int]]], value: str, cite: int) -> None:
    """Another answer reported at the same time as a step's (a timeline's, a tariff line's): cited with the others
    of its normal form, else listed as a new one."""
    key = normal_form(value)
    other = next((d for d in differ if normal_form(d[0]) == key), None)
    if other is None:
        differ.append((value, [cite]))
    else:
        other[1].append(cite)


@lru_cache(maxsize=8192)
def answer_key(value: str) -> str:
    """What makes readings one answer: a country by any of its names ("the UK", "Britain", "the United Kingdom")
    is that country; anything else is its normal form with each word stemmed ("chicken nugget", "Chicken
    Nuggets"). "" when nothing is left."""
    if country := only_country(value):
        return country.lower()
    return " ".join(stem(w) for w in normal_form(value).split())


def normal_form(value: str) -> str:
    """SQuAD's normal form: lower case, no punctuation, no articles, single spaces ("25%" and "25 percent"
    agree)."""
    text = value.lower().replace("&", " and ").replace("per cent", "percent").replace("%", " percent")
    text = "".join(" " if ch in string.punctuation or ch in "“”‘’" else ch for ch in text)
    return " ".join(w for w in text.split() if w not in {"a", "an", "the"})
