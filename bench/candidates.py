"""Typed answer candidates in a sentence for the rules baseline (bench/rules.py): people, organisations,
places, numbers, percentages, money, dates.

Rules rather than a statistical tagger: news prose is regular enough (titles before names, "$" before
amounts, "%" after rates), and every candidate is a literal span of the sentence, so an answer can always be
checked against the sentence it is quoted from. The trained reader (answering/reader.py) proposes its own spans;
of these patterns it keeps only the percentages and amounts of `answering.extract.fact_kind`.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from answering.dates import find_dates
from answering.extract import MONEY, PERCENT
from answering.question import AnswerType


@dataclass
class Candidate:
    start: int
    end: int
    text: str
    value: str  # what the answer line shows
    kind: AnswerType
    exact: bool = True  # False for relative or partial dates ("on Monday", "in May")


# A work's title as news copy quotes it: “House of the Dragon”, "Succession". Short, capitalised, and not
# ending a sentence (which a quoted remark does).
_TITLE = re.compile(r"[“\"](?=[A-Z0-9])[^“”\"]{1,60}?(?<![.,!?;:])[”\"]")
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    "seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|dozen|dozens"
)
_NUMBER = re.compile(
    rf"\b(?:\d[\d,]*(?:\.\d+)?|(?:{_NUMBER_WORDS})(?:[- ](?:{_NUMBER_WORDS}))*)"
    r"(?:\s(?:million|billion|trillion|thousand|hundred))?\b",
    re.I,
)
_CAPS_RUN = re.compile(
    r"(?<![\w])(?:[A-Z][\w'’.&-]*|\d+(?:st|nd|th|rd))(?:\s+(?:(?:of|and|the|der|den|de|la|le|da|di|for|du|von|"
    r"van|al|bin|&)(?=\s)|[A-Z][\w'’.&-]*)){0,10}"
)
TITLES = {
    "president",
    "vice",
    "prime",
    "minister",
    "secretary",
    "chancellor",
    "premier",
    "governor",
    "senator",
    "sen.",
    "rep.",
    "gov.",
    "representative",
    "ambassador",
    "commissioner",
    "chair",
    "chairman",
    "chairwoman",
    "chief",
    "executive",
    "ceo",
    "cfo",
    "director",
    "trade",
    "finance",
    "commerce",
    "treasury",
    "foreign",
    "economy",
    "economic",
    "state",
    "deputy",
    "mr.",
    "ms.",
    "mrs.",
    "dr.",
    "leader",
    "king",
    "queen",
    "speaker",
    "lawmaker",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "former",
    "general",
    "attorney",
    "justice",
    "judge",
    "envoy",
    "negotiator",
    "top",
    "new",
    "acting",
    "officer",
    "party",
}
ORG_WORDS = {
    "inc",
    "inc.",
    "corp",
    "corp.",
    "co",
    "co.",
    "ltd",
    "ltd.",
    "llc",
    "plc",
    "group",
    "party",
    "union",
    "commission",
    "ministry",
    "department",
    "office",
    "bank",
    "council",
    "committee",
    "agency",
    "association",
    "organization",
    "organisation",
    "house",
    "congress",
    "senate",
    "parliament",
    "court",
    "administration",
    "motors",
    "company",
    "federation",
    "reserve",
    "fund",
    "exchange",
    "institute",
    "newswires",
    "journal",
    "times",
    "post",
    "news",
    "reuters",
    "network",
    "airlines",
    "holdings",
}
_SKIP_WORDS = {
    "the",
    "a",
    "an",
    "in",
    "on",
    "at",
    "but",
    "and",
    "or",
    "if",
    "as",
    "while",
    "after",
    "before",
    "since",
    "when",
    "this",
    "that",
    "these",
    "those",
    "it",
    "its",
    "he",
    "she",
    "they",
    "we",
    "i",
    "his",
    "her",
    "their",
    "our",
    "meanwhile",
    "however",
    "also",
    "still",
    "last",
    "next",
    "earlier",
    "later",
    "according",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    *(m.lower() for m in calendar.month_name[1:]),
}


@lru_cache(maxsize=1)
def place_names() -> dict[str, str]:
    """Lower-cased place names and aliases -> the name to show."""
    import pycountry

    names: dict[str, str] = {}
    for country in pycountry.countries:
        shown = getattr(country, "common_name", None) or country.name
        for n in {country.name, shown, getattr(country, "official_name", country.name)}:
            names[n.lower()] = shown
    extra = {
        "u.s.": "United States",
        "us": "United States",
        "united states": "United States",
        "america": "United States",
        "u.k.": "United Kingdom",
        "uk": "United Kingdom",
        "britain": "United Kingdom",
        "great britain": "United Kingdom",
        "eu": "European Union",
        "european union": "European Union",
        "south korea": "South Korea",
        "north korea": "North Korea",
        "russia": "Russia",
        "taiwan": "Taiwan",
        "vietnam": "Vietnam",
        "iran": "Iran",
        "syria": "Syria",
        "venezuela": "Venezuela",
        "bolivia": "Bolivia",
        "laos": "Laos",
        "moldova": "Moldova",
        "tanzania": "Tanzania",
        "czech republic": "Czech Republic",
        "hong kong": "Hong Kong",
        "the netherlands": "Netherlands",
        "holland": "Netherlands",
    }
    names.update(extra)
    return names


_ABBREVIATION = re.compile(r"^(?:[A-Z]\.){2,}$|^(?:Inc|Corp|Co|Ltd|Jr|Sr)\.$")
_DEMONYMS = {
    "canadian",
    "american",
    "chinese",
    "mexican",
    "european",
    "british",
    "japanese",
    "german",
    "french",
    "indian",
    "korean",
    "federal",
    "republican",
    "democratic",
    "democrat",
}


def _entity_runs(sentence: str) -> list[tuple[int, int, str, bool]]:
    """(start, end, text, titled) of capitalised runs; `titled` when a title such as "Minister" led it."""
    runs = []
    for m in _CAPS_RUN.finditer(sentence):
        # A run like "Finance Minister Dominic LeBlanc and Commerce Secretary Howard Lutnick" is two names.
        for part in re.finditer(r"(?:(?! and ).)+", m.group()):
            words = part.group().split()
            offset = m.start() + part.start()
            titled = False
            # Drop sentence glue, demonyms and titles in front; keep what follows the last title word.
            last_title = max((i for i, w in enumerate(words) if w.lower() in TITLES), default=-1)
            if 0 <= last_title < len(words) - 1:
                titled = True
                words = words[last_title + 1 :]
            while words and (words[0].lower().strip(".,;:") in _SKIP_WORDS | _DEMONYMS | TITLES):
                name = " ".join(words).rstrip(".,'’").lower()
                if name in place_names() or name.split()[-1] in ORG_WORDS:
                    break  # "European Union", "Canadian Senate": the modifier is part of the name
                words.pop(0)
            while words and words[-1].lower() in {"of", "and", "the", "de", "for", "&", "du", "al"}:
                words.pop()
            if not words:
                continue
            if not _ABBREVIATION.match(words[-1]):
                words[-1] = words[-1].rstrip(".,'’")
            if not words[-1]:
                continue
            start = sentence.index(words[0], offset)
            end = sentence.index(words[-1], start + len(words[0]) - len(words[0])) + len(words[-1])
            runs.append((start, end, sentence[start:end], titled))
    return runs


def _entity_kind(text: str, titled: bool, before: str = "") -> AnswerType:
    low = text.lower()
    words = low.split()
    if low in place_names():
        return AnswerType.PLACE
    if words[-1] in ORG_WORDS or (text.replace(".", "").isupper() and len(text) > 1):
        return AnswerType.ORG  # "Commerce Department", "NASA" (a place with such a name is listed above)
    if (
        not titled
        and re.search(r"\b(in|at|near|outside|to|from|visited|visit)\s*$", before, re.I)
        and not re.search(r"\b(according|told|said|says)\s+to\s*$|\b(told|said)\s*$", before, re.I)
    ):
        return AnswerType.PLACE  # "talks in Geneva", "flew to Busan"; not "according to Reuters"
    if titled or (2 <= len(words) <= 4 and all(w[0].isalpha() for w in words)):
        return AnswerType.PERSON
    return AnswerType.WHO  # a single unknown name: a surname or a company


def places_named(text: str) -> set[str]:
    """The places a text names, as shown names ("US" -> "United States", "Canada's" -> "Canada")."""
    words = [re.sub(r"['’]s$", "", w) for w in re.findall(r"[A-Za-z][\w.’'-]*", text)]
    grams = words + [" ".join(words[i : i + 2]) for i in range(len(words) - 1)]
    names = place_names()
    return {names[key] for g in grams if (key := g.lower().rstrip("?.,")) in names}


def candidates(sentence: str, atype: AnswerType, published: datetime | None) -> list[Candidate]:
    """Spans of the sentence that could answer a question of this type, in order of appearance."""
    out: list[Candidate] = []
    if atype == AnswerType.DATE:
        for d in find_dates(sentence, published):
            out.append(Candidate(d.start, d.end, d.text, d.value, atype, d.kind in ("full", "monthday")))
        return out
    if atype in (AnswerType.PERCENT, AnswerType.QUANTITY):
        out += [
            Candidate(m.start(), m.end(), m.group(), m.group(), AnswerType.PERCENT) for m in PERCENT.finditer(sentence)
        ]
    if atype in (AnswerType.MONEY, AnswerType.QUANTITY):
        out += [Candidate(m.start(), m.end(), m.group(), m.group(), AnswerType.MONEY) for m in MONEY.finditer(sentence)]
    if atype in (AnswerType.NUMBER, AnswerType.QUANTITY) and not out:
        dates = [(d.start, d.end) for d in find_dates(sentence, published)]
        for m in _NUMBER.finditer(sentence):
            if any(s <= m.start() < e for s, e in dates):
                continue  # a day or a year is not a count
            out.append(Candidate(m.start(), m.end(), m.group(), m.group(), AnswerType.NUMBER))
    if atype == AnswerType.TITLE:
        titles = [Candidate(m.start(), m.end(), m.group(), m.group(), atype) for m in _TITLE.finditer(sentence)]
        return titles or candidates(sentence, AnswerType.NAME, published)
    if atype == AnswerType.NAME:  # a lone capitalised word opening the sentence is most often not a name
        return [
            Candidate(start, end, text, text, atype)
            for start, end, text, _ in _entity_runs(sentence)
            if start > 0 or " " in text or text.isupper() or text.lower() in place_names()
        ]
    if atype == AnswerType.LOCALITY:
        return [
            Candidate(start, end, text, text, atype)
            for start, end, text, titled in _entity_runs(sentence)
            if not titled
            and text.lower() not in place_names()
            and _entity_kind(text, titled, sentence[max(0, start - 12) : start]) in (AnswerType.PLACE, AnswerType.WHO)
        ]
    if atype in (AnswerType.PERSON, AnswerType.ORG, AnswerType.WHO, AnswerType.PLACE):
        for start, end, text, titled in _entity_runs(sentence):
            kind = _entity_kind(text, titled, sentence[max(0, start - 12) : start])
            wanted = {
                AnswerType.PERSON: {AnswerType.PERSON, AnswerType.WHO},
                AnswerType.ORG: {AnswerType.ORG, AnswerType.WHO},
                AnswerType.WHO: {AnswerType.PERSON, AnswerType.ORG, AnswerType.PLACE, AnswerType.WHO},
                AnswerType.PLACE: {AnswerType.PLACE},
            }[atype]
            if kind in wanted:
                value = place_names().get(text.lower(), text) if kind == AnswerType.PLACE else text
                out.append(Candidate(start, end, text, value, kind))
    return sorted(out, key=lambda c: c.start)
