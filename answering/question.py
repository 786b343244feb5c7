"""Reading a question, once (`Question.read`): which sentence of it asks (`asked_part`), what kind of answer it
wants (`answer_type`: the patterns of `_TYPE_RULES`, then the typed noun after which/what/this from
`_HEAD_NOUNS`), the months, years and period it pins its time to, what a "how many" counts, whether it asks a
duty, a day still to come, or the current state of things; with answering/subjects.py, roles.py, measures.py
and events.py, what it names, who charges and who pays, the figure it wants, and the event or office it asks
about. `Question` holds all of it for retrieval, the reader, the checks after it, `decide`, `timeline` and
standing questions; the rules baseline of the benchmarks (bench/rules.py) reads the same functions.

`in_months` is here, though it also looks at a passage, because it is the other half of `months_named`: the test
of a passage against the months the question names, by the same month names.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import StrEnum

from answering.events import ASKING, asks_winner, election_asked, office_asked
from answering.measures import Wanted, rate_named
from answering.roles import Roles, roles
from answering.subjects import Subjects, countries_in, lies_in, subjects
from embeddings.analysis import terms, terms_held
from embeddings.models import Hit


class AnswerType(StrEnum):
    DATE = "date"
    PERSON = "person"
    ORG = "organisation"
    WHO = "person or organisation"
    PLACE = "place"
    LOCALITY = "place within a country"  # "which state", "what city": a country is not the answer
    PERCENT = "percent"
    MONEY = "money"
    QUANTITY = "amount"  # how much: money, percent or a number
    NUMBER = "number"
    NAME = "name"  # "which drug", "what is the name of": any proper name, else the sentence
    TITLE = "title"  # "which film", "what show": a work's title, quoted in news copy; else a name
    GENERIC = "statement"


_TYPE_RULES: list[tuple[re.Pattern[str], AnswerType]] = [
    (
        re.compile(
            r"^\s*(when|by when|until when|since when)\b|\bwhat (date|day|time|year|month)\b"
            r"|\bwhich (date|day|year|month)\b|\bhow soon\b",
            re.I,
        ),
        AnswerType.DATE,
    ),
    (
        re.compile(
            r"\b(what|which) (percent|percentage|rate|tariff rate|tariff|level of tariffs?|duty|levy)\b"
            r"|\bhow high\b|\bby how much\b|\bwhat share\b"
            r"|\b(how (fast|quickly)|how much\b[^?]*\beconom(y|ies))\b[^?]*\b(grow|grew|rise|rose|risen|rising|contract"
            r"|expand|shr[iu]nk)"
            r"|\bwhat (is|are|was|were|will be) (the )?([\w'’.-]+ ){0,5}(tariffs?|dut(y|ies)|rates?|levy|levies)"
            r"\b(?!-free)",
            re.I,
        ),
        AnswerType.PERCENT,
    ),
    (
        re.compile(
            r"\bhow much\b.*\b(cost|worth|money|spend|pay|raise|revenue|value|dollars?|billion|million|invest"
            r"|investment|buy|purchase|collect)"
            r"|\b(what|which) ([\w-]+ ){0,2}?(price|amount|value)s?\b",
            re.I,
        ),
        AnswerType.MONEY,
    ),
    (re.compile(r"\bhow much\b", re.I), AnswerType.QUANTITY),
    (
        re.compile(
            r"\bhow (many|old)\b|\b(what|which) ((is|was|were|are) (the|its|his|her|their) )?(magnitude|age)\b", re.I
        ),
        AnswerType.NUMBER,
    ),
    (
        re.compile(r"\b(which|what) (us |u\.s\. )?(city|cities|state|states|province|region|town|county)\b", re.I),
        AnswerType.LOCALITY,
    ),
    (
        re.compile(r"^\s*where\b|\b(which|what) (country|countries|nation|place)\b", re.I),
        AnswerType.PLACE,
    ),
    (
        re.compile(
            r"\b(which|what) (company|companies|firm|automaker|carmaker|party|agency|organization|"
            r"organisation|bank|group|union|outlet)\b",
            re.I,
        ),
        AnswerType.ORG,
    ),
    (
        re.compile(r"^\s*(who|whom)\b|\bwho (is|was|will|would|has|had|did|does|leads|won|said)\b", re.I),
        AnswerType.WHO,
    ),
]


# "Which steel executive ...", "what shipping company ...", "in this port city ...": the noun after the question
# word names the kind of answer wanted.
_HEAD_NOUNS: dict[AnswerType, set[str]] = {
    AnswerType.PERSON: set(
        "champion author writer novelist poet star singer rapper musician actor actress comedian host presenter "
        "athlete player footballer golfer boxer swimmer gymnast skater runner quarterback pitcher coach pilot "
        "astronaut scientist doctor judge lawyer senator congressman congresswoman lawmaker politician candidate "
        "governor mayor minister president chancellor leader official ceo executive founder billionaire "
        "businessman businesswoman celebrity artist painter designer director filmmaker producer journalist "
        "reporter anchor king queen prince princess monarch pope royal winner nominee person man woman activist "
        "chef influencer entrepreneur tycoon spokesperson spokesman spokeswoman heir legend icon".split()
    ),
    AnswerType.ORG: set(
        "company firm business brand retailer chain airline carmaker automaker manufacturer maker bank university "
        "college school team club franchise network broadcaster channel newspaper magazine publication outlet "
        "studio label band party agency organization organisation charity app platform streamer website startup "
        "giant conglomerate museum gallery restaurant cafe hotel store league".split()
    ),
    AnswerType.PLACE: set("country nation continent jurisdiction territory area".split()),
    AnswerType.QUANTITY: set("figure sum total".split()),
    AnswerType.TITLE: set(
        "film movie show series sitcom drama documentary song single album book novel memoir play musical opera "
        "game painting poem".split()
    ),
    AnswerType.LOCALITY: set(
        "state city town village island region province county capital district neighborhood neighbourhood port".split()
    ),
}
_AUXILIARIES = set(
    "is was are were be been do does did has have had will would can could should may might must".split()
)
_HEAD_NOUN = re.compile(r"\b(?:which|what|this)((?:\s+[\w'’.-]+){1,6})", re.I)


def _head_nouns(question: str) -> Iterator[tuple[AnswerType, str]]:
    """(type, word) of each typed noun in the phrases after which/what/this (within six words): "which two
    automakers" -> (ORG, "automakers"). A capitalised word is part of a name ("Ohio State University"), not the
    kind of thing asked for; an auxiliary verb ends the phrase ("what did the minister say")."""
    for match in _HEAD_NOUN.finditer(question):
        for word in match.group(1).split():
            if not word[0].islower():
                continue
            word = word.strip(".,'’?")
            if word in _AUXILIARIES:
                break
            for atype, nouns in _HEAD_NOUNS.items():
                if {word, *_singulars(word)} & nouns:
                    yield atype, word
                    break


def _head_noun_type(question: str) -> AnswerType | None:
    """The kind of answer the first typed noun after which/what/this asks for."""
    return next((atype for atype, _ in _head_nouns(question)), None)


# "Which alloy ...", "what is the name of ...": a thing with a name, of a kind not listed above.
_NAME_QUESTION = re.compile(
    r"\b(?:which|what)\s+(?!(?:is|was|are|were|do|does|did|has|have|had|will|would|can|could|should|might|may|"
    r"happened|about|if|else|kind|type|sort|to|of|he|she|it|they|we|you)\b)[a-z]|\bwhat (?:is|was) the name\b",
    re.I,
)

# "And when ...?", "So who ...?": a follow-up's opening word does not change what is asked.
_LEAD_IN = re.compile(r"^\s*(?:(?:and|but|so|then|also|ok|okay|well)\b[,\s]*)+", re.I)


# "Scientists found a new glacier crack. Where is it?": the sentence that asks is the one to type.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[\"“]?[A-Z])")


def asked_part(question: str) -> str:
    """The last sentence of the question that asks something (the whole question when none does)."""
    parts = [p for p in _SENTENCE_BREAK.split(question.strip()) if p]
    asking = [p for p in parts if ASKING.search(p)]
    return asking[-1] if asking else question


def answer_type(question: str) -> AnswerType:
    question = _LEAD_IN.sub("", asked_part(question))
    for pattern, atype in _TYPE_RULES:
        if pattern.search(question):
            return atype
    if typed := _head_noun_type(question):
        return typed
    if asks_duty(question):
        return AnswerType.PERCENT  # "What US duty applies to shrimp?": a rate
    return AnswerType.NAME if _NAME_QUESTION.search(question) else AnswerType.GENERIC


# "What US duty applies …?", "What tariff does Brazil charge …?": a rate is asked, whatever else the question says.
_WHAT_DUTY = re.compile(
    r"\b(?:what|which)\s+(?!kinds?\b|types?\b|sorts?\b)(?:[\w.'’-]+\s+){0,3}?(?:tariffs?|dut(?:y|ies)|levy|levies)\b(?!-free)",
    re.I,
)


def asks_duty(question: str) -> bool:
    """The question asks what a duty is ("What US duty applies to shrimp?"): a rate or a sum answers it."""
    return bool(_WHAT_DUTY.search(asked_part(question) or question))


_COUNTRY_ASKED = re.compile(r"\b(?:which|what|this)\s+((?:[\w-]+\s+){0,2}?)(?:country|nation)(?:['’]s)?(?!\w)", re.I)
# Where a country the question describes lies ("which Asian country"): countryinfo's region or subregion.
_WHERE = {
    "european": "Europe", "asian": "Asia", "african": "Africa", "north african": "Northern Africa",
    "sub-saharan": "Sub-Saharan Africa", "latin american": "Latin America and the Caribbean",
    "south american": "Latin America and the Caribbean", "central american": "Latin America and the Caribbean",
    "caribbean": "Latin America and the Caribbean", "middle eastern": "Western Asia", "gulf": "Western Asia",
    "pacific": "Oceania", "scandinavian": "Northern Europe", "nordic": "Northern Europe",
    "baltic": "Northern Europe", "southeast asian": "South-eastern Asia", "east asian": "Eastern Asia",
    "south asian": "Southern Asia", "central asian": "Central Asia", "eastern european": "Eastern Europe",
    "western european": "Western Europe",
}  # fmt: skip


def asks_country(question: str) -> tuple[bool, str | None]:
    """ "Which country …?", "which European nation …?", "… which country's ambassador?": whether one country is
    the answer, and the region (countryinfo's region or subregion) the question places it in."""
    match = _COUNTRY_ASKED.search(asked_part(question))
    if not match:
        return False, None
    words = match.group(1).lower().split()
    for n in (2, 1):  # "North African" before "African"
        for i in range(len(words) - n + 1):
            if where := _WHERE.get(" ".join(words[i : i + n])):
                return True, where
    return True, None


_SEVERAL = re.compile(r"\b(?:which|what)\s+(?:two|three|four|five|both|several)\b", re.I)


def _singulars(word: str) -> set[str]:
    """What a plural noun's singular may be: cities -> city, matches -> match, teams -> team."""
    return {word[:-3] + "y", word[:-2], word[:-1]} if word.endswith("s") and len(word) > 3 else set()


def _asks_for_several(question: str) -> bool:
    """ "Which two countries ...", "which companies ...": the answer is a list."""
    return bool(_SEVERAL.search(question)) or any(
        word not in _HEAD_NOUNS[atype] for atype, word in _head_nouns(question)
    )


_MONTH_NAMES = [m.lower() for m in calendar.month_name[1:]]


def months_named(question: str) -> set[int]:
    """Months the question pins its time to ("... in May?")."""
    found = re.findall(
        r"\b(?:in|during|since|by|of|early|mid|late)[- ]+(" + "|".join(_MONTH_NAMES) + r")\b", question, re.I
    )
    return {_MONTH_NAMES.index(m.lower()) + 1 for m in found}


_YEAR_NAMED = re.compile(
    r"(?<!\bbefore )(?<!\buntil )(?<!\bprior to )(?<!\bby )(?<![-–])\b((?:19|20)\d\d)\b(?!\s*[-–]\s*\d)", re.I
)


def years_named(question: str) -> set[int]:
    """Years the question pins its time to ("... in the first quarter of 2022?", "since 2018"); not one it asks
    about the time before ("before 2020", "by 2030"), nor a span of years."""
    return {int(y) for y in _YEAR_NAMED.findall(asked_part(question) or question)}


_PERIODS = [  # (what a question says, the days before its "now" that it means)
    (re.compile(r"\b(?:today|tonight|yesterday|this morning|this afternoon|this evening)\b", re.I), 2),
    (re.compile(r"\b(?:this|past) week(?:end)?\b|\b(?:last|past) (?:few|several) days\b", re.I), 7),
    (re.compile(r"\blast week(?:end)?\b", re.I), 14),
]


def period_named(question: str) -> int | None:
    """How many days back the question's time words reach ("this week": 7, "yesterday": 2); None without any.
    The whole question is read: "… this week. Who won?" puts its time in the sentence before the one that asks."""
    return next((days for pattern, days in _PERIODS if pattern.search(question)), None)


_HOW_MANY = re.compile(r"\bhow (?:many|much)\s+((?:[\w'’-]+\s+){0,2}[\w'’-]+)", re.I)


def counted_words(question: str) -> set[str]:
    """What a "how many" (or "how much [goods]") question counts: the analysed words of the (up to three) words
    after it, to an auxiliary verb ("How many lives has …" -> {"live"}; "How much Russian barley can …" ->
    {"barley"}: a country's name says whose, not what); empty when it asks no count of a thing."""
    asked = asked_part(question)
    match = _HOW_MANY.search(asked)
    if not match:
        return set()
    words = []
    for word in match.group(1).split():
        if word.lower() in _AUXILIARIES:
            break
        words.append(word)
    said = " ".join(words)
    for m in reversed(countries_in(said)):
        said = said[: m.start] + said[m.end :]
    return set(terms(said))


def in_months(hit: Hit, sentence: str, months: set[int]) -> bool:
    if hit.published and hit.published.month in months:
        return True
    return any(re.search(rf"\b{_MONTH_NAMES[m - 1]}\b", sentence, re.I) for m in months)


# "When will …?", "When is the decision due?": a day still to come when the report was written.
_ASKS_AHEAD = re.compile(
    r"\bwhen\s+(?:will|would|(?:is|are)\b[^?]*\b(?:due|expected|scheduled|set to|planned|to take effect))\b", re.I
)


def asks_ahead(question: str) -> bool:
    """The question asks when something is yet to happen ("When will Korea decide …?"): a day its report already
    had behind it ("proposed … on Wednesday") is not the answer."""
    return bool(_ASKS_AHEAD.search(asked_part(question) or question))


# The longest question `ask` takes. The reader reads a question's first 48 word pieces (about 250 characters of
# English); a quiz question with a sentence of context before it runs longer (at most 364 characters among
# RealTime QA's 6,613), and the rest still helps find passages. `/ask` takes as many.
MAX_QUESTION_CHARS = 500

_NOW = re.compile(
    r"\b(?:is|are|isn't|aren't|do|does|now|current(?:ly)?|latest|still|today|so far)\b"
    r"|\b(?:what|who|where|how|which)['’]s\b",
    re.I,
)
_PAST = re.compile(r"\b(?:was|were|did|had|ago|last (?:year|month|week)|(?:19|20)\d\d)\b", re.I)


def asks_about_now(question: str) -> bool:
    """ "What is the duty on Canadian lumber?": the current state, which newer reports may have changed."""
    asked = asked_part(question)
    return bool(_NOW.search(asked)) and not _PAST.search(asked)


def words_of(text: str, wanted: set[str] | None = None) -> set[str]:
    """A text's analysed words (of them, those `wanted`), a country counted as one word however it is written
    ("Canada's", "Canadian")."""
    mentions = countries_in(text)
    for m in reversed(mentions):
        text = f"{text[: m.start]} {text[m.end :]}"
    words = set(terms(text)) if wanted is None else terms_held(text, wanted)
    return words | {f"@{m.country}" for m in mentions}


@dataclass(frozen=True)
class CountryAsked:
    """A "which country" question's answer is a country it does not name itself ("Canada expelled which
    country's ambassador?"), in the region it says ("which Asian country")."""

    named: frozenset[str]
    region: str | None

    def allows(self, country: str) -> bool:
        return country not in self.named and (self.region is None or lies_in(country, self.region))


@dataclass(frozen=True, kw_only=True)
class Question:
    """A question read once (`Question.read`), for everything that answers it: retrieval, the reader, the checks
    after it, the choice among answers, `timeline` and standing questions. Nothing downstream reads the text
    again for what is here."""

    text: str  # the question, its spaces made single
    context: str = ""  # the earlier question when this one follows up on it
    asked: str  # the sentence of it that asks (asked_part)
    kind: AnswerType  # what kind of thing answers it (answer_type)
    subjects: Subjects  # the countries, names and products it names
    roles: Roles  # who charges and who pays, as the sentence that asks says
    countries: frozenset[str]  # the countries the whole question names
    country: CountryAsked | None  # "Which country …?"; None when it asks no country
    counted: frozenset[str]  # what a "how many" counts (counted_words)
    rate: frozenset[str]  # the words that name the rate it asks about (measures.rate_named)
    wanted: Wanted  # the kind of figure it asks for, and whether it asks what holds now
    years: frozenset[int]  # the years it pins its time to (years_named)
    months: frozenset[int]  # the months it pins its time to (months_named)
    period: int | None  # the days before its "now" that "this week", "yesterday" mean (period_named)
    winner: bool  # it asks who won an election (events.asks_winner)
    elections: frozenset[str] | None  # the kinds of election it asks about (events.election_asked)
    office: frozenset[str]  # the analysed words of the office a "who is" asks for (events.office_asked)
    duty: bool  # "What duty …?": it asks a rate, so only a rate or an amount answers
    ahead: bool  # "When will …?": a day still to come when it was reported (asks_ahead)
    now: bool  # it asks about the current state of things (asks_about_now)
    words: frozenset[str]  # the asked sentence's analysed words, a country as one (words_of): weighed by rarity
    terms: frozenset[str]  # the whole question's analysed words

    @classmethod
    def read(cls, text: str, context: str = "") -> Question:
        """Read a question, or a one-line error: empty, or longer than MAX_QUESTION_CHARS."""
        from embeddings.errors import TradewireError

        text, context = " ".join(text.split()), " ".join(context.split())
        if not text:
            raise TradewireError("the question is empty")
        if len(text) > MAX_QUESTION_CHARS:
            raise TradewireError(f"the question is {len(text):,} characters; the limit is {MAX_QUESTION_CHARS:,}")
        asked = asked_part(text) or text
        countries = frozenset(m.country for m in countries_in(text))
        asks, region = asks_country(text)
        now = asks_about_now(text)
        return cls(
            text=text,
            context=context,
            asked=asked,
            kind=answer_type(text),
            subjects=subjects(asked),
            roles=roles(asked),
            countries=countries,
            country=CountryAsked(countries, region) if asks else None,
            counted=frozenset(counted_words(text)),
            rate=rate_named(asked),
            wanted=Wanted.of(text, now=now),
            years=frozenset(years_named(text)),
            months=frozenset(months_named(text)),
            period=period_named(text),
            winner=asks_winner(asked),
            elections=None if (kinds := election_asked(asked)) is None else frozenset(kinds),
            office=frozenset(terms(" ".join(office_asked(asked)))),
            duty=asks_duty(text),
            ahead=asks_ahead(text),
            now=now,
            words=frozenset(words_of(asked)),
            terms=frozenset(terms(text)),
        )

    @classmethod
    def of(cls, question: str | Question, context: str = "") -> Question:
        """The question read, unless it already is (then with `context`, when one is given)."""
        if not isinstance(question, Question):
            return cls.read(question, context)
        context = " ".join(context.split())
        return replace(question, context=context) if context and context != question.context else question

    @property
    def query(self) -> str:
        """What retrieval searches for: the question, and a follow-up's earlier question."""
        return f"{self.text} {self.context}" if self.context else self.text
