"""The figure a question asks for, when a sentence gives more than one (`pick`), and the changes a sentence
reports (`changes`, `change_of`). What each figure is (a percentage, a charge per unit, an amount), whether it is
in force, and what kind of figure a question wants are answering/measures.py's.

News gives a figure with the one it replaced ("cut to 30% from 145%", "15% instead of the 25% threatened",
"10% rather than 27.5%", "halves its 150% duty to 75%", "the 15% rate replaces the 30% tariff"): the answer is
the current figure unless the question asks for the earlier, threatened or replaced one. One sentence may give
two countries' figures ("U.S. tariffs on Chinese goods fall to 30%, and China's tariffs on U.S. goods to 10%"):
the answer is the one whose clause is about the question's countries in the question's roles
(answering/roles.py reads who charges and who pays), and in a list, the one that stands with the country
asked ("34% on China, 20% on the EU, 24% on Japan"; `stands_with`). Of two figures on two things, the one on
what the question names ("25% on European steel and 10% on aluminum"), or the one its clause qualifies as the
question does ("outside the quota").

Patterns, not a parser: no well-kept library reads these roles of a figure in news copy (quantity parsers find
"$75 per tonne" but not whose duty it is, nor that it was averted), so the rules are here, each with a test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from answering.measures import COUNTED, FIGURE, MONEY_MARK, RANGE_BEFORE, figures, lower_words, measure
from answering.question import Question
from answering.roles import CLAUSE_BREAK, Roles, charges_at, clause_of, roles
from answering.subjects import countries_in
from embeddings.analysis import terms

_F = (
    r"(?P<{}>(?:(?:US|C|A)?[$€£¥]\s?)?\d[\d,]*(?:\.\d+)?\s?(?:%|percent|per cent|percentage points?)?"
    r"(?:\s?(?:[mb]illion|trillion))?)"
)
_NEW, _OLD = _F.format("new"), _F.format("old")
# The words between the two figures of one change, within a clause: a full stop only in "U.S." or "2.5".
_GAP = r"(?:[^.;:]|(?<=[A-Z])\.|\.(?!\s)){0,80}?"
_CHANGES = [
    re.compile(rf"\bto\s+{_NEW}\s+from\s+(?:the\s+|a\s+)?{_OLD}", re.I),
    re.compile(rf"\bfrom\s+(?:the\s+|a\s+)?{_OLD}\s+to\s+{_NEW}", re.I),
    re.compile(rf"{_NEW}{_GAP}\b(?:instead\s+of|rather\s+than|in\s+place\s+of|not)\s+(?:the\s+|a\s+)?{_OLD}", re.I),
    re.compile(rf"{_NEW}{_GAP},?\s+(?:down|up)\s+from\s+(?:the\s+|a\s+)?{_OLD}", re.I),
    re.compile(rf"{_NEW}{_GAP}\breplac(?:es|ed|ing|e)\s+(?:the\s+|a\s+|an\s+)?{_OLD}", re.I),
    re.compile(
        r"\b(?:halv|cut|reduc|lower|rais|increas|doubl|slash|lift|trim|hik|bump|ras)\w*\s+(?:its|the|their|a|his|"
        rf"her|an)?\s*(?:[\w-]+\s+){{0,2}}?{_OLD}{_GAP}\bto\s+{_NEW}",
        re.I,
    ),
]
_DESTINATION = re.compile(r"\bto\s+$", re.I)
# What may follow a figure in the answer: its unit ("a ton", "per barrel", "a metric ton"), nothing else.
_UNIT = re.compile(r"(?:\s+(?:a|an|per|each)\s+[a-z]+(?:\s+[a-z]+)?)?")


@dataclass(frozen=True)
class Change:
    new: tuple[int, int]  # character span of the current figure in the sentence
    old: tuple[int, int]  # ... and of the figure it replaced


def changes(sentence: str) -> list[Change]:
    """The figure changes a sentence gives, each as (current, replaced) spans."""
    out = []
    for pattern in _CHANGES:
        for m in pattern.finditer(sentence):
            if RANGE_BEFORE.search(sentence[max(0, m.start() - 30) : m.start() + 5]):
                continue  # "a range from 5.25% to 5.5%" is one figure, not a change
            new, old = _trim(sentence, m.span("new")), _trim(sentence, m.span("old"))
            if FIGURE.search(sentence[new[0] : new[1]]) and FIGURE.search(sentence[old[0] : old[1]]):
                out.append(Change(new, old))
    return out


def change_of(sentence: str, figure: str) -> Change | None:
    """The change `sentence` gives whose current figure is `figure`, as the sentence writes it ("to 8% from
    12%" for 8%), if any."""
    at = sentence.find(figure)
    if at < 0:
        return None
    return next((c for c in changes(sentence) if _overlaps(c.new, (at, at + len(figure)))), None)


def _trim(text: str, span: tuple[int, int]) -> tuple[int, int]:
    a, b = span
    while b > a and text[b - 1] in " ,":
        b -= 1
    return a, b


def pick(
    sentence: str, start: int, end: int, q: Question, asked: Roles | None = None, *, reported: date | None = None
) -> tuple[int, int] | None:
    """The figure of `sentence` that answers, given the reader's span [start, end): the current or the replaced
    figure of a change as the question asks, the one of several in the span whose clause fits the question's
    roles, a rate for a rate question and an amount for an amount question (`Wanted`), not a threatened or
    averted figure unless the question asks for one, the one whose clause holds the question's "outside" or
    "within", and not a figure about other countries (None: the sentence has no figure that fits). A span that
    holds no figure is returned as it is. `asked`: the roles the figure must fit, the question's unless given."""
    everything = figures(sentence)
    inside = [f for f in everything if start <= f[0] and f[1] <= end + 1]
    if not inside:
        inside = [f for f in everything if f[0] < end and start < f[1]]
        if not inside:
            return start, end
    want, asked = q.wanted, q.roles if asked is None else asked
    found = changes(sentence)

    def as_asked(f: tuple[int, int]) -> tuple[int, int]:
        """A figure of a change stands for its current end, or its replaced end when that is asked; a
        conversion in brackets for the figure it converts ("£3,549 ($4,106)")."""
        f = _converted(sentence, everything, f)
        for c in found:
            if _overlaps(c.old, f) and not want.prior:
                return c.new
            if _overlaps(c.new, f) and want.prior:
                return c.old
        return f

    options = list(dict.fromkeys(as_asked(f) for f in inside))
    if want.prior:  # "fall to 40% over ten years" is where a figure goes, not where it was
        options = [
            f
            for f in options
            if any(_overlaps(c.old, f) for c in found) or not _DESTINATION.search(sentence[max(0, f[0] - 12) : f[0]])
        ]
        if not options:
            return None
    countries = asked.pays or q.countries  # those the question says pay, else all it names
    options = [
        f for f in options if want.accepts(sentence, f, reported) and _with_asked(sentence, f, countries, asked.charges)
    ]
    fitting = [f for f in options if _fits(clause_of(sentence, f[0]), asked)]
    # None of the span's figures is the one asked (about the question's countries, the measure asked, in force):
    # another figure of the sentence may be.
    others = [
        f
        for f in dict.fromkeys(as_asked(f) for f in everything if f not in inside)
        if f not in options
        and want.accepts(sentence, f, reported)
        and _with_asked(sentence, f, countries, asked.charges)
        and _fits_other(sentence, f, asked, countries)
    ]
    if want.contrast:  # "outside the quota": the figure whose own clause says so, wherever the span was
        said = [f for f in fitting + others if want.contrast & lower_words(clause_of(sentence, f[0], alone=True))]
        fitting = said or fitting
    elif fitting and others:  # "25% on European steel and 10% on aluminum": the one on what the question names
        asked_terms = _object_terms(q.text)
        held = {f: len(asked_terms & _object_terms(_object_of(sentence, f))) for f in fitting + others}
        best = max(fitting + others, key=lambda f: held[f])
        if held[best] > held[fitting[0]]:
            fitting = [best]
    if not fitting:
        return others[0] if others else None
    f = fitting[0]
    if len(inside) == 1 and f == inside[0] and f[0] == start:
        unit = sentence[f[1] : end]
        if _UNIT.fullmatch(unit) or (measure(sentence, f) is None and COUNTED.fullmatch(unit)):
            return start, end  # the span is the figure and its unit ("$80 a ton", "3 million tons"): keep it
    return f


# A part of the rate asked: a state's or a city's rate for the country's, the core rate for the whole.
_PART_RATE = re.compile(
    r"\b(core|state|states|city|county|local|regional|metro|provincial)(?:['’]s?)?\s+(?:[\w-]+\s+){0,2}?rates?\b", re.I
)


def names_rate(sentence: str, q: Question) -> bool:
    """The sentence names the rate the question asks about (or the question names none), and, for a country's
    rate, not only a part of it that the question does not ask about ("the state's unemployment rate", "the
    so-called core rate")."""
    if not q.rate:
        return True
    if not q.rate & set(terms(sentence)):
        return False
    if not q.countries:
        return True  # "What is Nevada's unemployment rate?" is a state's
    asked = {w.lower() for w in re.findall(r"[A-Za-z]+", q.text)}
    return not any(m.group(1).lower().rstrip("s") not in asked for m in _PART_RATE.finditer(sentence))


_IN_BRACKETS = re.compile(r"\s*\(\s*(?:about|around|roughly|some|nearly|approximately|or)?\s*")


def _converted(sentence: str, spans: list[tuple[int, int]], f: tuple[int, int]) -> tuple[int, int]:
    """The sum a figure in brackets converts to another currency ("£3,549 ($4,106)", "€50 billion ($54
    billion)"): the report's own figure, which the conversion only restates."""
    i = spans.index(f) if f in spans else -1
    if i > 0:
        g = spans[i - 1]
        if _IN_BRACKETS.fullmatch(sentence[g[1] : f[0]]) and MONEY_MARK.search(sentence[g[0] : g[1]]):
            if MONEY_MARK.search(sentence[f[0] : f[1]]):
                return g
    return f


_NOT_OBJECT = frozenset(terms("tariff tariffs duty duties levy levies tax taxes rate rates percent"))


def _object_of(sentence: str, f: tuple[int, int]) -> str:
    """What a figure is on: the words after it in its clause, up to the next figure ("10% tariff on aluminum")."""
    after = sentence[f[1] : f[1] + 80]
    after = after[: m.start()] if (m := FIGURE.search(after)) else after
    return after[: m.start()] if (m := CLAUSE_BREAK.search(after)) else after


def _object_terms(text: str) -> frozenset[str]:
    """The analysed words of a text less its countries and the words for a duty."""
    for m in reversed(countries_in(text)):
        text = f"{text[: m.start]} {text[m.end :]}"
    return frozenset(terms(text)) - _NOT_OBJECT


def _fits_other(sentence: str, f: tuple[int, int], asked: Roles, countries: frozenset[str]) -> bool:
    """A figure outside the reader's span can answer when it stands with a country the question asks about, or its
    clause is about the question's countries (or, for a question that names none, about no others)."""
    text = clause_of(sentence, f[0])
    clause = roles(text)
    if countries and stands_with(sentence, f) & countries:
        return not clause.conflicts(asked)
    if asked.charges or asked.pays:
        # "Argentine beef within the quota pays 10%, while shipments outside the quota face 26.4%": its clause,
        # with the one before it that it goes on from, names the country asked.
        named = {m.country for m in countries_in(text)}
        return not clause.conflicts(asked) and bool(clause.charges or clause.pays or named & countries)
    return _fits(text, asked)


# --- the country a figure of a list stands with ----------------------------------------------------------------
# "34% on China, 20% on the EU", "from 10% for Britain to 49% for Cambodia", "20% on goods from Vietnam, 32% from
# Indonesia": the countries right after a figure ("on", "for", "against", "from", "tariff on goods from") are its
# own; otherwise those between it and the figure before it that no other figure took ("Goods from Vietnam face
# 46%, from Japan 24%", "China (34%), Japan (24%)").
_AFTER_FIGURE = re.compile(
    r"\s*(?:(?:[\w.'’-]+\s+){0,2}?(?:tariffs?|dut(?:y|ies)|levy|levies|rate)\s+)?(?:on|for|against|from)\s+"
    r"(?:(?:the|all|most)\s+)?(?:(?:goods|imports|products|exports|shipments)\s+from\s+(?:the\s+)?)?$",
    re.I,
)
_JOINED = re.compile(r"^\s*(?:,\s*)?(?:(?:and|or|&)\s+)?(?:the\s+)?$", re.I)
_RESPECTIVELY = re.compile(r"\brespectively\b", re.I)
_OTHERS = re.compile(
    r"\b(?:other|remaining)\s+(?:countries|nations|economies|(?:trading\s+)?partners)\b|\brest of the world\b", re.I
)
OTHERS = "other countries"  # what stands_with says of a figure for the countries a sentence does not name


@lru_cache(maxsize=1024)  # pick() asks it of one figure several times (its own, its clause's, the others')
def stands_with(sentence: str, f: tuple[int, int]) -> frozenset[str]:
    """The countries the figure at `f` stands with, in a sentence that names several; empty when the sentence
    does not say (or names fewer than two)."""
    spans = figures(sentence)
    if f not in spans:
        return frozenset()
    i = spans.index(f)
    start = spans[i - 1][1] if i else 0
    if _OTHERS.search(sentence[start : f[0]]):  # "while most other countries face 10%"
        return frozenset({OTHERS})
    mentions = countries_in(sentence)
    if len({m.country for m in mentions}) < 2:
        return frozenset()
    if _RESPECTIVELY.search(sentence):  # "Japan, Korea and Vietnam face 24%, 25% and 46% respectively"
        listed = list(dict.fromkeys(m.country for m in mentions if m.end <= spans[0][0]))
        if len(listed) == len(spans):
            return frozenset({listed[spans.index(f)]})
    claimed: dict[int, int] = {}  # mention -> the figure right before it that takes it ("... 10% on China")
    for n, g in enumerate(spans):
        limit = spans[n + 1][0] if n + 1 < len(spans) else len(sentence)
        end = g[1]
        for j, m in enumerate(mentions):
            if m.start < end or m.end > limit:
                continue
            gap = sentence[end : m.start]
            if (end == g[1] and _AFTER_FIGURE.fullmatch(gap)) or (end != g[1] and _JOINED.match(gap)):
                claimed[j] = n
                end = m.end
            elif end == g[1] and not gap.strip() and charges_at(sentence, m):
                continue  # "15% U.S. tariff on Korean goods": who charges it stands between it and whose goods pay
            else:
                break
    own = {mentions[j].country for j, k in claimed.items() if k == i}
    if own:
        return frozenset(own)
    # ... the countries before it back to the figure before it, within its clause ("the U.S. is going for
    # protectionism whereas Europe keeps a tariff of 10%": Europe's)
    start = max([start, *(m.end() for m in CLAUSE_BREAK.finditer(sentence, 0, f[0]))])
    return frozenset(
        m.country
        for j, m in enumerate(mentions)
        if j not in claimed and start <= m.start < f[0] and not charges_at(sentence, m)  # not "U.S. tariff"
    )


def _with_asked(
    sentence: str, f: tuple[int, int], countries: frozenset[str], charges: frozenset[str] = frozenset()
) -> bool:
    """A figure that stands with countries of its own stands with one the question asks about, or only with the
    ones it asks charge it ("Europe keeps a lower tariff of 10%" for Europe's tariff on Chinese cars)."""
    own = stands_with(sentence, f) if countries else frozenset()
    return not own or bool(own & countries) or own <= charges


def _fits(clause: str, asked: Roles) -> bool:
    """The clause's figure can be about the question's countries: their roles do not conflict, and when the
    question names countries, a clause that names countries names one of them ("goods from Canada and Mexico
    face 25% tariffs" is not about China)."""
    if roles(clause).conflicts(asked):
        return False
    wanted = asked.charges | asked.pays
    named = {m.country for m in countries_in(clause)}
    return not (wanted and named and not named & wanted)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]
