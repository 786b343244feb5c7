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

Patterns, not a parser, as for the figures `ask` reads (answering/measures.py says why): each rule has a test in
tests/test_tariffs.py, and bench/board.py measures the whole on stories of our own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from answering.dates import change_day, effective_day, find_dates
from answering.figures import changes, stands_with
from answering.measures import FIGURE, PER_UNIT, PERCENT, figures, measure, part_of, status
from answering.roles import CLAUSE_BREAK, clause_of, roles
from answering.subjects import countries_in
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
WITHIN, OUTSIDE = "within quota", "outside quota"

_DUTY = r"(?:(?:counter-?)?tariffs?|dut(?:y|ies)|levy|levies|import tax(?:es)?)"
# A duty named, or charged: "Japan charges 9% on American beef"
_HAS_DUTY = re.compile(
    rf"\b{_DUTY}\b(?!-free)|\bcharg(?:e|es|ed|ing)\b|\b(?:pay|pays|paid|paying|face|faces|faced|facing)\s+"
    r"(?:[\w'’]+\s+){0,3}?[$€£¥]?\d|\bexempt\w*\s+from\s+(?:the\s+)?(?:[\w.%-]+\s+){0,2}rate\b",
    re.I,
)
# A government named in place of its country: who charges when no country does.
_GOVERNMENTS = [
    (re.compile(r"\b(?:(?:President\s+)?(?:Donald\s+)?Trump|the\s+Commerce\s+(?:Department|Secretary)|USTR|the\s+"
                r"Trump\s+administration|the\s+Treasury\s+Secretary|the\s+U\.?S\.?\s+Trade\s+Representative)\b"),
     "United States"),
    (re.compile(r"\bthe\s+European\s+Commission\b|\b(?:the|a)\s+Commission\b"), "European Union"),
]  # fmt: skip

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
    r"(?:is|are)\s+to\s+(?:rise|fall|take|apply|start|begin))\b",
    re.I,
)
# Where another clause of its own begins ("... could impose 50% in response to Ottawa's 100% tariff"): the
# status of a rate is read from there on (a comma alone keeps "In 2019, the U.S. charged 10%" of the past).
_AVERTED = re.compile(r"\b(?:avert\w*|avoid\w*|escap\w*|head(?:ed|s)?\s+off|ward(?:ed|s)?\s+off)\b", re.I)
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
_MAY_DAY = re.compile(r"\bMay(?=\s+\d)")
_UNTIL = re.compile(r"\b(?:until|till|through|to)\s+$", re.I)
_FOR_DAYS = re.compile(r"\b(?:for\s+(\d+)\s+days|(\d+)-day)\b", re.I)
_QUOTA_IN = re.compile(r"\b(?:within|inside|in-quota|under)\b", re.I)
_QUOTA_OUT = re.compile(r"\b(?:outside|above|beyond|over|out-of-quota|exceeding|in excess)\b", re.I)

# --- what a duty is on -----------------------------------------------------------------------------------------
_SUM = r"(?:(?:US|C|A)?[$€£¥]\s?[\d.,]+\s*(?:[mb]illion|trillion|bn)?\s+(?:worth\s+)?of\s+)?"
_ON = r"\s+(?:on|for|against|applied\s+to|applying\s+to|that\s+applies\s+to)\s+(?:the\s+)?"
_UNIT = r"(?:\s+(?:a|an|per)\s+(?:metric\s+)?[a-z]+)?"
_CHARGER_BETWEEN = r"(?:\s+(?:[\w'’.-]+\s+){0,2}?(?:charges|imposes|levies|applies|puts|places|keeps|set|sets))?"
_GOODS_AFTER = re.compile(
    rf"^{_UNIT}(?:\s*(?:[\w'’.-]+\s+){{0,3}}?{_DUTY}{_CHARGER_BETWEEN})?{_ON}{_SUM}(?P<g>[^;:()]+)", re.I
)
_GOODS_ANY = re.compile(rf"\b{_DUTY}{_ON}{_SUM}(?P<g>[^;:()]+)", re.I)
_ON_BEFORE = re.compile(r"\bon\s+(?:the\s+)?(?P<g>(?:(?!\bon\b)[^,;:()%])+?)\s+(?:to|at)\s+$", re.I)
_GOODS_BEFORE_DUTY = re.compile(rf"^\s*(?P<g>(?:[a-z][\w-]*\s+){{1,3}}?){_DUTY}\b", re.I)
_GOODS_PAY = re.compile(
    r"(?P<g>(?:[\w'’-]+\s+){1,5}?)(?:(?:will|would|now|also|must|still)\s+)?(?:face[sd]?|facing|pays?|paid|paying|(?:is|are)\s+charged)\s+(?:(?:a|an|the|its|[\w'’]+['’]s|standard|flat|full|same)\s+){0,3}$",
    re.I,
)
_GOODS_EXEMPT = re.compile(
    r"\b(?:exempt\w*|spar(?:e|es|ed|ing)|exclud\w*|waive[sd]?)\s+(?P<g>(?:[\w'’-]+\s+){1,5}?)from\b", re.I
)
_GOODS_EXEMPT_SUBJECT = re.compile(
    r"(?P<g>(?:[\w'’-]+\s+){1,7}?)(?:(?:is|are|was|were|will\s+be|would\s+be)\s+)?(?:now\s+)?"
    r"(?:exempt\w*|spared|excluded)\b",
    re.I,
)
# Words that end what a duty is on ("steel wire imported from China from March 1": steel wire)
_GOODS_END = frozenset(
    """from starting effective until by in at to that which who as after before over under with if while when
    will would is are was were has have had said says say beginning this next last on into up down rising
    falling rose fell takes took take go goes went come comes came rises falls remains remain stays stay
    starts start begins begin and or but so than also now for could should might may must can its their his her
    be been being per a an fall rise drop drops dropped climb climbs climbed jump jumps jumped double doubles
    doubled triple tripled increase increases increased decrease decreases decreased cut cuts halve halved
    face faces faced pay pays paid hit hits apply applies applied kick kicks kicked since still it them those
    stays stay stayed january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday do does did not no never already currently
    built""".split()
)
_GENERIC = frozenset(
    """goods imports imported import products exports exported export shipments items all most the of made
    its their some certain other foreign such like various many any every each incoming inbound outbound
    within inside outside above beyond quota quotas in-quota out-of-quota excess exceeding baseline reciprocal
    additional new current existing general blanket retaliatory punitive anti-dumping antidumping
    countervailing temporary universal higher lower total extra further combined""".split()
)
_SEPARATORS = re.compile(r"\s*(?:,|\band\b|\bor\b|&|\bas well as\b|\bplus\b)\s*", re.I)


@dataclass(frozen=True)
class Fact:
    """One tariff a sentence reports."""

    by: str  # the country that charges it
    on: str  # the country whose goods pay it; "" when the sentence names none (every country's)
    goods: str  # what it is on, as the sentence says it ("steel", "light trucks"); "" for all goods
    qualifier: str  # WITHIN or OUTSIDE a quota, or ""
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
        if _MOVED.search(sentence[max(0, f[0] - 30) : f[0]]):
            continue  # "prices fell 9%": how much something moved
        if _NOT_THE_RATE.search(sentence[max(0, f[0] - 30) : f[0]]):
            last_roles = _roles(sentence, f, headline, IN_EFFECT)
            continue  # "an additional 25%": a part of the rate; "instead of 25%": the one replaced
        if not _NEAR_DUTY.search(_near(sentence, f)):
            continue  # "slash a sales tax on gas to 7%, ... new levies": the duty is another figure's
        said = _status(sentence, f, published)
        if last_status and _LISTED.fullmatch(sentence[last_end : f[0]]):
            said = (last_status[0], said[1] if said else last_status[1])  # "proposed a 60% tariff on X and 10% on Y"
        last_status, last_end = said, f[1]
        if said is None:
            continue
        kind, day = said
        pays, charges = _roles(sentence, f, headline, kind)
        alone = not countries_in(clause_of(sentence, f[0], alone=True))
        if not charges and last_roles[1] and alone:
            pays, charges = last_roles  # "Peru's additional 10% tariff ..., bringing the total to 22%"
        elif not pays and charges and charges == last_roles[1] and alone and not _WORLD.search(_near(sentence, f)):
            pays = last_roles[0]  # "Vietnamese rice will pay 15% within the quota and 35% outside it"
        if _WORLD.search(clause_of(sentence, f[0], alone=True)):
            pays = set()  # "10% tariffs on goods from around the world": every country's, not the clause before's
        last_roles = (pays, charges)
        if not charges:
            continue
        goods = _goods(sentence, f, kind)
        if goods is None:  # "9% on American beef within the quota and 38.5% on shipments outside it"
            goods = last_goods
        last_goods = goods
        if not pays and (m := _GOODS_AFTER.match(sentence[f[1] :])):  # "25% on every Mexican heavy truck"
            named = {c.country for c in countries_in(_head(m.group("g")))} - {charges}
            pays = named if len(named) == 1 else pays
        if not pays and not goods and not (goods == [] and _EVERY.search(sentence[f[1] : f[1] + 80])):
            continue  # no whom and no what: "a 25% tariff is in place"
        replaced = next(
            (sentence[c.old[0] : c.old[1]].strip(" ,.;") for c in found if _overlaps(c.new, f)),
            None,
        )
        qualifier = _qualifier(sentence, f)
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
    if (
        _PAUSE.search(lead)
        or (_PAUSE.search(wide) and not CLAUSE_BREAK.search(sentence, 0, f[0]))
        or _PAUSED_AFTER.search(rest)
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
    text = _MAY_DAY.sub("Mxy", sentence[start:])  # "From May 1" is a day, not "may" (a forecast)
    said = status(text, (f[0] - start, f[1] - start), reported)  # not another clause's "could"
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


def _roles(sentence: str, f: tuple[int, int], headline: str, kind: str) -> tuple[set[str], str]:
    """Whose goods pay the rate at `f` and who charges it ("" when the sentence, with its headline, does not
    say, or says several)."""
    clause = clause_of(sentence, f[0])
    r = roles(clause)
    own_subject = _subject(clause)  # the clause's subject charges, never pays
    subject = own_subject or _subject(sentence)
    possessive = _possessive(sentence, f)
    if _GAPPED.search(sentence[: f[0]]):
        return set(), ""  # "Brazil will charge 18% on Chinese tyres and Argentina 16%": Argentina's, on China
    # the subject charges, never pays ("The U.S. will raise its 10% tariff on Chinese goods": China's goods)
    own = _from_after(sentence, f) or set(stands_with(sentence, f)) - possessive - {own_subject}
    pays = own or set(r.pays) - {own_subject} or _made_in(sentence)
    if kind == EXEMPTED:  # "The United States will exempt Indonesian palm oil from the 19% tariff"
        pays = {m.country for m in countries_in(_exempt_object(sentence, f))} or set(r.pays)
    charges = (possessive or set(r.charges)) - pays
    if not charges:
        charges = {subject} - {""} - pays
    if not charges:  # a charger named before the rate's clause ends, not one of a clause after it
        ends = [m.start() for m in CLAUSE_BREAK.finditer(sentence, f[1])]
        charges = set(roles(sentence[: ends[0] if ends else len(sentence)]).charges) - pays
    if not charges:
        charges = {country for pattern, country in _GOVERNMENTS if pattern.search(sentence)} - pays
    if not charges:  # "Duties of 27.4% on Chinese-made cars took effect in the European Union"
        charges = {
            m.country for m in countries_in(sentence) if _EFFECT_IN.search(sentence[max(0, m.start - 30) : m.start])
        } - pays
    if not charges:  # "..., the Philippine agriculture department said"
        charges = {m.country for m in countries_in(sentence) if _SAYER.match(sentence[m.end :])} - pays
    if not charges and headline and pays:
        # "Argentine beef within the quota pays 10%" under "U.S. sets beef quota for Argentina"
        h = roles(headline)  # its subject first: "U.S. holds off on China tariff rise" is the U.S.'s
        charges = ({_subject(headline)} - {""} or set(h.charges)) - pays
    if not charges and not countries_in(sentence) and headline:
        # "The 20% duty on steel pipes takes effect on Monday", under "Canada hits Chinese steel pipes with duty"
        h = roles(headline)
        charges = (set(h.charges) or {_subject(headline)} - {""}) - set(h.pays)
        # whose goods: those the headline says pay, else the one other country it names ("Spanish tiles")
        others = {m.country for m in countries_in(headline)} - charges
        pays = set(h.pays) or (others if len(others) == 1 else set())
        if _EVERY_ORIGIN.search(sentence):
            pays = set()  # "All imported cars already pay the bloc's 10% duty": every country's, not the headline's
    if len(charges) != 1:
        return set(), ""
    (by,) = charges
    return pays - {by}, by


_POSSESSIVE = re.compile(r"^['’]s\s+(?:[\w.%$€£¥-]+\s+){0,3}?" + _DUTY + r"\b", re.I)


def _possessive(sentence: str, f: tuple[int, int]) -> set[str]:
    """The country whose duty the rate is, by its possessive ("Washington's 39% duty", "Ottawa's 100% tariff")."""
    out = set()
    for m in countries_in(sentence):
        if m.end <= f[0] and f[0] - m.end <= 12:
            said = sentence[m.start : m.end]
            tail = sentence[m.end - 2 :] if said.endswith(("'s", "’s")) else sentence[m.end :]
            if _POSSESSIVE.match(tail):
                out.add(m.country)
    return out


# A sentence may open with a few words and a comma before its subject: "In return, Beijing scrapped ..."
_SUBJECT_START = re.compile(r"^\W*(?:(?:[\w'’-]+\s+){0,3}[\w'’-]+,\s*)?(?:the\s+)?$", re.I)
# "... and Argentina 16%": a country right before a rate, no word between, another clause's verb for it
_GAPPED = re.compile(r"\b(?:and|while|but)\s+(?:the\s+)?[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)?\s+$")
_FROM_AFTER = re.compile(r"^\s+(?:on\s+(?:goods|imports|products)\s+)?from\s+(?:the\s+)?$", re.I)
_SAYER = re.compile(
    r"^\s+(?:[\w-]+\s+){0,2}?(?:ministry|department|government|commission|authorities|officials|customs|regulator)\b"
    r"(?:\s+\w+){0,2}?\s+(?:said|says|announced|confirmed|decided|ruled|told)\b",
    re.I,
)
_EVERY_ORIGIN = re.compile(
    r"\b(?:all|every|any)\s+(?:other\s+)?(?:imported|imports?|origins?|countr\w*|suppliers?|sources?)\b", re.I
)


_MADE_IN = re.compile(r"\b(?:made|built|produced|grown|manufactured|assembled)\s+in\s+(?:the\s+)?$", re.I)
_EFFECT_IN = re.compile(r"\b(?:effect|force)\s+(?:across|in|throughout)\s+(?:the\s+)?$", re.I)


def _made_in(sentence: str) -> set[str]:
    """ "electric vehicles built in China": whose goods they are."""
    return {m.country for m in countries_in(sentence) if _MADE_IN.search(sentence[max(0, m.start - 30) : m.start])}


def _near(sentence: str, f: tuple[int, int]) -> str:
    """The words around a rate that say what it is: up to 120 characters before it, 40 after, neither past a
    clause that starts on its own ("..., which", ";")."""
    before = sentence[max(0, f[0] - 120) : f[0]]
    before = re.split(r";|,\s*(?:which|who|while|whereas)\b", before)[-1]
    after = re.split(r"[;,]|\s(?:which|while|whereas)\s", sentence[f[1] : f[1] + 40])[0]
    return f"{before} {sentence[f[0] : f[1]]} {after}"


def _head(phrase: str) -> str:
    """A goods phrase up to the word that ends it ("imported goods and for killing ...": imported goods and)."""
    words = re.findall(r"\S+", phrase)
    for i, w in enumerate(words):
        if w.lower().strip(",.") in _GOODS_END - {"and", "or"}:
            return " ".join(words[:i])
    return phrase


def _from_after(sentence: str, f: tuple[int, int]) -> set[str]:
    """The country right after a rate ("20% on goods from Vietnam, 32% from Indonesia"): its own."""
    for m in countries_in(sentence[f[1] : f[1] + 40]):
        if _FROM_AFTER.match(sentence[f[1] : f[1] + m.start]):
            return {m.country}
        break
    return set()


_NOT_SUBJECT_AFTER = re.compile(
    r"^\s*(?:['’]s\s+)?(?:goods|imports|exports|products|exporters|makers|producers|farmers|[a-z]+makers|steel|cars|"
    r"shipments|beef|wine|\w+\s+(?:exports|imports|goods))\b|^\s*(?:['’]s\s+)?(?:face|faces|pay|pays)\b",
    re.I,
)


# The subject's verb, a few words after it: it charges, decides or says ("Canada said on Tuesday it would",
# "The European Union on Monday approved"), not "Canada and Mexico are not subject to".
_SUBJECT_VERB = re.compile(
    r"^(?:\s+[\w,'’.-]+){0,4}?\s+(?:(?:will|would|has|have|had|also|then|now|to|did|is|was|plans\s+to|"
    r"is\s+set\s+to)\s+)?(?:impos|charg|lev(?:y|ie)|put|slap|set|rais|cut|lower|appl|keep|kept|exempt|spar|lift|"
    r"remov|scrap|end|paus|suspend|delay|postpon|threat|warn|propos|approv|announc|adopt|retaliat|hit|double|halv|"
    r"triple|increas|reduc|extend|said|says|told|decided|agreed|confirmed|moved|answer|respond|counter|struck\s+back|"
    r"hit\s+back|hold|holds|held)",
    re.I,
)


def _subject(sentence: str) -> str:
    """The country a sentence opens with as its subject ("Canada said it would ...", "The European Union on
    Monday approved ..."), not one whose goods it opens with ("Chinese goods face ...")."""
    mentions = countries_in(sentence)
    if not mentions:
        return ""
    m = mentions[0]
    after = sentence[m.end :]
    if (
        _SUBJECT_START.match(sentence[: m.start])
        and not _NOT_SUBJECT_AFTER.match(after)
        and not re.match(r"\s*(?:and|or|&)\s", after)  # "The U.S. and the U.K. announce ...": which of them?
        and _SUBJECT_VERB.match(after)
    ):
        return m.country
    return ""


def _exempt_object(sentence: str, f: tuple[int, int]) -> str:
    before = sentence[: f[0]]
    if m := list(_GOODS_EXEMPT.finditer(before)):
        return m[-1].group("g")
    if m := _GOODS_EXEMPT_SUBJECT.search(before):
        return m.group("g")
    return ""


def _goods(sentence: str, f: tuple[int, int], kind: str) -> list[str] | None:
    """What the rate at `f` is on, one entry per product ("steel and aluminum": two); [] for a country's goods
    in general ("on Chinese goods"); None when the sentence does not say ("38.5% on shipments outside it")."""
    after = sentence[f[1] :]
    before = sentence[max([0, *(g[1] for g in figures(sentence) if g[1] <= f[0])]) : f[0]]
    tries: list[str] = []
    if kind == EXEMPTED:  # "exempt Indonesian palm oil from the 19% tariff"
        tries.append(_exempt_object(sentence, f))
    if m := _GOODS_AFTER.match(after):  # "a 25% tariff on imported cars"
        tries.append(m.group("g"))
    if m := _GOODS_BEFORE_DUTY.match(after):  # "a 25% steel tariff"
        tries.append(m.group("g"))
    if m := _ON_BEFORE.search(before):  # "cut its tariffs ... and on American chicken legs to 15%"
        tries.append(m.group("g"))
    if m := _GOODS_PAY.search(sentence[max(0, f[0] - 80) : f[0]]):  # "Brazilian beef still pays the 40% duty"
        tries.append(m.group("g"))
    if m := _GOODS_ANY.search(clause_of(sentence, f[0], alone=True)):  # "tariffs on steel rose to 50%"
        tries.append(m.group("g"))
    if m := _GOODS_ANY.search(sentence[: f[0]]):
        tries.append(m.group("g"))
    for phrase in tries:
        if (said := _products(phrase)) is not None:
            return said
    return None


def _products(phrase: str) -> list[str] | None:
    """The products a phrase names, countries and words like "goods" and "imported" left out ("imported cars and
    light trucks": cars, light trucks); [] for a country's goods or all goods ("Chinese goods", "all imports");
    None when it names neither ("shipments outside it")."""
    parts = phrase.split(",")  # a comma ends it, unless a list goes on to its "and": "soybeans, pork and cotton"
    phrase = parts[0]
    for j in range(1, len(parts)):
        item = parts[j].strip()
        head = re.split(r"\s(?:from|on|until|by|in|at|after|before|starting|effective)\s", f" {item} ", maxsplit=1)[0]
        if countries_in(head) or re.search(r"\d", head):
            break  # "Chinese goods, and China charges 34% ...": another clause
        if re.match(r"(?:and|or)\s", item) or re.search(r"\s(?:and|or)\s", item):
            phrase = ",".join(parts[: j + 1])
            break
        if len(item.split()) > 3:
            break
    general = bool(countries_in(phrase))
    for m in reversed(countries_in(phrase)):
        phrase = f"{phrase[: m.start]} {phrase[m.end :]}"
    words: list[str] = []
    for w in re.findall(r"[$€£¥\d][\w.,$]*|[A-Za-z][\w'’-]*|,|&", phrase):
        low = w.lower()
        if low in _GOODS_END and low not in ("and", "or") or w[0] in "$€£¥" or w[0].isdigit():
            break
        words.append(low)
    general = general or bool({"goods", "all", "imports", "products", "exports"} & set(words))
    out = []
    for part in _SEPARATORS.split(" ".join(words).replace(" ,", ",")):
        said = part.split()
        kept = [
            w
            for i, w in enumerate(said)
            if (w not in _GENERIC or (w == "products" and i and said[i - 1] not in _GENERIC))  # "lobster products"
            and not w.endswith(("'s", "’s"))
        ]
        if kept:
            out.append(" ".join(kept))
    return list(dict.fromkeys(out)) if out or general else None


def _qualifier(sentence: str, f: tuple[int, int]) -> str:
    """Within or outside a quota, when the sentence has one and the rate's own words say which: those after it
    in its clause ("9% on American beef within the quota"), else those before it back to the figure before
    ("and outside it €95 a tonne")."""
    if "quota" not in sentence.lower():
        return ""
    after = sentence[f[1] :]
    after = after[: m.start()] if (m := FIGURE.search(after)) else after
    after = after[: m.start()] if (m := CLAUSE_BREAK.search(after)) else after
    before = sentence[max([0, *(g[1] for g in figures(sentence) if g[1] <= f[0])]) : f[0]]
    for text in (after, before):
        if _QUOTA_OUT.search(text):
            return OUTSIDE
        if _QUOTA_IN.search(text):
            return WITHIN
    return ""


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]
