"""The figure a question asks for, when a sentence gives more than one.

News gives a figure with the one it replaced ("cut to 30% from 145%", "15% instead of the 25% threatened",
"10% rather than 27.5%", "halves its 150% duty to 75%", "the 15% rate replaces the 30% tariff"): the answer is
the current figure unless the question asks for the earlier, threatened or replaced one. And one sentence
may give two countries' figures ("U.S. tariffs on Chinese goods fall to 30%, and China's tariffs on U.S. goods
to 10%"): the answer is the one whose clause is about the question's countries in the question's roles
(answering/subjects.py reads who charges and who pays).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from answering.subjects import Roles, clause_of, countries_in, roles

FIGURE = re.compile(
    r"(?:US|C|A|NZ|HK)?[$€£¥]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:[mb]illion|trillion|bn|m)\b)?"
    r"|\b\d[\d,]*(?:\.\d+)?\s?(?:%|percent\b|per cent\b|percentage points?\b)"
    r"|\b\d[\d,]*(?:\.\d+)?\s(?:[mb]illion|trillion)\b(?:\s(?:dollars|euros|yuan|yen|pounds))?",
    re.I,
)
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
# The question asks for the figure that was replaced, threatened or in force before.
_ASKS_PRIOR = re.compile(
    r"\b(?:before|previous(?:ly)?|prior|former(?:ly)?|earlier|original(?:ly)?|initial(?:ly)?|threaten(?:ed|s)?|"
    r"replaced|old|used to|had been|from what|until)\b",
    re.I,
)


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
            new, old = _trim(sentence, m.span("new")), _trim(sentence, m.span("old"))
            if FIGURE.search(sentence[new[0] : new[1]]) and FIGURE.search(sentence[old[0] : old[1]]):
                out.append(Change(new, old))
    return out


def _trim(text: str, span: tuple[int, int]) -> tuple[int, int]:
    a, b = span
    while b > a and text[b - 1] in " ,":
        b -= 1
    return a, b


def asks_prior(question: str) -> bool:
    """ "What tariff had Trump threatened?", "What was the duty before the deal?": the replaced figure."""
    return bool(_ASKS_PRIOR.search(question))


def figures(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in FIGURE.finditer(text)]


def pick(sentence: str, start: int, end: int, question: str, asked: Roles) -> tuple[int, int] | None:
    """The figure of `sentence` that answers, given the reader's span [start, end): the current or the replaced
    figure of a change as the question asks, the one of several in the span whose clause fits the question's
    roles, and not a figure about other countries (None: the sentence has no figure that fits). A span that
    holds no figure is returned as it is."""
    inside = [f for f in figures(sentence) if start <= f[0] and f[1] <= end + 1]
    if not inside:
        overlapping = [f for f in figures(sentence) if f[0] < end and start < f[1]]
        if not overlapping:
            return start, end
        inside = overlapping
    prior = asks_prior(question)
    found = changes(sentence)
    options = []
    for f in inside:
        swapped = f
        for c in found:
            if _overlaps(c.old, f) and not prior:
                swapped = c.new
            elif _overlaps(c.new, f) and prior:
                swapped = c.old
        options.append(swapped)
    options = list(dict.fromkeys(options))
    if prior:  # "fall to 40% over ten years" is where a figure goes, not where it was
        options = [
            f
            for f in options
            if any(_overlaps(c.old, f) for c in found) or not _DESTINATION.search(sentence[max(0, f[0] - 12) : f[0]])
        ]
        if not options:
            return None
    fitting = [f for f in options if _fits(clause_of(sentence, f[0]), asked)]
    if fitting:
        f = fitting[0]
        if options == inside and len(inside) == 1 and f[0] == start and _UNIT.fullmatch(sentence[f[1] : end]):
            return start, end  # the span is the figure and its unit ("$80 a ton"): keep the unit
        return f
    if not (asked.charges or asked.pays):
        return options[0]
    # None of the span's figures is about the question's countries: another figure of the sentence may be.
    others = [f for f in figures(sentence) if f not in options]
    for f in others:
        clause = roles(clause_of(sentence, f[0]))
        if not clause.conflicts(asked) and (clause.charges or clause.pays):
            for c in found:
                if _overlaps(c.old, f) and not prior:
                    f = c.new
            return f
    return None


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
