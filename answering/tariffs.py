"""The tariffs a sentence reports (`facts`): who charges them, on whose goods, on what, the rate, and its status —
in effect, announced for a day, paused until a day, threatened, exempted from, or lifted. The tariff board
(answering/board.py) is made of these, one line per (charged by, charged on, goods).

Precision first: a sentence gives a fact only when it states the rate (a percentage or a charge per unit: never
the value of the goods a duty covers), who charges it (a country, or its government by name: "the White House",
"Trump"; else the country its headline says charges, when the sentence names no country at all) and on whom or
on what goods. A rate that is threatened or proposed is a threat, never in force; one averted, of the past,
forecast, a threshold or a change in points is no fact. A sentence that gives two countries' rates gives each
its own clause's roles (answering/roles.py), and a list gives each figure the country it stands with
(answering/figures.py `stands_with`).

This module reads which figures are rates and each one's status and day; who charges it, on whom and on what
are answering/tariff_parts.py's. Patterns, not a parser, as for the figures `ask` reads (answering/measures.py
says why): each rule has a test in tests/test_tariffs.py, and bench/board.py measures the whole on stories of our
own and says how well the rules meet writing they were not tuned on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from answering.dates import change_day, effective_day, find_dates
from answering.figures import changes
from answering.measures import FIGURE, PER_UNIT, PERCENT, figures, measure, part_of, status
from answering.roles import CLAUSE_BREAK, clause_of
from answering.subjects import countries_in
from answering.tariff_parts import DUTY, GOODS_AFTER, goods_head, goods_of, quota_side, roles_of
from embeddings.analysis import terms

VERSION = 1  # of the rules below: a store's facts read by another version are read again (answering/board.py)

IN_EFFECT, ANNOUNCED, PAUSED, THREATENED, EXEMPTED, LIFTED = (
    "in effect",
    "announced",
    "paused",
    "threatened",
    "exempted",
    "lifted",
)
STATUSES = (IN_EFFECT, ANNOUNCED, PAUSED, THREATENED, EXEMPTED, LIFTED)

# A duty named, or charged: "Japan charges 9% on American beef"
_HAS_DUTY = re.compile(
    rf"\b{DUTY}\b(?!-free)|\bcharg(?:e|es|ed|ing)\b|\b(?:pay|pays|paid|paying|face|faces|faced|facing)\s+"
    r"(?:[\w'’]+\s+){0,3}?[$€£¥]?\d|\bexempt\w*\s+from\s+(?:the\s+)?(?:[\w.%-]+\s+){0,2}rate\b",
    re.I,
)

# --- the status words of a rate, read in its clause before it -------------------------------------------------
_BEFORE = r"(?:\s+(?!to\b)[\w'’.,-]+){0,6}?\s*$"  # up to six words between the verb and the rate, never "to"
_EXEMPT = re.compile(r"\b(?:exempt\w*|spar(?:e|es|ed|ing)|exclud\w*|carve[sd]?\s+out|waive[sd]?|waiving)\b", re.I)
_LIFT = re.compile(
    r"\b(?:lift(?:s|ed|ing)?|remov(?:e|es|ed|ing)|scrap(?:s|ped|ping)?|end(?:s|ed|ing)?|repeal\w*|revok\w*|"
    r"rescind\w*|abolish\w*|eliminat\w*|withdr[ae]w\w*|drop(?:s|ped|ping)?|roll(?:s|ed|ing)?\s+back)" + _BEFORE,
    re.I,
)
_PAUSE = re.compile(
    r"\b(?:paus\w*|suspen\w*|delay\w*|postpon\w*|defer\w*|(?:put|puts|putting)\s+on\s+hold|on\s+hold|froze|"
    r"freez\w*)\b",
    re.I,
)
_THREAT = re.compile(
    r"(?:\b(?:threat\w*|warn\w*|propos\w*|consider\w*|weigh\w*|mull\w*|float\w*|mooted|vow\w*|"
    r"(?:[Cc]ould|[Mm]ight)\s+(?:\w+\s+)?(?:impose|face|charge|put|slap|levy|raise|hit))\b|\bmay\s+impose\b)"
    r"(?:\s+[\w'’.,-]+){0,10}?\s*$",
)
_TO_COME = re.compile(
    r"\b(?:(?:said|says|announced)\b[^.;]{0,60}?\bwould|will(?!\s+(?:keep|continue|still|remain))|shall|(?:is|are)\s+(?:set|due|scheduled)\s+to|plans?\s+to|to\s+take\s+effect|takes\s+effect|"
    r"(?:is|are)\s+to\s+(?:rise|fall|take|apply|start|begin)|"
    # a headline's "to": "Australia to slap 25 per cent duty on ...", "Turkey to raise duty on Chinese cars to 50%"
    r"\bto\s+(?:slap|raise|cut|impose|double|halve|triple|lower|hike|levy|charge|set|put|extend|lift|increase|reduce))\b",
    re.I,
)
_AVERTED = re.compile(
    r"\b(?:avert\w*|avoid\w*|escap\w*|head(?:ed|s)?\s+off|ward(?:ed|s)?\s+off|not\s+go\s+ahead|call(?:ed|s)?\s+off|"
    r"abandon\w*|shelv\w*|back(?:ed|s)?\s+(?:away|down)\s+from)\b",
    re.I,
)
_PASSIVE = (
    r"^[^.;]{0,110}?\b(?:will\s+be|is\s+to\s+be|(?:is|are|was|were)(?:\s+being)?|ha(?:s|ve)\s+been|had\s+been)\s+"
)
_LIFTED_AFTER = re.compile(
    _PASSIVE + r"(?:scrapped|removed|lifted|abolished|eliminated|repealed|ended|dropped|withdrawn|revoked|rescinded)\b",
    re.I,
)
_PAUSED_AFTER = re.compile(_PASSIVE + r"(?:paused|suspended|delayed|postponed|deferred|put\s+on\s+hold|frozen)\b", re.I)
_THREAT_AFTER = re.compile(
    _PASSIVE
    + r"(?:considered|weighed|studied|discussed|proposed|floated|mooted|threatened)\b|\bunder\s+consideration\b",
    re.I,
)
# Where another clause of its own begins ("... could impose 50% in response to Ottawa's 100% tariff"): the
# status of a rate is read from there on (a comma alone keeps "In 2019, the U.S. charged 10%" of the past).
_KEPT_PAUSED = re.compile(
    r"^[^.;,]{0,60}?\b(?:suspended|paused|on\s+hold|frozen)\b", re.I
)  # "its 24% tariff ... suspended"
_IN_PLACE = re.compile(r"^\s*(?:[\w-]+\s+){0,2}?(?:in\s+place|in\s+force)\b", re.I)
_STRONG_BREAK = re.compile(
    r";|\bin (?:response|retaliation) (?:to|for|against)\b|,\s*(?:and|but|while|whereas)\s+|\s(?:while|whereas)\s",
    re.I,
)
_SAID = re.compile(r"\b(?:said|says|told|announced|statement)\b[^.;]{0,24}$", re.I)
_MOVED = re.compile(
    r"\b(?:fell|falls?|rose|rises?|dropped|drops?|climbed|climbs?|jumped|jumps?|gained|gains?|lost|slid|slides?|surged|"
    r"grew|shrank|declined|increased|decreased|soared|plunged|slumped)\s+(?:by\s+)?(?:about\s+|nearly\s+|almost\s+|"
    r"some\s+|roughly\s+|around\s+)?$",
    re.I,
)
_CHANGE_NOUN = re.compile(r"\s+(?:cut|reduction|increase|rise|drop|hike|jump|fall|decline)s?\b", re.I)
_EVERY = re.compile(
    r"\b(?:every|all|most)\s+(?:other\s+)?(?:countr|trading\s+partner|nation|import)|\baround\s+the\s+world\b", re.I
)
_NOT_THE_RATE = re.compile(
    r"\b(?:additional|extra|further|added|another|instead\s+of|rather\s+than|in\s+place\s+of|(?:up|down)\s+from)"
    r"\s+(?:the\s+|a\s+|an\s+)?$",
    re.I,
)
# A duty said near a rate: in the words before it back to its list, or right after it in its clause
_NEAR_DUTY = re.compile(_HAS_DUTY.pattern + r"|\brates?\b", re.I)
_WORLD = re.compile(r"\b(?:world|global\w*|every\s+country|all\s+countries|everywhere)\b", re.I)
# What lies between two rates of one list: goods and countries, no verb ("a 60% tariff on Chinese goods and 10%")
_LISTED = re.compile(r"(?:\s+(?!(?:which|that|who|while|but|after|before|as|when)\b)[\w.'’-]+)*?,?\s+(?:and|or|,)\s+"
                     r"(?:(?:a|an|the)\s+)?", re.I)  # fmt: skip
# A proposal or a promise anywhere before the rate in its part of the sentence: "If elected, Trump has proposed
# enacting a variety of other tariffs, ..., including a 60% tariff on Chinese goods"
_PROPOSED = re.compile(r"\b(?:propos\w*|vow\w*|pledg\w*|promis\w*|if\s+elected|campaign\w*\s+on)\b", re.I)
# A rate on a condition: "would answer with duties of 5% on wine if the tariffs take effect"
_IF = re.compile(r"^[^.;]{0,80}?\bif\b", re.I)
_UNTIL = re.compile(r"\b(?:until|till|through|to)\s+$", re.I)
_FOR_DAYS = re.compile(r"\b(?:for\s+(\d+)\s+days|(\d+)-day)\b", re.I)


@dataclass(frozen=True)
class Fact:
    """One tariff a sentence reports."""

    by: str  # the country that charges it
    on: str  # the country whose goods pay it; "" when the sentence names none (every country's)
    goods: str  # what it is on, as the sentence says it ("steel", "light trucks"); "" for all goods
    qualifier: str  # the side of a quota (answering/tariff_parts.py WITHIN, OUTSIDE), a reason it is tied to, or ""
    rate: str  # as written: "25%", "$75 a tonne"
    status: str  # one of STATUSES
    day: date | None  # the day it takes effect (announced, in effect, lifted) or its pause ends (paused)
    replaced: str | None  # the rate the sentence says it replaced ("to 30% from 145%": 145%)
    at: int  # where the rate stands in the sentence

    @property
    def goods_key(self) -> str:
        return goods_key(self.goods)


def goods_key(goods: str) -> str:
    """What a line is on, as analysed terms in order ("light trucks" and "light truck" are one)."""
    return " ".join(sorted(set(terms(goods))))


def facts(sentence: str, *, headline: str = "", published: datetime | None = None) -> list[Fact]:
    """The tariffs `sentence` reports (the story's `headline` says who charges whom when the sentence names no
    country; `published`: its report's time, for days and for what is of the past)."""
    if not _HAS_DUTY.search(sentence) or not FIGURE.search(sentence):
        return []
    found = changes(sentence)
    out: list[Fact] = []
    last_goods: list[str] = []  # what the figure before it in the sentence is on
    last_status: tuple[str, date | None] | None = None  # ... its status, and where it ended
    last_end = 0
    last_roles: tuple[set[str], str] = (set(), "")  # ... and whose it is, on whom
    for f in figures(sentence):
        if measure(sentence, f) not in (PERCENT, PER_UNIT):
            continue  # the value of the goods a duty covers, a count: not a rate
        if any(_overlaps(c.old, f) for c in found) and not any(_overlaps(c.new, f) for c in found):
            continue  # the replaced end of a change: the current one's `replaced`
        if _MOVED.search(sentence[max(0, f[0] - 30) : f[0]]) or _CHANGE_NOUN.match(sentence[f[1] :]):
            continue  # "prices fell 9%", "a 25% cut in the charge": how much something moved
        if _NOT_THE_RATE.search(sentence[max(0, f[0] - 30) : f[0]]):
            last_roles = roles_of(sentence, f, headline)
            continue  # "an additional 25%": a part of the rate; "instead of 25%": the one replaced
        near, own_clause = _near(sentence, f), clause_of(sentence, f[0], alone=True)
        if not _NEAR_DUTY.search(near):
            continue  # "slash a sales tax on gas to 7%, ... new levies": the duty is another figure's
        said = _status(sentence, f, published)
        if last_status and _LISTED.fullmatch(sentence[last_end : f[0]]):
            said = (last_status[0], said[1] if said else last_status[1])  # "proposed a 60% tariff on X and 10% on Y"
        last_status, last_end = said, f[1]
        if said is None:
            continue
        kind, day = said
        pays, charges = roles_of(sentence, f, headline, exempt=kind == EXEMPTED)
        alone = not countries_in(own_clause)
        if not charges and last_roles[1] and alone:
            pays, charges = last_roles  # "Peru's additional 10% tariff ..., bringing the total to 22%"
        elif not pays and charges and charges == last_roles[1] and alone and not _WORLD.search(near):
            pays = last_roles[0]  # "Vietnamese rice will pay 15% within the quota and 35% outside it"
        if _WORLD.search(own_clause):
            pays = set()  # "10% tariffs on goods from around the world": every country's, not the clause before's
        last_roles = (pays, charges)
        if not charges:
            continue
        goods = goods_of(sentence, f, exempt=kind == EXEMPTED)
        if goods is None:  # "9% on American beef within the quota and 38.5% on shipments outside it"
            goods = last_goods
        last_goods = goods
        if not pays and (m := GOODS_AFTER.match(sentence[f[1] :])):  # "25% on every Mexican heavy truck"
            named = {c.country for c in countries_in(goods_head(m.group("g")))} - {charges}
            pays = named if len(named) == 1 else pays
        if not pays and not goods and not (goods == [] and _EVERY.search(sentence[f[1] : f[1] + 80])):
            continue  # no whom and no what: "a 25% tariff is in place"
        replaced = next(
            (sentence[c.old[0] : c.old[1]].strip(" ,.;") for c in found if _overlaps(c.new, f)),
            None,
        )
        qualifier = quota_side(sentence, f)
        if reason := part_of(sentence, f, frozenset()):  # "the tariff tied to fentanyl": a part, a line of its own
            reason = re.split(r"\s+(?:on|for|from|against|to|over|in|at)\b", reason.strip(), maxsplit=1)[0]
            qualifier = ", ".join(x for x in (qualifier, f"tied to {reason}") if x)
        rate = sentence[f[0] : f[1]].strip()
        if measure(sentence, f) == PER_UNIT and (
            unit := re.match(r"\s+(?:a|an|per)\s+(?:metric\s+)?[a-z]+", sentence[f[1] :])
        ):
            rate += unit.group(0)
        for on in sorted(pays or {""}):
            for g in goods or [""]:
                fact = Fact(charges, on, g, qualifier, rate, kind, day, replaced, f[0])
                if fact not in out:
                    out.append(fact)
    return out


def _status(sentence: str, f: tuple[int, int], published: datetime | None) -> tuple[str, date | None] | None:
    """The rate's status and its day, or None when it is no fact (averted, of the past, a forecast, a
    threshold, a change in points)."""
    reported = published.date() if published else None
    clause = clause_of(sentence, f[0], alone=True)
    at = sentence.rfind(clause, 0, f[1]) if clause else 0
    lead = sentence[max(0, at) : f[0]] if at >= 0 else sentence[: f[0]]
    wide = sentence[: f[0]]
    rest = sentence[f[1] :]  # what is said of it after: "... will be scrapped on March 1", "is being considered"
    if _AVERTED.search(lead):
        return None  # "The agreement averts the 35% tariff that Trump had threatened"
    if _EXEMPT.search(lead) or _EXEMPT.search(sentence[f[1] : f[1] + 40]) and re.search(r"\bfrom\b", lead, re.I):
        return EXEMPTED, _effective(sentence, published)
    if _EXEMPT.search(wide) and re.search(r"\bfrom\s+(?:the\s+|a\s+|its\s+)?(?:[\w.'’-]+\s+){0,2}$", lead, re.I):
        return EXEMPTED, _effective(sentence, published)
    if (_LIFT.search(lead) and not re.search(r"\bto\s+$", lead, re.I)) or _LIFTED_AFTER.search(rest):
        return LIFTED, _effective(sentence, published) or _day(sentence, published, f)
    if _IN_PLACE.match(rest):
        return IN_EFFECT, None  # "leaving a 10% rate in place"
    if (
        _PAUSE.search(lead)
        or (_PAUSE.search(wide) and not CLAUSE_BREAK.search(sentence, 0, f[0]))
        or _PAUSED_AFTER.search(rest)
        or _KEPT_PAUSED.search(rest)
    ):
        return PAUSED, _until(sentence, published)
    start = max([0, *(m.end() for m in _STRONG_BREAK.finditer(sentence, 0, f[0]))])
    if (
        _THREAT.search(lead)
        or _THREAT_AFTER.search(rest)
        or _PROPOSED.search(sentence[start : f[0]])
        or _IF.search(rest)
    ):
        return THREATENED, None
    said = status(sentence[start:], (f[0] - start, f[1] - start), reported)  # not another clause's "could"
    if said == "threatened":
        return THREATENED, None
    if said == "past" and (start := _started(sentence, published)):
        return IN_EFFECT, start  # "A 30% steel tariff ... took effect on February 9": in effect since then
    if said is not None:
        return None  # averted, of the past, a forecast, a threshold, a change in points
    day = _effective(sentence, published) or _day(sentence, published, f)
    if day and reported and day > reported:
        return ANNOUNCED, day
    if _TO_COME.search(lead) or (day is None and _TO_COME.search(sentence[f[1] : f[1] + 40])):
        return ANNOUNCED, day
    return IN_EFFECT, day


_STARTED = re.compile(
    r"\b(?:took|take|takes|came|went)\s+(?:effect|into\s+effect|into\s+force)|\bin\s+(?:effect|force|place)\s+since\s+$",
    re.I,
)


def _started(sentence: str, published: datetime | None) -> date | None:
    """The day a rate took effect, when the sentence says so ("took effect on February 9"): a start, not the past."""
    if not published:
        return None
    for m in find_dates(sentence, published):
        if m.day and m.day <= published.date() and _STARTED.search(sentence[max(0, m.start - 40) : m.start]):
            return m.day
    return None


def _effective(sentence: str, published: datetime | None) -> date | None:
    return effective_day(sentence, published) if published else None


def _day(sentence: str, published: datetime | None, f: tuple[int, int]) -> date | None:
    """The day the change happened or will ("removed its 35% tariff ... on October 1", "will cut ... to 15% on
    December 1"): `change_day`'s, else a day after the report that is not the day something was said."""
    if not published:
        return None
    if day := change_day(sentence, published, f[0]):
        return day
    reported = published.date()
    for m in find_dates(sentence, published):
        if m.day and m.day > reported and not _SAID.search(sentence[max(0, m.start - 40) : m.start]):
            return m.day
    return None


def _until(sentence: str, published: datetime | None) -> date | None:
    """The day a pause ends: "until July 9", or the report's day plus "for 90 days" / "a 90-day pause"."""
    if published:
        for m in find_dates(sentence, published):
            if m.day and _UNTIL.search(sentence[max(0, m.start - 12) : m.start]):
                return m.day
        if days := _FOR_DAYS.search(sentence):
            return published.date() + timedelta(days=int(days.group(1) or days.group(2)))
    return None


def _near(sentence: str, f: tuple[int, int]) -> str:
    """The words around a rate that say what it is: up to 120 characters before it, 40 after, neither past a
    clause that starts on its own ("..., which", ";")."""
    before = sentence[max(0, f[0] - 120) : f[0]]
    before = re.split(r";|,\s*(?:which|who|while|whereas)\b", before)[-1]
    after = re.split(r"[;,]|\s(?:which|while|whereas)\s", sentence[f[1] : f[1] + 40])[0]
    return f"{before} {sentence[f[0] : f[1]]} {after}"


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


# --- reading the news once for the board -----------------------------------------------------------------
READ_BATCH = 1000  # passages read and stored per transaction


def read_news(library) -> int:
    """Read the passages no board has read yet for tariff facts and store them (embeddings/store/tariffs.py);
    returns how many were read. Facts read by another VERSION of the rules are forgotten and read again. A
    read-only library reads nothing here (answering/board.py then reads its unread passages in memory)."""
    records = library.records.tariffs
    if library.read_only:
        return 0
    if records.version() != VERSION:
        records.start_over(VERSION)
    done = 0
    while batch := records.unread(READ_BATCH):
        read = [(p, *read_passage(p)) for p in batch]  # outside the transaction: the slow part
        with records.transaction():
            for p, candidates, found in read:
                records.add(p.id, candidates, found)
        done += len(batch)
    return done


def read_passage(p) -> tuple[int, list[dict]]:
    """(sentences with a duty and a rate, the facts as tariff_facts rows) of one unread passage; the headline is
    read with the story's first passage."""
    published = p.published
    headline = "" if p.title_derived else p.title
    sentences = [(p.body[s - p.start : e - p.start], False) for s, e in p.sentences]
    if p.position == 0 and headline:
        sentences.append((headline, True))
    candidates, rows = 0, []
    for sentence, in_title in sentences:
        if not FIGURE.search(sentence):
            continue
        found = facts(sentence, headline="" if in_title else headline, published=published)
        candidates += bool(found) or bool(_HAS_DUTY.search(sentence))
        for f in found:
            rows.append(
                {
                    "passage_id": p.id,
                    "article_id": p.article_id,
                    "sentence": sentence,
                    "in_title": int(in_title),
                    "charged_by": f.by,
                    "charged_on": f.on,
                    "goods": f.goods,
                    "goods_key": f.goods_key,
                    "qualifier": f.qualifier,
                    "rate": f.rate,
                    "status": f.status,
                    "day": f.day.isoformat() if f.day else None,
                    "replaced": f.replaced,
                    "published_ts": published.timestamp() if published else None,
                }
            )
    return candidates, rows
