"""Reading a question, shared by both answerers (the trained reader's path, answering/answer.py, and the rules
answerer, answering/rules.py), so that neither depends on the other for it: which sentence of the question asks
(`asked_part`), what kind of answer it wants (`answer_type`: the patterns of `_TYPE_RULES`, then the typed noun
after which/what/this from `_HEAD_NOUNS`), and the months it pins its time to (`months_named`). Whether it asks
for a list ("which two countries ...": `_asks_for_several`) is read from the same noun tables, so it is here too,
though only the rules answerer asks it.

`in_months` is here, though it also looks at a passage, because it is the other half of `months_named`: the test
of a passage against the months the question names, by the same month names, and both answerers weigh sentences
by it. It uses nothing of either answerer.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from enum import StrEnum

from embeddings.analysis import terms
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
_ASKING = re.compile(r"\b(?:what|which|who|whom|whose|when|where|why|how)\b", re.I)


def asked_part(question: str) -> str:
    """The last sentence of the question that asks something (the whole question when none does)."""
    parts = [p for p in _SENTENCE_BREAK.split(question.strip()) if p]
    asking = [p for p in parts if _ASKING.search(p)]
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
    from answering.subjects import countries_in

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


# "Who won …?", "Which party will win …?": the question asks who wins, so the evidence must say someone won.
_ASKS_WINNER = re.compile(r"\b(?:won|wins?|winning|winners?|victor|victorious|prevailed)\b", re.I)
# A win said ("won", "victory", "was elected", "defeated") in a sentence; not one hoped for or forecast.
_WIN_SAID = re.compile(
    r"\b(?:won|wins|winning|winners?|victory|victorious|triumph(?:ed|s)?|landslide|(?:re-?)?elected|defeated|"
    r"beat|prevailed|sworn in)\b",
    re.I,
)
_WIN_HOPED = re.compile(
    r"\b(?:hopes?|hoping|hoped|expects?|expected|seeks?|seeking|bids?|aims?|aiming|likely|plans?|wants?|tries|"
    r"trying|vows?|vowed|favou?red|poised|set|could|may|might|would|will|to)\s+"
    r"(?:\w+\s+)?(?:to\s+)?(?:win|be elected)\b",
    re.I,
)
# Kinds of election: a question about one is not answered by a story about another ("presidential" / "local").
# A general election elects a president and a parliament (Kenya, Brazil) or a parliament (Britain).
_VOTE = r"(?:elections?|polls?|votes?)"
_ELECTION_KINDS = {
    "presidential": re.compile(r"\bpresidential\b|\bgeneral\s+elections?\b", re.I),
    "parliamentary": re.compile(rf"\b(?:parliamentary|legislative|general|national|federal|snap)\s+{_VOTE}\b", re.I),
    "midterm": re.compile(r"\bmid-?terms?\b|\bcongressional\s+elections?\b", re.I),
    "local": re.compile(rf"\b(?:local|municipal|regional|mayoral|state|provincial|gubernatorial)\s+{_VOTE}\b", re.I),
    "primary": re.compile(r"\b(?:primary|primaries|runoff|run-off|second round)\b", re.I),
}
_ELECTION = re.compile(r"\b(?:elections?|polls?|votes?|primary|primaries|runoff)\b", re.I)


def asks_winner(question: str) -> bool:
    """ "Who won Kenya's election?", "Which party will win the vote?": the winner of an election is asked (not
    "when is the vote"; a prize or a match is won in too many ways to require one)."""
    asked = asked_part(question) or question
    if re.search(r"\bwhen\b", asked, re.I) or not _ASKING.search(asked) or not _ASKS_WINNER.search(asked):
        return False
    return bool(_ELECTION.search(asked) or re.search(r"\b(?:seats?|race|leadership contest)\b", asked, re.I))


def win_said(sentence: str) -> bool:
    """The sentence says someone won ("won Monday's election", "was elected"), not only that they hope to."""
    hoped = [m.span() for m in _WIN_HOPED.finditer(sentence)]
    return any(not any(a <= m.start() < b for a, b in hoped) for m in _WIN_SAID.finditer(sentence))


def election_kinds(text: str) -> set[str]:
    """The kinds of election a text names ("presidential", "local"): of a question, only when it asks about an
    election."""
    return {kind for kind, pattern in _ELECTION_KINDS.items() if pattern.search(text)}


def election_asked(question: str) -> set[str] | None:
    """The kinds of election a question about an election names (an empty set: an election, of no kind named);
    None when it asks about no election."""
    asked = asked_part(question) or question
    return election_kinds(asked) if _ELECTION.search(asked) else None


def election_said(text: str) -> bool:
    return bool(_ELECTION.search(text))


# An office a "who" question asks for: "Canada's economy minister", "the US trade representative", "the
# president of Mexico's electoral institute": the head noun and the words of the office before it.
_OFFICES = "|".join(
    [
        r"minister|president|premier|chief (?:executive|economist|negotiator|[a-z]+ officer)|chancellor|secretary",
        r"representative",
        r"governor|chair(?:man|woman|person)?|ceo|chief|head|leader|spokes(?:man|woman|person)|ambassador",
        r"commissioner|director|mayor|speaker|envoy|negotiator|treasurer|attorney general|justice|judge|king",
        r"queen|monarch|emperor|pope|coach|captain|manager|founder",
    ]
)
_OFFICE_ASKED = re.compile(
    r"^\s*who\s+(?:is|was|are|were|will be|has been|became|becomes)\s+(?:(?:the|a|an)\s+)?"
    rf"(?:new\s+|current\s+|next\s+)?(?:[\w.’'-]+(?:['’]s)\s+)?(?P<before>(?:[a-z][\w-]*\s+){{0,2}}?)"
    rf"(?P<office>{_OFFICES})\b",
    re.I,
)
# "Who chairs Kenya's electoral commission?": the office is the verb's ("leads" and "heads" are said too many ways).
_OFFICE_VERB = re.compile(r"^\s*who\s+(chair)(?:s|ed)?\b", re.I)
_NOT_OFFICE_WORDS = {"new", "current", "next", "former", "acting", "interim", "top"}


def office_asked(question: str) -> set[str]:
    """The words of the office a "who is …" question asks for ({"economy", "minister"}), lower case, without
    the country it names; empty when it asks no office."""
    from answering.subjects import countries_in

    asked = asked_part(question) or question
    if verb := _OFFICE_VERB.search(asked):
        return {verb.group(1).lower()}
    m = _OFFICE_ASKED.search(asked)
    if not m:
        return set()
    before = [w.lower() for w in m.group("before").split() if not countries_in(w)]
    return {w for w in before if w not in _NOT_OFFICE_WORDS} | {m.group("office").lower()}
