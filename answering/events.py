"""What a question asks happened, and whether a passage says it did: who *won* an election (not who hopes to),
which *kind* of election (a presidential vote is not a local one), and who holds an *office* a "who is …"
question names. The question's side (`asks_winner`, `election_asked`, `office_asked`, each given the sentence
of the question that asks) is read once into `answering.question.Question`; the passage's side (`win_said`,
`election_said`, `election_kinds`) is what the checks after the reader ask of a sentence.
"""

from __future__ import annotations

import re

# A sentence that asks something.
ASKING = re.compile(r"\b(?:what|which|who|whom|whose|when|where|why|how)\b", re.I)

# "Who won …?", "Which party will win …?": the question asks who wins, so the evidence must say someone won.
_ASKS_WINNER = re.compile(r"\b(?:won|wins?|winning|winners?|victor|victorious|prevailed)\b", re.I)
# A win said ("won", "victory", "was elected", "defeated") in a sentence; not one hoped for or forecast.
_WIN_SAID = re.compile(
    r"\b(?:won|wins|winning|winners?|victory|victorious|triumph(?:ed|s)?|landslide|(?:re-?)?elected|defeated|"
    r"beat|prevailed|sworn in)\b",
    re.I,
)
_WIN_HOPED = re.compile(
    r"\b(?:hopes?|hoping|hoped|expects?|expected|seeks?|seeking|bids?|aims?|aiming|likely|plans?|wants?|tries|"
    r"trying|vows?|vowed|favou?red|poised|set|could|may|might|would|will|to)\s+"
    r"(?:\w+\s+)?(?:to\s+)?(?:win|be elected)\b",
    re.I,
)
# Kinds of election: a question about one is not answered by a story about another ("presidential" / "local").
# A general election elects a president and a parliament (Kenya, Brazil) or a parliament (Britain).
_VOTE = r"(?:elections?|polls?|votes?)"
_ELECTION_KINDS = {
    "presidential": re.compile(r"\bpresidential\b|\bgeneral\s+elections?\b", re.I),
    "parliamentary": re.compile(rf"\b(?:parliamentary|legislative|general|national|federal|snap)\s+{_VOTE}\b", re.I),
    "midterm": re.compile(r"\bmid-?terms?\b|\bcongressional\s+elections?\b", re.I),
    "local": re.compile(rf"\b(?:local|municipal|regional|mayoral|state|provincial|gubernatorial)\s+{_VOTE}\b", re.I),
    "primary": re.compile(r"\b(?:primary|primaries|runoff|run-off|second round)\b", re.I),
}
_ELECTION = re.compile(r"\b(?:elections?|polls?|votes?|primary|primaries|runoff)\b", re.I)


def asks_winner(asked: str) -> bool:
    """ "Who won Kenya's election?", "Which party will win the vote?": the winner of an election is asked (not
    "when is the vote"; a prize or a match is won in too many ways to require one)."""
    if re.search(r"\bwhen\b", asked, re.I) or not ASKING.search(asked) or not _ASKS_WINNER.search(asked):
        return False
    return bool(_ELECTION.search(asked) or re.search(r"\b(?:seats?|race|leadership contest)\b", asked, re.I))


def win_said(sentence: str) -> bool:
    """The sentence says someone won ("won Monday's election", "was elected"), not only that they hope to."""
    hoped = [m.span() for m in _WIN_HOPED.finditer(sentence)]
    return any(not any(a <= m.start() < b for a, b in hoped) for m in _WIN_SAID.finditer(sentence))


def election_kinds(text: str) -> set[str]:
    """The kinds of election a text names ("presidential", "local"): of a question, only when it asks about an
    election."""
    return {kind for kind, pattern in _ELECTION_KINDS.items() if pattern.search(text)}


def election_asked(asked: str) -> set[str] | None:
    """The kinds of election a question about an election names (an empty set: an election, of no kind named);
    None when it asks about no election."""
    return election_kinds(asked) if _ELECTION.search(asked) else None


def election_said(text: str) -> bool:
    return bool(_ELECTION.search(text))


# An office a "who" question asks for: "Canada's economy minister", "the US trade representative", "the
# president of Mexico's electoral institute": the head noun and the words of the office before it.
_OFFICES = "|".join(
    [
        r"minister|president|premier|chief (?:executive|economist|[a-z]+ officer)|chancellor|secretary",
        r"representative",
        r"governor|chair(?:man|woman|person)?|ceo|chief|head|leader|spokes(?:man|woman|person)|ambassador",
        r"commissioner|director|mayor|speaker|envoy|negotiator|treasurer|attorney general|justice|judge|king",
        r"queen|monarch|emperor|pope|coach|captain|manager|founder",
    ]
)
_OFFICE_ASKED = re.compile(
    r"^\s*who\s+(?:is|was|are|were|will be|has been|became|becomes)\s+(?:(?:the|a|an)\s+)?"
    rf"(?:new\s+|current\s+|next\s+)?(?:(?:[\w.’'-]+\s+){{0,2}}[\w.’'-]+?['’]s\s+)?(?P<before>(?:[a-z][\w-]*\s+){{0,2}})"
    rf"(?P<office>{_OFFICES})\b",
    re.I,
)
# "Who chairs Kenya's electoral commission?": the office is the verb's ("leads" and "heads" are said too many ways).
_OFFICE_VERB = re.compile(r"^\s*who\s+(chair)(?:s|ed)?\b", re.I)
# Words before an office that do not say which office it is: when it is held ("current", "acting") or how high it
# stands ("Japan's chief trade negotiator" is its negotiator; a "chief executive" or "chief economist" is an office
# of its own). A former holder is asked as such: "former" stays.
_NOT_OFFICE_WORDS = set("new current next acting interim top chief senior lead principal".split())


def office_asked(asked: str) -> set[str]:
    """The words of the office a "who is …" question asks for ({"economy", "minister"}), lower case, without
    the country it names; empty when it asks no office."""
    from answering.subjects import countries_in

    if verb := _OFFICE_VERB.search(asked):
        return {verb.group(1).lower()}
    m = _OFFICE_ASKED.search(asked)
    if not m:
        return set()
    before = [w.lower() for w in m.group("before").split() if not countries_in(w)]
    return {w for w in before if w not in _NOT_OFFICE_WORDS} | {m.group("office").lower()}
