"""What a figure is, and what kind of figure a question asks for; answering/figures.py picks, among a sentence's
figures, the one that answers.

The figures of a text (`figures`): a range is one figure ("a range of 3% to 3.25%"). What a figure is, by its
own words (`measure`): a percentage, a charge per unit ("$75 a tonne"), or an amount of money ("tariffs on $200
billion of Chinese goods"). What a question asks for (`Wanted`): a duty asks a rate (a percentage or a charge
per unit), an interest rate, inflation or unemployment a percentage, "how much ... goods" an amount, "how much
is a gallon" a price; never the value of the goods a duty covers for its rate. A rate question is answered
only by a sentence that names that rate (`rate_named` here, `names_rate` in answering/figures.py: "the key rate"
is the benchmark interest rate); a figure of a duty named for a reason the question does not name ("tied to
fentanyl") is a part of the duties, not their whole (`part_of`).

Which figure is in force (`status`): not one threatened, proposed or averted ("averted a 25% tariff"), not a
forecast or a goal ("expects growth of 2.8%", "its 2% target") unless the question asks what is expected or
could be, and for a question about now not a figure of the past ("a year ago ... 3.09%", "its peak of 9.1%", a
year named with it before the report's), a threshold crossed ("below 5%") or how much a rate moved ("by 25
basis points"), unless the question asks for that.

Patterns, not a parser: no well-kept library reads these roles of a figure in news copy, so the rules are here,
each with a test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from answering.dates import find_dates
from answering.roles import clause_of
from answering.subjects import countries_in
from embeddings.analysis import terms

FIGURE = re.compile(
    r"(?:US|C|A|NZ|HK)?[$€£¥]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:[mb]illion|trillion|bn|m)\b)?"
    r"|\b\d[\d,]*(?:\.\d+)?\s?(?:%|percent\b|per cent\b|percentage points?\b)"
    r"|\b\d[\d,]*(?:\.\d+)?\s(?:[mb]illion|trillion)\b(?:\s(?:dollars|euros|yuan|yen|pounds))?",
    re.I,
)
# The question asks for the figure that was replaced, threatened or in force before.
_ASKS_PRIOR = re.compile(
    r"\b(?:before|previous(?:ly)?|prior|former(?:ly)?|earlier|original(?:ly)?|initial(?:ly)?|threaten(?:ed|s)?|"
    r"replaced|old|used to|had been|from what|until)\b",
    re.I,
)


def asks_prior(question: str) -> bool:
    """ "What tariff had Trump threatened?", "What was the duty before the deal?": the replaced figure."""
    return bool(_ASKS_PRIOR.search(question))


# A range is one figure: "a range of 3% to 3.25%", "3%-3.25%", "between 3.75% and 4%", "zero to 0.25%"; "from 7.5%
# to 25%" is a change, not a range.
_RANGE_DASH = re.compile(r"\s*[-–—]\s*")
_RANGE_WORD = re.compile(r"\s+(?:to|and)\s+")
RANGE_BEFORE = re.compile(
    r"\b(?:range|ranges|ranging|between|band)\s+(?:of\s+|from\s+|between\s+)?(?:(?:about|just|roughly|around)\s+)?$",
    re.I,
)
_ZERO_TO = re.compile(
    r"\b(?:range|ranges|ranging|between|band)\s+(?:of\s+|from\s+|between\s+)?(?:(?:about|just|roughly|around)\s+)?"
    r"(zero|0)\s+(?:to|and)\s+$",
    re.I,
)


def figures(text: str) -> list[tuple[int, int]]:
    """The figures of a text as character spans, a range as one."""
    spans = [m.span() for m in FIGURE.finditer(text)]
    out: list[tuple[int, int]] = []
    for f in spans:
        if out:
            gap = text[out[-1][1] : f[0]]
            if _RANGE_DASH.fullmatch(gap) or (
                _RANGE_WORD.fullmatch(gap) and RANGE_BEFORE.search(text[max(0, out[-1][0] - 30) : out[-1][0]])
            ):
                out[-1] = (out[-1][0], f[1])
                continue
        if zero := _ZERO_TO.search(text[max(0, f[0] - 40) : f[0]]):
            f = (f[0] - (zero.end() - zero.start(1)), f[1])
        out.append(f)
    return out


# --- what a figure is, and what the question asks for ---------------------------------------------------------
# What a figure is by its own words: a percentage, a charge per unit ("$75 a tonne", "25 cents per pound"), or an
# amount (a sum of money without a unit: the value of the goods a duty covers, of the trade, of what it raises).
PERCENT, PER_UNIT, AMOUNT = "percent", "per unit", "amount"
# What a question asks for: a RATE (a duty is a percentage or a charge per unit), a PERCENT (an interest rate,
# inflation, unemployment, growth), an AMOUNT, or a PRICE (a sum, per unit or not).
RATE, PRICE = "rate", "price"
_PER_UNIT = re.compile(r"\s*(?:a|an|per|each|/)\s*(?:metric\s+|short\s+)?[a-z]+\b(?<!\bof)", re.I)
_PERCENTAGE = re.compile(r"%|\bper\s?cent\b|\bpercentage points?\b", re.I)
MONEY_MARK = re.compile(r"[$€£¥]|\b(?:[mb]illion|trillion|bn)\b", re.I)
_NO_CURRENCY = re.compile(r"^[^$€£¥]*$")
COUNTED = re.compile(  # "6 million barrels": a count of the things named after it
    r"\s+(?!(?:of|in|worth|dollars|euros|yuan|yen|pounds|a|an|the|and|or|to|from|for|on)\b)[a-z]+", re.I
)
# The question asks how much of something there is (goods covered, trade, revenue), not the rate charged on it.
_ASKS_AMOUNT = re.compile(
    r"(?<!\bby )\bhow much\b(?![^?]*\b(?:is|are|was|were|will be)\s+(?:the\s+|a\s+)?(?:[\w'’.-]+\s+){0,3}?"
    r"(?:tariffs?|dut(?:y|ies)|levy|levies|rates?)\b)"
    r"(?=[^?]*\b(?:goods|imports|exports|trade|products|worth|value|revenue|cover(?:s|ed|ing)?|raised?|collect\w*|cost|"
    r"billion|million|spend|spent)\b)"
    r"|\b(?:what|which)\s+(?:amount|value|sum)\b|\bhow many (?:billion|million)\b|\bworth of\b|\bvalue of\b",
    re.I,
)
_ASKS_PERCENT = re.compile(
    r"\b(?:percent(?:age)?|inflation|unemployment|jobless|interest|mortgage|yields?|growth|gdp|cpi)\b"
    # "How fast is the economy growing?", "How much did the economy contract?": a rate of growth
    r"|\b(?:how (?:fast|quickly)|econom(?:y|ies))\b[^?]*"
    r"\b(?:grow\w*|grew|ris(?:e|es|en|ing)|rose|contract\w*|expand\w*|shr[iu]nk\w*)\b",
    re.I,
)
# A price: "How much is a gallon of gas?", "What is the price of crude oil?" (a sum of money, per unit or not).
_ASKS_PRICE = re.compile(r"\b(?:prices?|costs?)\b|\bhow much (?:is|are|does|do|will|did|was|were)\b", re.I)
# ... but "tariff-free" or "duty-free" names no rate: "How much wheat can Egypt import tariff-free?" asks a quantity.
_ASKS_RATE = re.compile(r"\b(?:tariffs?|dut(?:y|ies)|levy|levies|rates?|fees?)\b(?!-free)", re.I)
# A figure that is not in force: one threatened, proposed or averted ("averted a 25% tariff", "the 30% rate Trump
# had threatened"), said in the few words before it or right after it in its clause.
_STATUS_WORDS = {
    "threatened": r"threat\w*|propos\w*|potential|possible|floated|mooted",
    "averted": r"avert\w*|avoid\w*|spared?|escap\w*|head(?:ed|s)? off|ward(?:ed|s)? off",
}
# ... and, for a question about what holds now, a figure that is a forecast or a goal ("expects the economy to
# grow 2.8%", "could rise to 4.1%", "its 2% target"), one of the past ("a year ago, the rate stood at 3.09%",
# "its peak of 9.1%", "had been using 2%"), or a change rather than a level ("raised rates by a quarter point").
_FORECAST = re.compile(
    r"\b(?:expect\w*|predict\w*|forecast\w*|project\w*|estimat\w*|anticipat\w*|could|might|may(?!\s+\d)|goal|"
    r"target(?:s|ed|ing)?(?!\s+(?:rate|range))|"
    r"aim\w*|until|sees?|seeing|(?<!has )(?<!have )(?<!had )seen|likely|outlook|"  # "has seen" is no forecast
    r"imagin\w*|suppos\w*|hypothetical\w*)\b",  # "Imagine nine stations selling gas for $3.99": a what-if
    re.I,
)
_FORECAST_AFTER = re.compile(
    r"^[^.;,]{0,30}?\b(?:next (?:year|month|quarter|week|spring|summer|autumn|fall|winter)|later this year|"
    r"by (?:the end of|year-end|december|the end)|"
    r"target|goal|forecast|projection)\b"
    r"|^\s*(?:[\w-]+\s+){0,2}?(?:would|could|might)\b",  # "$100 oil would lift prices": what if, not what is
    re.I,
)
# A time the sentence has named before: "That month, the Fed cut the rate to zero".
_THEN = r"that (?:day|week|month|year|spring|summer|autumn|fall|winter)|at the time|back then"
_PAST = re.compile(
    r"\b(?:a year (?:ago|earlier)|years? ago|last year|a decade ago|peak\w*|previous(?:ly)?|had been|used to|"
    rf"before the pandemic|pre-pandemic|at this time last year|{_THEN}|"
    r"an? (?:year|month|decade) after|(?:months|years) after)\b",  # "A year after inflation hit 9.1%, ..."
    re.I,
)
_WHAT_IF = re.compile(r"\W*(?:imagine|suppose|what if)\b", re.I)  # the whole sentence is a what-if
_PAST_OPENING = re.compile(rf"\W*(?:{_THEN}|then)\b", re.I)  # a sentence that opens so is all of then
_AS_EXPECTED = re.compile(r"\b(?:as|than)\s+(?:\w+\s+)?(?:expected|anticipated|forecast|projected|estimated)\b", re.I)
_PAST_AFTER = re.compile(  # not the base of a comparison: "prices rose 3.5% from a year earlier" is now
    r"^(?![^.;,]{0,30}?\b(?:from|than|over|on|compared (?:with|to)|versus|vs\.?)\s+(?:a year|last year|a decade))"
    r"[^.;,]{0,30}?\b(?:a year (?:ago|earlier)|last year|years? ago|a decade ago|earlier this year)\b",
    re.I,
)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# "since 2018", not "Since reaching 9.1% in June 2022, inflation has slowed"
_STILL = re.compile(
    r"\b(?:remains?|remained|still|since\s+(?:(?:early|late|mid-?)\s*)?(?:\w+\s+)?(?:19|20)\d\d|in place|in effect|"
    r"stands|unchanged)\b",
    re.I,
)
_CHANGE_UNIT = re.compile(r"\bpoints?\b", re.I)
_BOUND = re.compile(
    r"\b(?:below|above|under|past|beyond|more than|less than|at least|at most|exceed\w*|surpass\w*)\s+(?:the\s+)?$",
    re.I,
)
_STATUS_BEFORE = {k: re.compile(rf"\b(?:{v})\b(?:\W+\w+){{0,4}}?\W*$", re.I) for k, v in _STATUS_WORDS.items()}
_STATUS_AFTER = {k: re.compile(rf"^[^.;,]{{0,40}}?\b(?:{v})\b", re.I) for k, v in _STATUS_WORDS.items()}
_STATUS_ASKED = {k: re.compile(rf"\b(?:{v})\b", re.I) for k, v in _STATUS_WORDS.items()}
# Words that set two figures of one sentence apart, which a question may hold ("outside the quota").
CONTRAST = frozenset({"outside", "within", "inside", "above", "below", "beyond", "excess", "exceeding"})


def measure(sentence: str, f: tuple[int, int]) -> str | None:
    """What the figure at `f` is by its own words: a PERCENT, a charge PER_UNIT, an AMOUNT of money, or None (a
    plain number)."""
    text = sentence[f[0] : f[1]]
    if _PERCENTAGE.search(text):
        return PERCENT
    if MONEY_MARK.search(text) and not (_NO_CURRENCY.search(text) and COUNTED.match(sentence[f[1] : f[1] + 30])):
        return PER_UNIT if _PER_UNIT.match(sentence[f[1] : f[1] + 30]) else AMOUNT
    return None  # a plain number, or a count of things ("6 million barrels")


_MEASURES = {RATE: {PERCENT, PER_UNIT}, PERCENT: {PERCENT}, AMOUNT: {AMOUNT}, PRICE: {PER_UNIT, AMOUNT}}
# A duty named by what it answers ("the tariff tied to fentanyl", "duties linked to migration"): one part of what
# a country charges, not the whole of it, unless the question says so.
_TIED = re.compile(
    r"\b(?:tariffs?|dut(?:y|ies)|levy|levies)\s+(?:(?:that\s+(?:is|are|was|were)\s+)?(?:tied|linked|related|"
    r"connected)\s+to|over|in\s+response\s+to)\s+(?:the\s+)?((?:[\w'’-]+\s+){0,2}[\w'’-]+)",
    re.I,
)
# What a rate question is about: the words before its "rate" ("the Fed's benchmark interest rate", "the US
# unemployment rate"). A sentence gives that rate only when it names it, in one of the ways news says it (each
# group is one thing: the "key rate" is the benchmark interest rate; "jobless" is unemployment).
_RATE_HEAD = re.compile(r"((?:[\w'’-]+\s+){1,3}?)rates?\b", re.I)
_SAME_RATE = [
    frozenset(terms("interest benchmark key fund funds policy lending borrowing base bank")),
    frozenset(terms("inflation consumer prices cpi")),
    frozenset(terms("unemployment jobless")),
    frozenset(terms("mortgage")),
]
_NOT_HEAD = frozenset(terms("the a an what which is are was were its their current annual average national new"))


def rate_named(question: str) -> frozenset[str]:
    """The words that name the rate a question asks about (the analysed words before "rate", with the others
    news uses for the same rate), empty when it asks about no named rate (or about a duty: countries and goods
    say what a duty is on)."""
    if not (m := _RATE_HEAD.search(question)) or re.search(
        r"\b(?:tariffs?|dut(?:y|ies)|levy|levies)\b", m.group(0), re.I
    ):
        return frozenset()
    head = m.group(1)
    for c in reversed(countries_in(head)):
        head = f"{head[: c.start]} {head[c.end :]}"
    head = re.sub(r"\S*\d\S*", " ", head)  # "30-year": a kind of the rate, said many ways
    words = frozenset(terms(head)) - _NOT_HEAD
    same = {w for group in _SAME_RATE if words & group for w in group}
    return frozenset(words | same) if words else frozenset()


def part_of(sentence: str, f: tuple[int, int], asked: frozenset[str]) -> str | None:
    """The reason a duty in the figure's clause is named by ("fentanyl" in "the tariff tied to fentanyl on
    Chinese goods"), when the question (`asked`: its analysed words) does not name it: the figure is then a part
    of the duties, not their whole. None otherwise."""
    for m in _TIED.finditer(clause_of(sentence, f[0], alone=True)):
        named = [t for t in terms(m.group(1)) if t not in asked]
        if named:
            return m.group(1)
    return None


def _own_words(sentence: str, f: tuple[int, int], reach: int = 60, clause: bool = True) -> tuple[str, str]:
    """The words before and after the figure, up to the figures next to it (and, with `clause`, within its
    clause)."""
    before, after = sentence[max(0, f[0] - reach) : f[0]], sentence[f[1] : f[1] + reach]
    if clause:
        before = re.split(r"[;:]|,\s|\s[-–—]+\s", before)[-1]
    before = before[m.end() :] if (m := _last(FIGURE.finditer(before))) else before
    after = after[: m.start()] if (m := FIGURE.search(after)) else after
    return before, after


def status(sentence: str, f: tuple[int, int], reported: date | None = None) -> str | None:
    """What the figure's own words say it is when it is not the level in force: "threatened", "averted",
    "change" ("by a quarter point"), "bound" ("below 5%"), "forecast", "past" (`reported`: the report's day; a
    year named with the figure before the report's, or a day named with it more than PAST_DAYS before it, is the
    past); None for a figure in force."""
    before, after = _own_words(sentence, f)
    for kind in _STATUS_WORDS:
        if _STATUS_BEFORE[kind].search(before) or _STATUS_AFTER[kind].search(after):
            return kind
    if _CHANGE_UNIT.search(sentence[f[0] : f[1]]) or re.match(r"\s*points?\b", after, re.I):
        return "change"  # "by 25 basis points", "0.25 percentage points": how much a rate moved, not where it is
    if _BOUND.search(before):
        return "bound"  # "drop below 5%", "jumped past 6%": a threshold crossed, not the level
    wide, later = _own_words(sentence, f, 120, clause=False)  # "By the peak in July 1981, the rate topped 22%"
    reach = (f[0] - len(wide), f[1] + len(later))  # where the figure's own words are
    wide = _AS_EXPECTED.sub(" ", wide)  # "rose more than expected, to 3%" is no forecast
    if _FORECAST.search(wide) or _FORECAST_AFTER.search(later) or _WHAT_IF.match(sentence):
        return "forecast"
    label = sentence[max(0, f[0] - 16) : f[0]]  # "May 2022: 8.6%"
    around = f"{wide} {label} {later[:70]}"
    # "the 25% tariff imposed in 2018 remains", "in place since 2018": a year it began, not one it ended
    still = _STILL.search(around)
    years = [] if still else [int(y) for y in _YEAR.findall(around)]
    if (
        _PAST.search(wide)
        or _PAST_AFTER.search(later)
        or _PAST_OPENING.match(sentence)
        or (reported and years and max(years) < reported.year)
        or (reported and not still and _days_before(sentence, reach, reported))
    ):
        return "past"
    return None


PAST_DAYS = 30  # a figure said with a day this much before its report's is of then: "$65.76 a barrel on Dec. 1"
_PERIOD_START = re.compile(r"\b(?:since|from|after|than)\s+(?:the\s+)?$", re.I)  # "the lowest since Feb. 10"


def _days_before(sentence: str, reach: tuple[int, int], reported: date) -> bool:
    """The figure's own words (at `reach`) name days, all more than PAST_DAYS before the report's."""
    a, b = reach
    when = datetime(reported.year, reported.month, reported.day, tzinfo=UTC)
    days = [
        d.day
        for d in find_dates(sentence, when)
        if a <= d.start and d.end <= b and d.day and not _PERIOD_START.search(sentence[max(0, d.start - 12) : d.start])
    ]
    return bool(days) and max(days) < reported - timedelta(days=PAST_DAYS)


# The question asks for a forecast, or for a change ("by how much did it rise?") rather than a level.
_ASKS_FORECAST = re.compile(
    r"\b(?:expect\w*|predict\w*|forecast\w*|project\w*|estimat\w*|target\w*|goal|will|could|would|may(?!\s+\d)|might|"
    r"soon)\b",
    re.I,
)
_ASKS_SUM = re.compile(r"[$€£¥]|\b(?:dollars?|euros?|yuan|yen|pounds|billion|million|worth|value)\b", re.I)
_ASKS_CHANGE = re.compile(
    r"\bby how much\b|\bhow much (?:did|has|have|will|does|do|is|are|was|were)\b[^?]*\b(?:ris|rose|fall|fell|grow|grew|"
    r"shr[iu]nk|contract|expand|increas|decreas|climb|drop|jump|rais|cut|lower|hik|jump|slow|declin)\w*|\bhow fast\b",
    re.I,
)


@dataclass(frozen=True)
class Wanted:
    """What kind of figure a question asks for: its measure (a RATE, a PERCENT, an AMOUNT or a PRICE; None: any),
    the replaced figure of a change (`prior`), a figure that was threatened or averted rather than the one in
    force (`status`), the words that set it apart from another figure of its sentence (`contrast`), whether it
    asks what holds now (`now`: a figure of the past, a threshold and a change are then not the answer), what is
    expected or could be (`forecast`: else a forecast is never the answer), or how much something moved
    (`change`)."""

    measure: str | None = None
    prior: bool = False
    status: str | None = None
    contrast: frozenset[str] = frozenset()
    now: bool = False
    forecast: bool = False
    change: bool = False

    @classmethod
    def of(cls, question: str, *, now: bool = False) -> Wanted:
        asked = next((k for k, p in _STATUS_ASKED.items() if p.search(question)), None)
        # "How much did salmon exports fall?" asks the size of a change (a share or a sum), not an amount of goods.
        by_how_much = _ASKS_CHANGE.search(question) and not _ASKS_SUM.search(question)
        if _ASKS_AMOUNT.search(question) and not by_how_much:
            kind = AMOUNT
        elif _ASKS_PRICE.search(question) and not (_ASKS_RATE.search(question) or _ASKS_CHANGE.search(question)):
            kind = PRICE
        elif _ASKS_PERCENT.search(question):
            kind = PERCENT
        else:
            kind = RATE if _ASKS_RATE.search(question) else None
        forecast, change = bool(_ASKS_FORECAST.search(question)), bool(_ASKS_CHANGE.search(question))
        return cls(kind, asks_prior(question), asked, CONTRAST & lower_words(question), now, forecast, change)

    def accepts(self, sentence: str, f: tuple[int, int], reported: date | None = None) -> bool:
        """The figure can be the one asked: its measure is one the question asks for, it is in force unless the
        question asks what was threatened or averted (then it is that), it is no forecast unless one is asked,
        and for a question about now not a figure of the past (before the day it was `reported`), a threshold or a
        change."""
        kind = measure(sentence, f)
        if self.measure and kind and kind not in _MEASURES[self.measure]:
            return False
        if self.measure == PRICE and kind is None:
            return False  # "How much is a gallon of gas?" is a sum of money, not "130,000" stations
        said = status(sentence, f, reported)
        if self.status:
            return said == self.status or (said is None and self.prior)
        if said in _STATUS_WORDS:
            return False
        if said == "change":
            return self.change or not (self.measure or self.now)
        if said == "forecast":
            return self.forecast  # what was or is, unless the question asks what is expected
        if said == "bound":
            return not self.now
        if said == "past":
            return self.prior or not self.now
        return True


def _last(matches):
    found = None
    for found in matches:  # noqa: B007 - the last one is wanted
        pass
    return found


def lower_words(text: str) -> frozenset[str]:
    return frozenset(w.lower() for w in re.findall(r"[A-Za-z]+", text))
