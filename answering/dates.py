"""Date and time expressions in news sentences, resolved against the article's publish date.

"April 28" in a story of March 28, 2025 is April 28, 2025; "on Sunday" is the Sunday before (or, in a
sentence about the future, after) the publish date; "next month" is the month after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil import parser as dateutil_parser
from dateutil.relativedelta import relativedelta

_MONTH = (
    r"(?:Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?|Aug(?:ust|\.)?"
    r"|Sep(?:t(?:ember)?|\.)?\.?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)"
)
_WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"

# (kind, pattern), most specific first; overlapping later matches are dropped.
_PATTERNS = [
    ("full", rf"\b(?:{_WEEKDAY},?\s+)?{_MONTH}\s+{_DAY},?\s+{_YEAR}\b"),
    ("full", rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}\b"),
    ("monthday", rf"\b(?:{_WEEKDAY},?\s+)?{_MONTH}\s+{_DAY}\b(?!,?\s*{_YEAR})"),
    ("monthday", rf"\b{_DAY}\s+{_MONTH}\b"),
    ("monthyear", rf"\b(?:(?:early|mid|late)[- ])?{_MONTH}\s+{_YEAR}\b"),
    ("weekday", rf"\b(?:(?:next|last|this)\s+)?{_WEEKDAY}\b"),
    ("relday", r"\b(?:today|tomorrow|yesterday|tonight)\b"),
    ("relperiod", r"\b(?:next|last|this|later this|earlier this)\s+(?:week|month|year)\b"),
    ("month", rf"\b(?:(?:early|mid|late)[- ])?{_MONTH}\b(?=[\s,.;]|$)"),
    ("year", rf"\b{_YEAR}\b"),
]
_COMPILED = [(kind, re.compile(p)) for kind, p in _PATTERNS]
_FUTURE = re.compile(
    r"\b(will|would|shall|is set|are set|scheduled|planned|plans?|expected|due|upcoming|to take effect|"
    r"to begin|starting|set for|takes effect|goes into effect|expires?|ends|begins|starts|runs until)\b",
    re.I,
)
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


@dataclass
class DateMention:
    start: int
    end: int
    text: str
    kind: str
    value: str  # resolved, for display: "April 28, 2025", "April 2025", "the week of March 31, 2025"
    day: date | None  # the resolved day when there is one


def days_of(mention: DateMention) -> tuple[date | None, date | None]:
    """The first and last day a mention means: its day; a month ("September 2026") or a year ("2027") from its
    first day to its last; (None, None) for a span it does not pin down."""
    if mention.day:
        return mention.day, mention.day
    for form, last in (
        ("%B %Y", lambda d: d + relativedelta(months=1, days=-1)),
        ("%Y", lambda d: d.replace(month=12, day=31)),
    ):
        try:
            first = datetime.strptime(mention.value, form).date()
        except ValueError:
            continue
        return first, last(first)
    return None, None


def fmt_day(d: date) -> str:
    return f"{d:%B} {d.day}, {d.year}"


def find_dates(sentence: str, published: datetime | None) -> list[DateMention]:
    """Date mentions in a sentence, resolved against `published` when they lack a year or are relative."""
    taken: list[tuple[int, int]] = []
    out = []
    future = bool(_FUTURE.search(sentence))
    for kind, pattern in _COMPILED:
        for m in pattern.finditer(sentence):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            if kind == "month" and m.group().rstrip(".") in ("May", "March") and not _month_context(sentence, m):
                continue  # "may" the verb, "march" the verb or noun
            resolved = _resolve(kind, m.group(), published, future)
            if resolved is None:
                continue
            taken.append((m.start(), m.end()))
            value, day = resolved
            out.append(DateMention(m.start(), m.end(), m.group(), kind, value, day))
    return sorted(out, key=lambda d: d.start)


def _month_context(sentence: str, m: re.Match[str]) -> bool:
    before = sentence[max(0, m.start() - 12) : m.start()].lower()
    return bool(re.search(r"\b(in|by|since|until|from|through|early|mid|late|of)\s*-?$", before))


def _parse(text: str, default: datetime) -> datetime | None:
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text).replace("Sept.", "Sep").replace("Sept ", "Sep ")
    cleaned = re.sub(r"\b(early|mid|late)[- ]", "", cleaned)
    try:
        return dateutil_parser.parse(cleaned, default=default, fuzzy=True)
    except (ValueError, OverflowError):
        return None


def _years_around(dt: datetime, year: int) -> list[datetime]:
    """The same day in the year before, of and after `year`, where it exists (February 29 is not in all)."""
    out = []
    for y in (year - 1, year, year + 1):
        try:
            out.append(dt.replace(year=y))
        except ValueError:
            continue
    return out


def _resolve(kind: str, text: str, published: datetime | None, future: bool) -> tuple[str, date | None] | None:
    base = (published or datetime(2000, 1, 1)).replace(tzinfo=None)
    base_day = base.replace(hour=0, minute=0, second=0, microsecond=0)
    low = text.lower()
    if kind == "full":
        dt = _parse(text, base_day)
        return (fmt_day(dt), dt.date()) if dt else None
    if kind == "year":
        return text, None
    if published is None and kind not in ("monthyear",):
        # Without a publish date a partial or relative date cannot be pinned down: show it as written.
        return text, None
    if kind == "monthday":
        dt = _parse(text, base_day)
        if dt is None:
            return None
        candidates = _years_around(dt, base.year)
        dt = min(candidates, key=lambda c: abs((c - base_day).days))
        return fmt_day(dt), dt.date()
    if kind == "monthyear":
        dt = _parse(text, base_day.replace(day=1))
        return (f"{dt:%B %Y}", None) if dt else None
    if kind == "month":
        dt = _parse(text, base_day.replace(day=1))
        if dt is None:
            return None
        candidates = _years_around(dt, base.year)
        if future:
            candidates = [c for c in candidates if c >= base_day.replace(day=1)] or candidates
        dt = min(candidates, key=lambda c: abs((c - base_day).days))
        return f"{dt:%B %Y}", None
    if kind == "weekday":
        name = low.split()[-1]
        target = _WEEKDAYS.index(name)
        delta = target - base_day.weekday()
        if low.startswith("next"):
            dt = base_day + timedelta(days=(delta % 7) or 7)
        elif low.startswith("last"):
            dt = base_day - timedelta(days=(-delta % 7) or 7)
        elif low.startswith("this") or future:
            dt = base_day + timedelta(days=delta % 7)
        else:
            dt = base_day - timedelta(days=(-delta) % 7)
        return fmt_day(dt), dt.date()
    if kind == "relday":
        shift = {"today": 0, "tonight": 0, "tomorrow": 1, "yesterday": -1}[low]
        dt = base_day + timedelta(days=shift)
        return fmt_day(dt), dt.date()
    if kind == "relperiod":
        unit = low.split()[-1]
        step = 1 if low.startswith("next") else -1 if low.startswith("last") else 0
        if unit == "week":
            monday = base_day - timedelta(days=base_day.weekday()) + timedelta(weeks=step)
            return f"the week of {fmt_day(monday)}", None
        if unit == "month":
            dt = base_day + relativedelta(months=step)
            return f"{dt:%B %Y}", None
        return str(base.year + step), None
    return None


# A date a change applies from: "effective Dec. 1", "from December 1", "starting on Monday", "takes effect on May 3".
_EFFECTIVE = re.compile(
    r"\b(?:effective|from|starting|beginning|as of|(?:takes?|took|taking|goes|go|went|come|comes|came)\s+into\s+"
    r"effect|(?:applies|apply|applied)\s+from|(?:takes?|took)\s+effect)(?:\s+on)?\s*$",
    re.I,
)


def effective_day(sentence: str, published: datetime | None) -> date | None:
    """The day a change reported in `sentence` takes effect, when the sentence says ("cut to 15% from 35%,
    effective December 1"); None when it gives no such day (a report's own "on Thursday" is not one)."""
    for mention in find_dates(sentence, published):
        if mention.day and _EFFECTIVE.search(sentence[max(0, mention.start - 40) : mention.start]):
            return mention.day
    return None


# The words before a day that make it the day something was said, not the day a change happened.
_SAID_BEFORE = re.compile(
    r"\b(?:said|says|say|told|announced|reported|report|according|wrote|statement|confirmed|added)\b[^.;]{0,24}$", re.I
)
# ... or a day of another event than the change ("talks on Monday", "a deal signed on Friday").
_OTHER_EVENT_BEFORE = re.compile(r"\b(?:signed|talks|meeting|met|summit|vote|visit|call|hearing)\b[^,.;]{0,16}$", re.I)


def change_day(sentence: str, published: datetime | None, at: int = 0) -> date | None:
    """The day a change reported in `sentence` happened, when it says ("was cut to 15% from 25% on Friday"; the
    first such day after `at`, the change's figure): not the day it was said ("…, the ministry said on Monday"), of
    another event, nor one after its report (that is `effective_day`'s); None when it gives none."""
    day_of_report = published.date() if published else None
    for mention in find_dates(sentence, published):
        if mention.start < at or not mention.day or (day_of_report and mention.day > day_of_report):
            continue
        before = sentence[max(0, mention.start - 40) : mention.start]
        if _SAID_BEFORE.search(before) or _OTHER_EVENT_BEFORE.search(before) or _EFFECTIVE.search(before):
            continue
        return mention.day
    return None
