"""What a question is about, and whether a passage is about it too.

A passage can only answer when what the question names is in the passage or its headline: a country (by its
name, an alias, its people's adjective or its capital: Canada / Canadian / Ottawa, the United Kingdom /
Britain / British / UK / London), a name ("Mark Carney", "the World Series"), a product a duty is on
("copper", "steel wire"). Without this, a reader shown Canada's election date for "When is Australia's
election?" finds a date that reads like an answer.

Countries, their aliases, demonyms and capitals come from the `countryinfo` package (MIT), with the few
forms news uses that it lacks (`_MORE`). The roles a country plays around a tariff figure (who charges it,
whose goods pay it) are answering/roles.py's.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from embeddings.analysis import terms, terms_held

# Forms news uses that countryinfo does not list (it has "UK" and "Great Britain", not "Britain").
_MORE = {
    "United States": ["U.S.", "U.S", "America", "American", "Americans", "White House", "Washington"],
    "United Kingdom": ["U.K.", "Britain", "Britons"],
    "China": ["Chinese"],
    "South Korea": ["Korea", "Korean", "Koreans"],
    "European Union": ["European Union", "EU", "E.U.", "European", "Europeans", "Brussels", "Europe"],
    "Taiwan": ["Taipei"],
    # Its people as news more often writes them than countryinfo's one demonym ("Ecuadorean", "Filipino").
    "Ecuador": ["Ecuadorian", "Ecuadorians"],
    "Philippines": ["Philippine"],
    "Argentina": ["Argentine", "Argentinian", "Argentinians"],
    "Saudi Arabia": ["Saudi", "Saudis"],
    "New Zealand": ["New Zealander", "New Zealanders"],
    "Kazakhstan": ["Kazakh"],
    "Uzbekistan": ["Uzbek"],
    "Iceland": ["Icelandic"],
}
# Of those, the forms that name the country itself (the rest name its people, its capital or its government).
_MORE_NAMES = {"U.S.", "U.S", "America", "U.K.", "Britain", "Korea", "European Union", "EU", "E.U."}
# Short codes that are words ("IN", "IT", "CAN") are left out; these are how news writes countries.
_CODES = {"US", "UK", "USA", "UAE", "EU", "PRC", "DRC"}


def _cities(capital: str | list[str]) -> list[str]:
    """countryinfo's capital (one name or several) as countries_in finds it: "Washington D.C." is "Washington"."""
    return [re.sub(r"\s+D\.?C\.?$", "", c) for c in ([capital] if isinstance(capital, str) else capital) if c]


@lru_cache(maxsize=1)
def _country_forms() -> tuple[dict[str, str], re.Pattern[str], frozenset[str]]:
    """Every written form of every country -> its name, one pattern that finds them in text, and the forms that
    are the country's own names (not its people's or its capital's)."""
    from countryinfo import all_countries

    forms: dict[str, str] = {}
    names: set[str] = set(_CODES) | _MORE_NAMES
    people: dict[str, float] = {}  # a form several countries share ("Indian", "American") is the most populous's
    for country in all_countries():
        try:
            name = country.name()
            spellings = country.alt_spellings() or []
            capital = country.capital() or ""
            demonym = country.demonym() or ""
            if not isinstance(demonym, str):
                demonym = ""
        except Exception:  # a record with a missing field: use what it has
            continue
        try:
            population = float(country.population() or 0)
        except Exception:
            population = 0.0
        if not name:
            continue
        name = name.title() if name.islower() else name
        found = [name, *spellings]
        names.update(f.strip() for f in found if f)
        if demonym:
            found += [demonym, f"{demonym}s"] if not demonym.endswith(("s", "sh", "ch", "ese")) else [demonym]
        found += _cities(capital)
        for form in found:
            form = form.strip()
            if not form or not form.isascii():
                continue
            if len(form) <= 3 and form.isupper() and form not in _CODES:
                continue
            if form not in forms or population > people[form]:
                forms[form], people[form] = name, population
    for name, extra in _MORE.items():
        for form in extra:
            forms[form] = name
    pattern = re.compile(r"(?<![\w.])(?:" + _trie(forms) + r")(?:['’]s)?(?![\w])")
    return forms, pattern, frozenset(names)


@lru_cache(maxsize=1)
def _atlas() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Each country's name -> its region and subregion (countryinfo's: "Europe", "Northern Europe"; the European
    Union is in none: "which European country" is a member state), and its capitals as countries_in finds them
    (`_cities`)."""
    from countryinfo import all_countries

    out: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
    for country in all_countries():
        try:
            name = country.name()
            name = name.title() if name.islower() else name
            places = frozenset(p for p in (country.region(), country.subregion()) if p)
        except Exception:  # a record with a missing field
            continue
        try:
            capital = country.capital() or ""
        except Exception:
            capital = ""
        out[name] = (places, frozenset(_cities(capital)))
    return out


_NOWHERE: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())
_POINTS = {"east", "west", "north", "south", "northeast", "northwest", "southeast", "southwest", "far", "near"}


@lru_cache(maxsize=1)
def _all_capitals() -> frozenset[str]:
    """Every country's capitals, as one set."""
    return frozenset(c for _, capitals in _atlas().values() for c in capitals)


def may_be_city(text: str, question: str = "") -> bool:
    """Whether a span may name a city: it holds a capital ("Cairo"), a city-state ("Singapore", "Hong Kong"), a
    country whose capital bears its name ("Kuwait"), or another proper name that is not a country, a continent
    or region ("Europe", "the Middle East"), a month or day, or a word of the `question`."""
    for m in countries_in(text):
        said = re.sub(r"['’]s$", "", text[m.start : m.end])
        if said in _all_capitals():  # "Brussels", whichever country or union it is read as
            return True
        capitals = _atlas().get(m.country, _NOWHERE)[1]
        # A territory with no capital of its own or a "City of …" is a city ("Hong Kong", "Macau", "San Marino").
        if m.named and (not capitals or any(said in c or c.startswith("City of ") for c in capitals)):
            return True
    return names_someone(text, question, besides=_REGIONS | _POINTS | {"the", "of"})


_AROUND_A_NAME = " .,;:'\"’”“"  # what a span may carry around a place's name


@lru_cache(maxsize=1)
def _provinces() -> dict[str, str]:
    """Every country's states and provinces as countryinfo lists them, in lower case -> the country."""
    from countryinfo import all_countries

    out: dict[str, str] = {}
    for country in all_countries():
        try:
            name, provinces = country.name(), country.provinces() or []
        except Exception:  # a record with a missing field
            continue
        for province in provinces:
            if isinstance(province, str) and province.strip():
                out.setdefault(province.strip().lower(), name)
    return out


def province_of(text: str) -> str | None:
    """The country whose state or province the text is, and nothing more ("South Carolina", "Ontario"): None
    when it is not one, or when it is also a country's capital ("Brussels", "Berlin")."""
    said = re.sub(r"^the\s+", "", text.strip(_AROUND_A_NAME), flags=re.I)
    if said in _all_capitals():
        return None
    return _provinces().get(said.lower())


def only_a_place(text: str) -> bool:
    """The text is a country, a capital, or a state or province, and nothing more: no person's name."""
    if only_country(text) or province_of(text):
        return True
    said = text.strip(_AROUND_A_NAME)
    return said in _all_capitals()


PROPER = re.compile(r"(?<![\w'’])[A-Z][\w'’.-]*")  # a capitalised word


def names_someone(text: str, question: str, besides: Collection[str] = ()) -> bool:
    """The span holds a proper name that is not a month or a day, a country, or a word of the question itself
    (nor one of `besides`, in lower case)."""
    asked = {w.lower() for w in re.findall(r"[\w'’.-]+", question)}
    for m in countries_in(text):
        text = text[: m.start] + " " * (m.end - m.start) + text[m.end :]
    words = (re.sub(r"['’]s$", "", w).rstrip(".").lower() for w in PROPER.findall(text))
    return any(w not in CALENDAR and w not in asked and f"{w}'s" not in asked and w not in besides for w in words)


def lies_in(country: str, region: str) -> bool:
    """Whether the country (a name countries_in gives) lies in the region or subregion."""
    return region.lower() in {p.lower() for p in _atlas().get(country, _NOWHERE)[0]}


def _trie(words) -> str:
    """One regular expression for many words, as a trie: "Niger|Nigeria" -> "Niger(?:ia)?". It matches what the
    plain alternation of the words, longest first, matches, and about 40 times faster (1,300 forms)."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        if list(node) == [""]:
            return ""
        alternatives = [re.escape(ch) + build(node[ch]) for ch in sorted(k for k in node if k)]
        body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    country: str
    named: bool = True  # the text is a name of the country ("Myanmar", "Britain"), not "Ukrainian" or "Ottawa"


# "Latin America", "South American", "North Americans": a region, not the United States.
_REGION_BEFORE = re.compile(r"(?:Latin|South|Central|North|Meso|Hispanic|Anglo)[\s-]+$")


def countries_in(text: str) -> list[Mention]:
    """The countries a text names, where (a name, alias, demonym or capital; "Canada's" is Canada)."""
    forms, pattern, names = _country_forms()
    out = []
    for m in pattern.finditer(text):
        form = re.sub(r"['’]s$", "", m.group(0))
        if form.startswith("America") and _REGION_BEFORE.search(text[max(0, m.start() - 12) : m.start()]):
            continue
        if form in forms:
            out.append(Mention(m.start(), m.end(), forms[form], form in names))
    return out


_QUESTION_WORDS = {
    "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "is", "are", "was", "were", "did",
    "does", "do", "will", "would", "can", "could", "has", "have", "had", "the", "a", "an", "in", "on", "of",
    "and", "after", "before", "since", "under", "this", "that", "these", "according", "per",
}  # fmt: skip
CALENDAR = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
}  # fmt: skip
# Words of a name that say what kind of thing it is, not which one ("the Liberal Party", "Commerce Department").
_GENERIC = {
    "party", "commission", "ministry", "minister", "department", "agency", "bank", "council", "union", "group",
    "company", "corp", "inc", "house", "office", "court", "president", "secretary", "prime", "chief", "state",
    "states", "republic", "federal", "national", "central", "general", "new", "north", "south", "east", "west",
    "day", "act", "deal", "agreement", "trade", "tariff", "tariffs", "mr", "mrs", "ms", "dr", "sir", "lord",
    "king", "queen", "prince", "senator", "governor", "representative", "chancellor", "premier", "leader",
    "former", "christmas", "easter", "thanksgiving", "earth", "covid", "covid-19", "coronavirus", "hemisphere",
    "northern", "southern", "western", "eastern",
}  # fmt: skip
# Continents and regions: a question uses them to describe what it asks for ("which Asian country", "the
# first in Europe"), and a passage that answers seldom repeats them; a name of them alone is not a subject.
_REGIONS = {
    "europe", "asia", "asian", "africa", "african", "latin", "america", "american", "americans", "americas",
    "oceania", "eurasia", "pacific", "atlantic", "mediterranean", "caribbean", "arctic", "antarctic",
    "antarctica", "middle", "gulf", "baltic", "nordic", "scandinavian", "balkan", "balkans", "sub-saharan",
    "saharan", "central", "indo-pacific", "asia-pacific",
}  # fmt: skip
_WORD = re.compile(r"[A-Za-z][\w'’.&-]*")


def names_in(question: str) -> list[str]:
    """Proper names in a question that are not countries: runs of capitalised words ("Mark Carney", "World
    Series"). The first word counts only when the next is capitalised too."""
    words = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(question)]
    country_spans = [(c.start, c.end) for c in countries_in(question)]
    runs: list[list[str]] = []
    current: list[str] = []
    for i, (a, _b, word) in enumerate(words):
        bare = re.sub(r"['’]s$", "", word).rstrip(".")
        in_country = any(s <= a < e for s, e in country_spans)
        capital = word[0].isupper() and not in_country and bare.lower() not in CALENDAR
        if i == 0 and capital and bare.lower() in _QUESTION_WORDS:
            capital = False
        if i == 0 and capital and not (len(words) > 1 and words[1][2][0].isupper()):
            capital = False
        joins = current and word in ("of", "the", "and", "de", "von", "der", "van") and i + 1 < len(words)
        if capital:
            current.append(bare)
        elif joins and words[i + 1][2][0].isupper():
            current.append(word)
        else:
            if current:
                runs.append(current)
            current = []
        if word != bare and current:  # "Carney's": the name ends here
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    out = []
    for run in runs:
        while run and run[-1] in ("of", "the", "and"):
            run = run[:-1]
        if run and any(w.lower() not in _GENERIC | _QUESTION_WORDS | _REGIONS for w in run):
            out.append(" ".join(run))
    return list(dict.fromkeys(out))


DUTY = r"(?:tariffs?|dut(?:y|ies)|levy|levies|tax(?:es)?|quotas?|rates?|bans?)"
_PRODUCT = re.compile(
    rf"\b(?:{DUTY}\s+(?:(?:that\s+)?(?:appl(?:y|ies|ied)|applicable)\s+to|on|for)"
    r"|(?:charges?|charged|charging|impose[sd]?|imposing|levie[sd]|puts?|slap(?:s|ped)?)\s+on"
    r"|(?:buy|buys|bought|buying|purchase[sd]?|purchasing)(?:\s+(?:in|of))?(?!\s+(?:which|what|whose|how)\b))"
    r"\s+((?:[\w'’.-]+\s+){0,4}?[\w'’.-]+?)(?=\s+(?:from|in|into|by|to|after|before|since|under|at|this|that|now|"
    r"if|when|starting|take|took|rise|rose|fall|fell|be|is|are|was|were|will)\b|\s*[?,.;]|\s*$)",
    re.I,
)
_LINKS = r"(?:on|of|in|to|for|from|at|by|with|about|over|against|the|a|an|new|its|their)"  # no part of a name
# ... and the words before a duty ("steel and aluminum tariffs") or, up to two, before "exports" ("copper ore
# exports"; not before a rate: "benchmark interest rate").
_PRODUCT_BEFORE = re.compile(
    rf"\b([\w'’-]+(?:\s+and\s+[\w'’-]+)?)\s+{DUTY}\b"
    rf"|\b([\w'’-]+(?:\s+(?!{_LINKS}\b)[\w'’-]+)?(?:\s+and\s+[\w'’-]+)?)\s+(?:imports|exports|shipments)\b",
    re.I,
)
# Words of a duty's object that do not name a product ("most imported goods from ...").
_NOT_PRODUCTS = set(
    terms(
        "goods good imports import imported exports export products product items item all most many some its their "
        "the a an any other foreign overseas nearly every almost such certain various new key main other additional "
        "countries country nations nation trading partners partner shipments us now currently what which "
        "baseline reciprocal higher lower high low import export retaliatory additional extra average global blanket "
        "universal punitive proposed planned threatened existing earlier previous total overall effective "
        "sectoral special national federal current latest final first second third interest tax rate duty tariff "
        "levy quota ban anti-dumping countervailing safeguard emergency fentanyl-related fentanyl section free "
        "bans banned cut cuts curb curbs restrict restricts halt halts limit limits stop stops boost boosts lift "
        "lifts resume resumes allow allows block blocks suspend suspends increase increases reduce reduces raise "
        "raises lower lowers"
    )
)


def products_in(question: str) -> list[str]:
    """The analysed terms of what a duty in the question is on ("the US tariff on Brazilian coffee" -> coffee);
    countries and words like "goods" are not products."""
    spans = [m.span(1) for m in _PRODUCT.finditer(question)]
    spans += [m.span(1) if m.group(1) else m.span(2) for m in _PRODUCT_BEFORE.finditer(question)]
    countries = [(c.start, c.end) for c in countries_in(question)]
    out = []
    for a, b in spans:
        for w in _WORD.finditer(question[a:b]):
            at = a + w.start()
            if any(s <= at < e for s, e in countries):
                continue
            out.extend(t for t in terms(w.group(0)) if t not in _NOT_PRODUCTS and not t[0].isdigit())
    return list(dict.fromkeys(out))


@dataclass
class Subjects:
    """What a question names: `countries` (names), `names` (other proper names), `products` (analysed terms)."""

    countries: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)

    def missing(self, text: str, answers: Sequence[str] = ()) -> list[str]:
        """What of the subjects `text` (a passage with its headline) does not mention, as the question says it.
        A country the question names is missing when the passage is about another country instead: it names a
        country the question does not (other than a span read as the answer that is a country: "Which
        European nation ...?" is answered by "Germany"). A passage that names no other country may speak
        of the question's by other words ("the White House", "Ottawa's", "the country"). Of several names in a
        question one is enough (a quiz question names much in passing); a single name must be there."""
        present = {c.country for c in countries_in(text)}
        in_answers = {m[0].country for a in answers if len(m := countries_in(a)) == 1 and _is_only(m[0], a)}
        others = present - set(self.countries) - in_answers
        out = [c for c in self.countries if c not in present] if others else []
        lowered = text.lower()
        missing_names = [n for n in self.names if not _name_held(n, text, lowered)]
        if len(missing_names) < len(self.names):
            missing_names = []
        out += missing_names
        return out + self.products_missing(text)

    def products_missing(self, text: str) -> list[str]:
        """The products of the question that `text` does not say, in any of their words."""
        have = _products_held(text, self.products) if self.products else set()
        return [p for p in self.products if p not in have]

    def absent(self, texts: Sequence[str]) -> list[str]:
        """What the question names that none of `texts` mentions in any of its ways (a country by its name, its
        people or its capital; a name or its short form; a product in its words): what an abstention may truly
        say the passages "do not mention"."""
        present = {m.country for t in texts for m in countries_in(t)}
        out = [c for c in self.countries if c not in present]
        out += [n for n in self.names if not any(_name_held(n, t) for t in texts)]
        held = {p for t in texts for p in _products_held(t, self.products)} if self.products else set()
        return out + [p for p in self.products if p not in held]


# Products news names in other words, as analysed terms: what a text says, and what it then holds.
_SAID_OTHERWISE = [
    (frozenset({"ev"}), frozenset({"electr", "auto"})),  # "EVs": electric vehicles
    (frozenset({"gas"}), frozenset({"gasolin"})),  # "a gallon of gas"
    (frozenset({"gasolin"}), frozenset({"gas"})),
]


def _products_held(text: str, products: Sequence[str]) -> set[str]:
    """Which of the analysed `products` the text holds, in their own words or in others news uses ("EVs")."""
    have = terms_held(text, products)
    for said, means in _SAID_OTHERWISE:
        if means & (set(products) - have) and len(terms_held(text, said)) == len(said):
            have |= means
    return have


def only_country(text: str) -> str | None:
    """The country a text names by one of its names and little else ("Britain", "the United States"); None
    when it says more, or a people's adjective or a capital."""
    mentions = countries_in(text)
    if len(mentions) == 1 and mentions[0].named and _is_only(mentions[0], text):
        return mentions[0].country
    return None


def _is_only(mention: Mention, text: str) -> bool:
    """The text is the country and little else ("Germany", "the United States")."""
    return len(text.strip()) - (mention.end - mention.start) <= 4


# Institutions news names by a short form (written as it is: "the Fed", not "fed up").
_ALIASES = {
    "federal reserve": ("Fed",),
    "european central bank": ("ECB",),
    "bank of england": ("BoE", "BOE"),
    "bank of japan": ("BoJ", "BOJ"),
    "international monetary fund": ("IMF",),
    "world trade organization": ("WTO",),
    "world trade organisation": ("WTO",),
    "office of the us trade representative": ("USTR",),
    "organization of the petroleum exporting countries": ("OPEC",),
}


def _alias_present(name: str, text: str) -> bool:
    """The name is said by its short form ("the Fed" for the Federal Reserve), or the short form by the name."""
    lowered = re.sub(r"^the\s+", "", name.lower())
    forms = _ALIASES.get(lowered, ())
    forms += tuple(full for full, short in _ALIASES.items() if name in short)
    return any(re.search(rf"(?<!\w){re.escape(f)}(?!\w)", text if f not in _ALIASES else text.lower()) for f in forms)


def _name_held(name: str, text: str, lowered: str | None = None) -> bool:
    """The name is in the text (`lowered`: the text in lower case, when the caller has it), as a whole, by the
    word that says which one it is, or by its short form."""
    return _name_present(name, text.lower() if lowered is None else lowered) or _alias_present(name, text)


def _name_present(name: str, lowered_text: str) -> bool:
    """A name is mentioned when the whole of it is, or one of the words that say which one it is (a surname:
    "Carney" for "Mark Carney")."""
    if re.search(rf"(?<!\w){re.escape(name.lower())}(?!\w)", lowered_text):
        return True
    words = [w for w in name.split() if w.lower() not in _GENERIC and w.lower() not in ("of", "the", "and")]
    return any(re.search(rf"(?<!\w){re.escape(w.lower())}(?!\w)", lowered_text) for w in words if len(w) > 2)


# What a question says in passing, around what it asks: a phrase that opens it before its question word
# ("Following talks with the FAO, when ...", "Citing the chip shortage, which ..."), a source ("according to
# ..."), a clause of circumstance ("... after the Ryanair jet was diverted"), each up to a comma, a stop or the
# question word. A passage that answers seldom repeats the names said there; the names of the rest (what it asks
# about) it must hold. "Nvidia, which ..." and "Shane Warne, who ..." open no phrase: a relative clause follows
# a name, it does not end a phrase before the question.
_WH = r"(?:what|which|who|whom|whose|when|where|why|how)\b"
_OPENERS = (
    r"(?:after|amid|amidst|as|despite|(?<!\bthe\s)following|citing|according\s+to|in\s+the\s+wake\s+of"
    r"|in\s+response\s+to|ahead\s+of)\b"
)
_UNTIL = rf"(?:(?![.!;]\s|\b{_WH})[^,?])*"  # up to a comma, a stop, a semicolon or the question word
_PASSING = re.compile(
    rf"^{_OPENERS}[^?]*?,[”\"’']?\s*(?=(?:(?:by|in|to|for|from|on|at|of|with)\s+)?{_WH})"
    rf"|\b{_OPENERS}{_UNTIL}",
    re.I,
)


def passing_said(question: str) -> str:
    """The question with what it says in passing blanked out (each such phrase is a comma, then spaces: no
    name runs across it, and offsets stay the question's)."""
    return _PASSING.sub(lambda m: "," + " " * (len(m.group(0)) - 1), question)


def subjects(question: str) -> Subjects:
    """What the question names (`names`: outside what it says in passing, `passing_said`, while something else
    is named: a question that names nothing but in passing must find that in the passage)."""
    countries = list(dict.fromkeys(c.country for c in countries_in(question)))
    products = products_in(question)
    names = names_in(passing_said(question))
    if not (names or countries or products):
        names = names_in(question)
    return Subjects(countries, names, products)
