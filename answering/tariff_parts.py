"""Who charges a tariff rate, on whose goods and on what (the parts of a fact answering/tariffs.py reads): the
roles of the rate's clause (answering/roles.py) and the country it stands with in a list (answering/figures.py
`stands_with`), else, in this order, its possessive ("Ottawa's 100% tariff"), the clause's or the sentence's
subject ("Canada said on Tuesday it would ..."), a government named in place of its country ("Trump", "the
Commerce Secretary"), a sayer ("the Philippine agriculture department said"), where it "took effect", and the
story's headline; what it is on, as a list of products ("steel and aluminum": two) or all of a country's goods;
and the side of a quota it is on.

Patterns, as the rest of the board's rules: each has a test in tests/test_tariffs.py.
"""

from __future__ import annotations

import re

from answering.figures import stands_with
from answering.measures import FIGURE, figures
from answering.roles import CLAUSE_BREAK, clause_of, roles
from answering.subjects import countries_in

DUTY = r"(?:(?:counter-?)?tariffs?|dut(?:y|ies)|levy|levies|import tax(?:es)?)"
WITHIN, OUTSIDE = "within quota", "outside quota"

# A government named in place of its country: who charges when no country does.
_GOVERNMENTS = [
    (re.compile(r"\b(?:(?:President\s+)?(?:Donald\s+)?Trump|the\s+Commerce\s+(?:Department|Secretary)|USTR|the\s+"
                r"Trump\s+administration|the\s+Treasury\s+Secretary|the\s+U\.?S\.?\s+Trade\s+Representative)\b"),
     "United States"),
    (re.compile(r"\bthe\s+European\s+Commission\b|\b(?:the|a)\s+Commission\b"), "European Union"),
]  # fmt: skip

_QUOTA_IN = re.compile(r"\b(?:within|inside|in-quota|under|for\s+a\s+quota)\b", re.I)
_QUOTA_OUT = re.compile(r"\b(?:outside|above|beyond|over|out-of-quota|exceed\w*|in excess)\b", re.I)

# --- what a duty is on -----------------------------------------------------------------------------------------
_SUM = r"(?:(?:US|C|A)?[$€£¥]\s?[\d.,]+\s*(?:[mb]illion|trillion|bn)?\s+(?:worth\s+)?of\s+)?"
_ON = r"\s+(?:on|for|against|applied\s+to|applying\s+to|that\s+applies\s+to)\s+(?:the\s+)?"
_UNIT = r"(?:\s+(?:a|an|per)\s+(?:metric\s+)?[a-z]+)?"
_CHARGER_BETWEEN = r"(?:\s+(?:[\w'’.-]+\s+){0,2}?(?:charges|imposes|levies|applies|puts|places|keeps|set|sets))?"
GOODS_AFTER = re.compile(
    rf"^{_UNIT}(?:\s*(?:[\w'’.-]+\s+){{0,3}}?{DUTY}{_CHARGER_BETWEEN})?{_ON}{_SUM}(?P<g>[^;:()]+)", re.I
)
_GOODS_ANY = re.compile(rf"\b{DUTY}{_ON}{_SUM}(?P<g>[^;:()]+)", re.I)
_ON_BEFORE = re.compile(r"\bon\s+(?:the\s+)?(?P<g>(?:(?!\bon\b)[^,;:()%])+?)\s+(?:to|at)\s+$", re.I)
_GOODS_DUTY_TO = re.compile(rf"(?P<g>(?:[\w'’-]+\s+){{1,2}}){DUTY}\s+(?:to|at|of)\s+(?:a\s+|an\s+)?$", re.I)
_GOODS_BEFORE_DUTY = re.compile(rf"^\s*(?P<g>(?:[a-z][\w-]*\s+){{1,3}}?){DUTY}\b", re.I)
_GOODS_PAY = re.compile(
    r"(?P<g>(?:[\w'’-]+\s+){1,5}?)(?:(?:will|would|now|also|must|still)\s+)?"
    r"(?:face[sd]?|facing|pays?|paid|paying|(?:is|are)\s+charged)\s+"
    r"(?:(?:a|an|the|its|[\w'’]+['’]s|standard|flat|full|same)\s+){0,3}$",
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
    built suspended paused exempted exempt lifted removed scrapped delayed postponed spared""".split()
)

_GENERIC = frozenset(
    """goods imports imported import products exports exported export shipments items all most the of made
    its their some certain other foreign such like various many any every each incoming inbound outbound
    within inside outside above beyond quota quotas in-quota out-of-quota excess exceeding baseline reciprocal
    additional new current existing general blanket retaliatory punitive anti-dumping antidumping
    countervailing temporary universal higher lower total extra further combined""".split()
)

_QUANTITY = re.compile(
    r"^\s*(?:up\s+to\s+|about\s+|some\s+|nearly\s+)?[\d,.]+\s+(?:\w+\s+)?(?:tonnes|tons|kilograms|kg|barrels|units|"
    r"cars|vehicles|head|litres|liters|bushels)\s+(?:a\s+year\s+)?of\s+",
    re.I,
)
_SEPARATORS = re.compile(r"\s*(?:,|\band\b|\bor\b|&|\bas well as\b|\bplus\b)\s*", re.I)


def roles_of(sentence: str, f: tuple[int, int], headline: str, *, exempt: bool = False) -> tuple[set[str], str]:
    """Whose goods pay the rate at `f` and who charges it ("" when the sentence, with its headline, does not
    say, or says several)."""
    clause = clause_of(sentence, f[0])
    r = roles(clause)
    own_subject = _subject(clause)  # the clause's subject charges, never pays
    subject = own_subject or _subject(sentence)
    possessive = _possessive(sentence, f)
    if _GAPPED.search(sentence[: f[0]]) and _subject(sentence):
        return set(), ""  # "Brazil will charge 18% on Chinese tyres and Argentina 16%": Argentina's, on China
    # the subject charges, never pays ("The U.S. will raise its 10% tariff on Chinese goods": China's goods)
    own = set(stands_with(sentence, f)) - possessive - {own_subject}
    pays = own or set(r.pays) - {own_subject} or _made_in(sentence)
    if exempt:  # "The United States will exempt Indonesian palm oil from the 19% tariff"
        pays = {m.country for m in countries_in(_exempt_object(sentence, f))} or set(r.pays)
    charges = (possessive or set(r.charges)) - pays
    if own_subject and charges - {own_subject} and not possessive:
        # "Washington hikes Vietnamese furniture tariff to 40 percent", "U.S. exempts generic drugs from 25% Indian
        # tariff": the subject acts on the duty; a people's adjective before it says whose goods pay
        adjectives = {m.country for m in countries_in(clause) if not m.named and m.country != own_subject}
        if charges - {own_subject} <= adjectives:
            pays |= charges - {own_subject}
            charges = {own_subject}
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


_POSSESSIVE = re.compile(r"^['’]s\s+(?:[\w.%$€£¥-]+\s+){0,3}?" + DUTY + r"\b", re.I)


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


def goods_head(phrase: str) -> str:
    """A goods phrase up to the word that ends it ("imported goods and for killing ...": imported goods and)."""
    words = re.findall(r"\S+", phrase)
    for i, w in enumerate(words):
        if w.lower().strip(",.") in _GOODS_END - {"and", "or"}:
            return " ".join(words[:i])
    return phrase


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
    r"hit\s+back|hold|holds|held|hik)",
    re.I,
)


_VERB_NEXT = re.compile(
    _SUBJECT_VERB.pattern.replace(
        r"^(?:\s+[\w,'’.-]+){0,4}?",
        # its institution may stand between ("the European Commission proposed"), and an adverb ("still charges")
        r"^(?:['’]s)?(?:\s+(?:[\w-]+\s+)?(?:commission|government|ministry|department|authorities|officials|"
        r"parliament|council|cabinet|customs|administration|regulators?))?(?:\s+(?:still|also|now|currently|again|"
        r"then|on\s+\w+day)){0,2}",
        1,
    ),
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
        # a people's adjective or a capital acts only with its verb right after it ("Beijing will remove",
        # "Washington hikes"), not "Japanese auto parts will be exempted"
        and (m.named or _VERB_NEXT.match(after))
    ):
        return m.country
    return ""


def _exempt_object(sentence: str, f: tuple[int, int]) -> str:
    """What is exempted: "exempt Indonesian palm oil from", "Moroccan peppers would be spared" (after what is
    said: "The government also said Moroccan peppers would be spared")."""
    before = sentence[: f[0]]
    if m := list(_GOODS_EXEMPT.finditer(before)):
        return m[-1].group("g")
    if m := _GOODS_EXEMPT_SUBJECT.search(before):
        return re.split(r"\b(?:said|says|say|that|announced|added)\b", m.group("g"))[-1]
    return ""


def goods_of(sentence: str, f: tuple[int, int], *, exempt: bool = False) -> list[str] | None:
    """What the rate at `f` is on, one entry per product ("steel and aluminum": two); [] for a country's goods
    in general ("on Chinese goods"); None when the sentence does not say ("38.5% on shipments outside it")."""
    after = sentence[f[1] :]
    before = sentence[max([0, *(g[1] for g in figures(sentence) if g[1] <= f[0])]) : f[0]]
    tries: list[str] = []
    if exempt:  # "exempt Indonesian palm oil from the 19% tariff"
        tries.append(_exempt_object(sentence, f))
    if m := GOODS_AFTER.match(after):  # "a 25% tariff on imported cars"
        tries.append(m.group("g"))
    if m := _GOODS_BEFORE_DUTY.match(after):  # "a 25% steel tariff"
        tries.append(m.group("g"))
    if m := _ON_BEFORE.search(before):  # "cut its tariffs ... and on American chicken legs to 15%"
        tries.append(m.group("g"))
    if m := _GOODS_DUTY_TO.search(before):  # "Washington hikes Vietnamese furniture tariff to 40 percent"
        tries.append(m.group("g"))
    if m := _GOODS_PAY.search(sentence[max(0, f[0] - 80) : f[0]]):  # "Brazilian beef still pays the 40% duty"
        tries.append(m.group("g"))
    if m := _GOODS_ANY.search(clause_of(sentence, f[0], alone=True)):  # "tariffs on steel rose to 50%"
        tries.append(m.group("g"))
    if m := _GOODS_ANY.search(sentence[: f[0]]):
        tries.append(m.group("g"))
    # ... and what a duty word right next to the rate says it is on: "40 per cent furniture duty on Vietnam",
    # "hikes Vietnamese furniture tariff to 40 percent" (these name the product where the phrase after the duty
    # names only a country)
    close = [m.group("g") for m in (_GOODS_BEFORE_DUTY.match(after), _GOODS_DUTY_TO.search(before)) if m]
    for phrase in tries:
        if (said := _products(phrase)) is not None:
            return said or next((p for p in map(_products, close) if p), said)
    return None


def _products(phrase: str) -> list[str] | None:
    """The products a phrase names, countries and words like "goods" and "imported" left out ("imported cars and
    light trucks": cars, light trucks); [] for a country's goods or all goods ("Chinese goods", "all imports");
    None when it names neither ("shipments outside it")."""
    phrase = _QUANTITY.sub("", phrase)  # "up to 800,000 tonnes of rice": rice
    parts = re.split(
        r",(?=\s)", phrase
    )  # a comma ends it, unless a list goes on to its "and": "soybeans, pork and cotton"
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


def quota_side(sentence: str, f: tuple[int, int]) -> str:
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
