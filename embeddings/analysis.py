"""Word-level analysis shared by the lexical index, retrieval and answer scoring.

One analyser for both sides: passages are stored in FTS5 already analysed (lower case, aliases folded,
Snowball-stemmed), and questions go through the same function, so term statistics read back from the
index line up exactly with the question's terms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’.&-]*[A-Za-z]|[A-Za-z]|\d+(?:[.,]\d+)*%?")

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
    nor not now of off on once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours yourself yourselves
    said says say also would could may might must shall per via amid upon within without whose whether
    what's who's when's where's it's let's""".split()
)

# Names a story may use for the same thing, folded to one term so "Canadian" finds "Canada".
ALIASES = {
    "u.s": "us",
    "u.s.": "us",
    "usa": "us",
    "america": "us",
    "american": "us",
    "americans": "us",
    "washington": "us",
    "canadian": "canada",
    "canadians": "canada",
    "ottawa": "canada",
    "chinese": "china",
    "beijing": "china",
    "prc": "china",
    "mexican": "mexico",
    "mexicans": "mexico",
    "european": "eu",
    "e.u": "eu",
    "e.u.": "eu",
    "brussels": "eu",
    "british": "uk",
    "britain": "uk",
    "u.k": "uk",
    "u.k.": "uk",
    "japanese": "japan",
    "tokyo": "japan",
    "indian": "india",
    "korean": "korea",
    "german": "germany",
    "french": "france",
    "vietnamese": "vietnam",
    "brazilian": "brazil",
    "swiss": "switzerland",
    "tariffs": "tariff",
    "duties": "duty",
    "levies": "levy",
    "automobile": "auto",
    "automobiles": "auto",
    "car": "auto",
    "cars": "auto",
    "vehicle": "auto",
    "vehicles": "auto",
    "automakers": "automaker",
    "aluminium": "aluminum",
    "pct": "percent",
    "%": "percent",
}

_stemmer = snowballstemmer.stemmer("english")


def stem(word: str) -> str:
    """A word's Snowball stem, as written otherwise (no aliases folded: "Washington" stays itself)."""
    return _stemmer.stemWord(word)


@lru_cache(maxsize=200_000)
def _term(word: str) -> str:
    if word[0].isdigit():
        return word.replace(",", "").rstrip("%")
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    word = word.strip("'.-&")
    word = ALIASES.get(word, word)
    if not word or word.isdigit() or "." in word:
        return word
    return _stemmer.stemWord(word)


def tokens(text: str) -> list[tuple[int, int, str]]:
    """Raw word tokens with their character offsets."""
    return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]


def terms(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """Analysed terms of a text, in order (stemmed, aliases folded, stopwords dropped)."""
    out = []
    for word in _TOKEN.findall(text):  # no offsets needed here: findall skips building match objects
        low = word.lower()
        # "US" the country and "May" the month are not the stopwords "us" and "may".
        if not keep_stopwords and low in STOPWORDS and word not in ("US", "May"):
            continue
        term = _term(word)
        if term and (keep_stopwords or term not in STOPWORDS or word in ("US", "May")):
            out.append(term)
    return out


@lru_cache(maxsize=1)
def _alias_terms() -> dict[str, str]:
    """Each alias form and the term it analyses to, stemmed once."""
    return {form: _term(form) for form in ALIASES}


def terms_held(text: str, wanted: Iterable[str]) -> set[str]:
    """Which of the `wanted` analysed terms the text holds: `set(terms(text)) & wanted`, stemming only the words
    that could be one of them (a stem keeps its word's first letters, or an alias leads to it), several times
    faster on a long passage (the stemmer is pure Python)."""
    wanted = set(wanted)
    if not wanted:
        return set()
    heads = {w[:2] for w in wanted}  # a stem keeps its word's first two letters ("use" is "using")
    aliases = {form for form, term in _alias_terms().items() if term in wanted}  # "french" is "franc"
    words = set()
    for w in _TOKEN.findall(text):
        low = (w.replace(",", "").rstrip("%") if w[0].isdigit() else w).lower()
        if low[:2] in heads or low in aliases:
            words.add(w)
    return set(terms(" ".join(words))) & wanted


def analyse(text: str) -> str:
    """Text as stored in the lexical index: analysed terms joined by spaces."""
    return " ".join(terms(text))


def fts_query(text: str | Iterable[str]) -> str:
    """An FTS5 MATCH expression that ORs a text's terms, or the analysed terms given (quoted, so nothing is an
    operator)."""
    found = terms(text) if isinstance(text, str) else text
    unique = list(dict.fromkeys(t for t in found if t))
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in unique)


def normalise_for_match(text: str) -> str:
    """Lower case, punctuation and "&"/"and" folded: for comparing answers and near-copies."""
    text = text.lower().replace("&", " and ")
    text = re.sub(r"[^\w%$.]+", " ", text)
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", text)
    return " ".join(text.split())
