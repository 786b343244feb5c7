"""Who charges a duty and who pays it, in a clause or a question (`roles`): "U.S. tariffs on Chinese goods" (the
United States charges, China pays), "China's 10% retaliatory duties on American farm goods", "British carmakers
will pay 10%", "goods shipped to Canada". `clause_of` bounds the clause a figure stands in, so that one
sentence's two figures keep their own countries. The countries themselves are read by answering/subjects.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from answering.subjects import DUTY, Mention, countries_in

# Roles around a duty: who charges it ("U.S. tariffs", "China's duty", "Mexico will charge") and whose goods
# pay it ("on Chinese goods", "on China", "imports from the EU").
# "Russian wheat in tariff-free": no duty is charged ("tariff-free", "duty-free").
_DUTY_WORD = re.compile(r"^(?:['’]s)?\s*(?:(?:[\w-]+\s+){0,2})" + DUTY + r"\b(?!-free)", re.I)
_CHARGES = re.compile(
    r"^\s*(?:(?:will|would|has|have|had|to|also|now|then|just|did)\s+){0,2}(?:put|puts|impose[sd]?|imposing|charge[sd]?|"
    r"levie[sd]|levy|set|sets|raise[sd]?|raising|cut|cuts|lower(?:s|ed)?|place[sd]?|appl(?:y|ies|ied)|slap(?:s|ped)?|"
    r"halve[sd]?|double[sd]?|hike[sd]?|increase[sd]?|reduce[sd]?|keep|keeps|kept)\b",
    re.I,
)
_FACES = re.compile(
    r"^(?:['’]s\s+(?:goods|imports|exports|products))?\s*(?:(?:will|would|could|now|also|still|must)\s+)?"
    r"(?:face[sd]?|facing|pay|pays|paid|paying|be\s+hit|(?:is|are|was|were)\s+hit)\b",
    re.I,
)
# Whose makers pay ("British carmakers will pay 10%", "Canadian exporters face ..."), and where goods go: the
# country they are shipped to charges the duty.
_MAKERS = re.compile(
    r"^\s*(?:[\w-]+\s+)?(?:\w*makers|exporters|producers|manufacturers|farmers|growers|companies|firms|"
    r"shippers)\b(?:\s+(?:will|would|could|now|also|still|must)){0,2}\s+(?:face[sd]?|facing|pay|pays|paid|"
    r"paying|be\s+hit)\b",
    re.I,
)
_DESTINATION = re.compile(
    r"\b(?:shipped|exported|sent|sold|going|headed|bound|entering|delivered|exports|shipments|sales)\s+(?:in)?to\s+"
    r"(?:the\s+)?$",
    re.I,
)
_PAYS = re.compile(r"(?:\b(?:on|against|from|of|to)\s+(?:the\s+|all\s+|most\s+|imports\s+from\s+(?:the\s+)?)?)$", re.I)


@dataclass(frozen=True)
class Roles:
    charges: frozenset[str] = frozenset()  # who levies the duty
    pays: frozenset[str] = frozenset()  # whose goods pay it

    def conflicts(self, other: Roles) -> bool:
        """The two say different countries charge, or different countries pay (when both say)."""
        return bool(
            (self.charges and other.charges and not self.charges & other.charges)
            or (self.pays and other.pays and not self.pays & other.pays)
            or (self.charges & other.pays and not self.charges & other.charges)
        )


def charges_at(text: str, m: Mention) -> bool:
    """The mention names who charges a duty ("U.S. tariffs", "China's duty", "Mexico will charge")."""
    after = text[m.end : m.end + 40]
    return not _FACES.match(after) and bool(_DUTY_WORD.match(after) or _CHARGES.match(after))


def roles(text: str) -> Roles:
    """Who charges and who pays, from the countries a clause or question names and the words around them."""
    charges, pays = set(), set()
    previous: tuple[int, set[str] | None] | None = None  # the last mention's end and the role it took
    unplaced: list[Mention] = []  # the mentions since the last one that took a role
    for m in countries_in(text):
        before, after = text[max(0, m.start - 30) : m.start], text[m.end : m.end + 40]
        role: set[str] | None = None
        if _FACES.match(after) or _MAKERS.match(after):  # "Vietnam faces 46%", "British carmakers will pay"
            role = pays
        elif _DESTINATION.search(before):  # "cars shipped to the US": the US charges on arrival
            role = charges
        elif _DUTY_WORD.match(after):
            role = charges
        elif _PAYS.search(before):
            role = pays
        elif _CHARGES.match(after):
            role = charges
        elif re.match(r"^\s*(?:goods|imports|exports|products|cars|steel|shipments)\b", after, re.I):
            role = pays
        elif previous and previous[1] is not None and _COORDINATED.match(text[previous[0] : m.start]):
            role = previous[1]  # "goods from Canada and Mexico": Mexico's goods pay too
        if role is not None:
            role.add(m.country)
            # "South Korea and Vietnam face ...": the countries listed right before it without a role share it
            after = m
            for earlier in reversed(unplaced):
                if not _COORDINATED.match(text[earlier.end : after.start]):
                    break
                role.add(earlier.country)
                after = earlier
            unplaced.clear()
        else:
            unplaced.append(m)
        previous = (m.end, role)
    return Roles(frozenset(charges), frozenset(pays))


_COORDINATED = re.compile(r"^\s*(?:,\s*)?(?:(?:and|or|&)\s+)?$", re.I)  # what joins "Canada, Mexico and China"


# Where a sentence's clauses break: each figure belongs to its clause ("U.S. tariffs on Chinese goods fall to
# 30% from 145%, and China's tariffs on U.S. goods fall to 10% from 125%"). A clause ends at punctuation, a dash
# set off by spaces, "while" or "whereas", and at the reason a duty was imposed for ("a 25% tariff on light trucks
# imposed over European tariffs on American chicken": another duty, not its own).
CLAUSE_BREAK = re.compile(
    r";\s*|:\s+|,\s*(?:and|but|while|whereas)\s+|,\s+|\s+[—–]\s+|\s+(?:while|whereas)\s+|\s+and\s+(?=\S*\d)"
    r"|\s+(?:(?:imposed|levied|introduced|set)\s+(?:over|because of)|in (?:response|retaliation) (?:to|for|against))\s+"
)


def clause_of(sentence: str, at: int, *, alone: bool = False) -> str:
    """The clause of `sentence` holding character `at`, with the clauses before it back to the one that names a
    country (a clause like "34% on China" stands alone; "fall to 30%" inherits "U.S. tariffs on Chinese goods");
    `alone`: only its own clause ("while shipments outside the quota face 26.4%")."""
    bounds = [0, *(m.end() for m in CLAUSE_BREAK.finditer(sentence)), len(sentence) + 1]
    index = max(i for i, b in enumerate(bounds[:-1]) if b <= at)
    start = bounds[index]
    end = bounds[index + 1]
    clause = sentence[start:end]
    while not alone and not countries_in(clause) and index > 0:
        index -= 1
        start = bounds[index]
        clause = sentence[start:end]
    return clause
