"""The kind of comparable fact a short answer is (`fact_kind`): a percentage, an amount of money or a day, by
the patterns of news copy ("%" after rates, "$" before amounts). Two answers of one kind can contradict, or one
can replace the other; two names or phrases rarely do.
"""

from __future__ import annotations

import re

from answering.dates import find_dates
from answering.question import AnswerType

PERCENT = re.compile(r"\b\d+(?:\.\d+)?\s?(?:%|percent\b|per cent\b|percentage points?\b)", re.I)
MONEY = re.compile(
    r"(?:(?<![\w$])(?:US|C|A|HK|NZ)?\$|€|£|¥)\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:million|billion|trillion|bn|mn)\b)?"
    r"|\b\d[\d,]*(?:\.\d+)?(?:\s(?:million|billion|trillion))?\s(?:dollars|euros|yuan|pounds|yen|pesos)\b",
    re.I,
)


def fact_kind(value: str) -> AnswerType | None:
    """What kind of comparable fact a short answer is, by the patterns above: a
    percentage, an amount of money or a day; None for names and phrases (two of those rarely contradict)."""
    if PERCENT.search(value):
        return AnswerType.PERCENT
    if MONEY.search(value):
        return AnswerType.MONEY
    if any(d.kind in ("full", "monthday") for d in find_dates(value, None)):
        return AnswerType.DATE
    return None
