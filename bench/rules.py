"""The rules answerer, the benchmarks' baseline (bench/quality.py's *dense*, *lexical*, *hybrid* and *rules*
rows; bench/speed.py): recognise what kind of answer is wanted, pick the sentence that gives it by hand-set
weights and the span within it by typed patterns (bench/candidates.py), resolve its date against the article,
cite it, and abstain by coverage thresholds. It was the product's answerer before the trained reader
(answering/reader.py) replaced the choice of sentence and span; it stays here to measure the reader against.
`ask_rules` is `answering.answer.ask` with this answerer: the same retrieval, the same passages.

Extractive on purpose: every answer is a span of a sentence that is quoted exactly, so a citation can never
say something its source does not.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime

from answering.answer import retrieve, with_empty_note
from answering.question import AnswerType, Question, _asks_for_several, answer_type, asked_part, in_months, months_named
from answering.result import MAX_CITATIONS, Answer, abstention, citation
from bench.candidates import TITLES, Candidate, candidates, place_names, places_named
from embeddings.analysis import normalise_for_match, terms
from embeddings.models import Hit

# Thresholds on the evidence a sentence must carry before it is given as an answer (see `_judge`).
MIN_CONTEXT_COVERAGE = 0.6  # share of the question's weighted terms found in the passage and headline
MIN_SENTENCE_COVERAGE = 0.3  # ... found in the quoted sentence itself
MIN_DENSE = 0.2  # cosine similarity of question and passage, when the passage was scored densely
MIN_DENSE_WITHOUT_NAME = 0.45  # ... when the passage lacks one of the question's names
PARAPHRASE_DENSE = 0.5  # ... above which a passage may say it in other words (less coverage needed)
# A long, descriptive question (a news quiz's) is paraphrased more than it is quoted: past this many terms,
# each further term lowers the coverage required, down to LONG_QUESTION_COVERAGE.
SHORT_QUESTION_TERMS = 6
LONG_QUESTION_COVERAGE = 0.35

# Question words that name the answer's type rather than its subject.
_TYPE_WORDS = {
    "date",
    "day",
    "time",
    "year",
    "month",
    "percent",
    "percentag",
    "rate",
    "level",
    "much",
    "mani",
    "countri",
    "nation",
    "citi",
    "state",
    "place",
    "compani",
    "firm",
    "parti",
    "organ",
    "amount",
}


@dataclass
class _Scored:
    hit: Hit
    start: int  # sentence offsets in the article
    end: int
    sentence: str
    score: float
    sentence_coverage: float
    context_coverage: float
    missing_names: list[str]
    candidate: Candidate | None
    names_total: int = 0  # distinct names the question uses
    required_coverage: float = MIN_CONTEXT_COVERAGE  # less for long, descriptive questions


_ENTITY_TYPES = {
    AnswerType.PERSON,
    AnswerType.ORG,
    AnswerType.WHO,
    AnswerType.PLACE,
    AnswerType.LOCALITY,
    AnswerType.NAME,
    AnswerType.TITLE,
}


def _question_names(question: str) -> dict[str, str]:
    """Proper names in the question: analysed term -> word as written. A capitalised first word is a name
    only when the next word is capitalised too ("Mark Carney's ...") or it is a place ("Canada's ...");
    otherwise it is just the start of the sentence ("Nearly 40 tonnes of ...")."""
    names = {}
    words = re.findall(r"[A-Za-z][\w'’.&-]*", question)
    for i, word in enumerate(words):
        if i == 0:
            bare = re.sub(r"['’]s$", "", word).lower()
            if not (len(words) > 1 and words[1][0].isupper()) and bare not in place_names():
                continue
        if word[0].isupper():
            for term in terms(word):
                names[term] = re.sub(r"['’]s$", "", word)
    return names


def _content_terms(text: str) -> list[str]:
    found = list(dict.fromkeys(terms(text)))
    return [t for t in found if t not in _TYPE_WORDS] or found


def ask_rules(
    library,
    question: str,
    *,
    as_of: datetime | None = None,
    source: str | None = None,
    k: int = 8,
    mode: str = "hybrid",
    context: str = "",
    plain: bool = False,
) -> Answer:
    """`ask` with the rules answerer: the same passages, chosen among by hand-set weights. `plain`: the best
    sentence by those weights is the answer (no typing, no dates, no abstention)."""
    q = Question.read(question, context)
    hits = retrieve(library, q, as_of=as_of, source=source, k=k, mode=mode)
    frequencies = library.document_frequencies(terms(q.query))  # the passage count is cached with them
    return with_empty_note(library, answer(q.text, hits, frequencies, context=q.context, plain=plain))


def answer(
    question: str,
    hits: list[Hit],
    document_frequencies: tuple[dict[str, int], int] | None = None,
    *,
    context: str = "",
    plain: bool = False,
) -> Answer:
    """Answer a question from retrieved passages, or abstain. `document_frequencies` weighs rare words up.
    `context` is the earlier question a follow-up builds on ("and when does it take effect?"): its words
    count at half weight, and its names are not required to appear. `plain` is the baseline the benchmarks
    compare against: no answer typing, no date resolution, no abstention — the best sentence is the answer."""
    atype = AnswerType.GENERIC if plain else answer_type(question)
    own_terms = _content_terms(question)
    context_terms = [t for t in _content_terms(context) if t not in own_terms] if context else []
    q_terms = own_terms + context_terms
    if not hits or not q_terms:
        return _abstain(question, atype, "nothing indexed matches the question")
    freq, total = document_frequencies or ({}, 0)
    weight = {t: math.log(1 + (total + 1) / (freq.get(t, 0) + 0.5)) if total else 1.0 for t in q_terms}
    for t in context_terms:
        weight[t] *= 0.5
    names = {t: w for t, w in _question_names(question).items() if t in own_terms}
    for t in names:  # a name says more about what is asked than a verb does
        weight[t] *= 1.5
    total_weight = sum(weight.values())
    names_total = len(set(names.values()))
    extra_terms = max(0, len(own_terms) - SHORT_QUESTION_TERMS)
    required = max(LONG_QUESTION_COVERAGE, MIN_CONTEXT_COVERAGE - 0.025 * extra_terms)
    q_norm = normalise_for_match(question)
    months = months_named(question)
    q_set = set(q_terms)
    q_places = places_named(question)

    def typed(sentence: str, hit: Hit) -> list[Candidate]:
        """The sentence's candidates of the type asked for, less what the question itself says."""
        found = [c for c in candidates(sentence, atype, hit.published) if normalise_for_match(c.text) not in q_norm]
        if atype in _ENTITY_TYPES:  # a name the question already uses is its subject, not its answer
            found = [c for c in found if not set(terms(c.text)) & q_set and c.value not in q_places]
        return found

    scored: list[_Scored] = []
    for rank, hit in enumerate(hits):
        context_terms = set(terms(hit.title)) | set(terms(hit.text))
        context_cov = sum(w for t, w in weight.items() if t in context_terms) / total_weight
        missing = sorted({w for t, w in names.items() if t not in context_terms})
        for start, end, sentence in hit.sentence_texts():
            s_terms = set(terms(sentence))
            sent_cov = sum(w for t, w in weight.items() if t in s_terms) / total_weight
            cand = None
            if atype != AnswerType.GENERIC:
                cand = _closest(typed(sentence, hit), sentence, q_terms)
            score = (
                0.45 * sent_cov
                + 0.2 * context_cov
                + 0.3 * max(hit.dense or 0.0, 0.0)
                + (0.25 if cand and cand.exact else 0.15 if cand else 0.0)
                + ((0.15 if in_months(hit, sentence, months) else -0.15) if months else 0.0)
                + 0.05 / (1 + rank)
                - 0.3 * len(missing)
            )
            scored.append(
                _Scored(hit, start, end, sentence, score, sent_cov, context_cov, missing, cand, names_total, required)
            )
    scored.sort(key=lambda s: s.score, reverse=True)
    best = next((s for s in scored if plain or _judge(s, atype) is None), None)
    if best is None:
        return _abstain(question, atype, _judge(scored[0], atype) if scored else "no sentences to read")

    value = best.candidate.value if best.candidate else best.sentence
    span = best.candidate.text if best.candidate else best.sentence
    if best.candidate and _asks_for_several(asked_part(question)):  # "which two countries": "Sweden and Finland"
        value, span = _listed(best.candidate, typed(best.sentence, best.hit), best.sentence)
    chosen = [best]
    if best.candidate:  # other outlets or stories that give the same answer, for corroboration
        key = normalise_for_match(best.candidate.value)
        for s in scored:
            if len(chosen) >= MAX_CITATIONS:
                break
            if s.hit.article_id in {c.hit.article_id for c in chosen} or _judge(s, atype) is not None:
                continue
            if s.candidate and normalise_for_match(s.candidate.value) == key:
                chosen.append(s)
    citations = [citation(i, s.hit, s.sentence) for i, s in enumerate(chosen, 1)]
    dated = [s.hit.published for s in chosen if s.hit.published]
    return Answer(
        question=question,
        answer=value,
        abstained=False,
        as_of=max(dated).date().isoformat() if dated else None,
        citations=citations,
        answer_type=atype.value,
        span=span,
    )


def _judge(s: _Scored, atype: AnswerType) -> str | None:
    """None when the sentence may be given as the answer, else why not."""
    dense = s.hit.dense or 0.0
    if s.missing_names and (len(s.missing_names) > s.names_total / 2 or dense < MIN_DENSE_WITHOUT_NAME):
        # A passage may leave out one of several names a long question uses, when its meaning is close;
        # it may not leave out most of them ("When is Germany's election?" against Canada's).
        return f"nothing indexed mentions {', '.join(s.missing_names)} in this context"
    required = s.required_coverage
    paraphrase = dense >= PARAPHRASE_DENSE and s.context_coverage >= required - 0.2
    if s.context_coverage < required and not paraphrase:
        return "the closest passages do not cover the question"
    if s.sentence_coverage < MIN_SENTENCE_COVERAGE * required / MIN_CONTEXT_COVERAGE - (0.1 if paraphrase else 0.0):
        return "no sentence addresses the question directly"
    if s.hit.dense is not None and s.hit.dense < MIN_DENSE:
        return "the closest passages are about something else"
    if atype not in (AnswerType.GENERIC, AnswerType.NAME, AnswerType.TITLE) and s.candidate is None:
        return f"no {atype.value} is given where the question's subject is discussed"
    return None


_LIST_GLUE = re.compile(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)", re.I)


def _listed(first: Candidate, found: list[Candidate], sentence: str) -> tuple[str, str]:
    """(value, span) of the run of candidates joined by commas or "and" that holds `first`."""
    ordered = sorted(found, key=lambda c: c.start)
    at = next((i for i, c in enumerate(ordered) if c.start == first.start), None)
    if at is None:
        return first.value, first.text
    lo = hi = at
    while lo > 0 and _LIST_GLUE.fullmatch(sentence[ordered[lo - 1].end : ordered[lo].start]):
        lo -= 1
    while hi + 1 < len(ordered) and _LIST_GLUE.fullmatch(sentence[ordered[hi].end : ordered[hi + 1].start]):
        hi += 1
    run = ordered[lo : hi + 1]
    if len(run) == 1:
        return first.value, first.text
    values = [c.value for c in run]
    value = values[0] + " and " + values[1] if len(values) == 2 else ", ".join(values[:-1]) + " and " + values[-1]
    return value, sentence[run[0].start : run[-1].end]


def _closest(found: list[Candidate], sentence: str, q_terms: list[str]) -> Candidate | None:
    """The candidate nearest to where the question's words appear in the sentence."""
    if not found:
        return None
    from embeddings.analysis import tokens

    anchors = [(s, e) for s, e, w in tokens(sentence) if set(terms(w)) & set(q_terms)] or [(0, 0)]

    def gap(a: int, b: int) -> int:
        """Words between two offsets, not counting titles ("Commission President Ursula ...")."""
        return sum(1 for w in sentence[a:b].split() if w.lower().strip(",") not in TITLES)

    def cost(c: Candidate) -> float:
        distance = min(gap(e, c.start) if e <= c.start else gap(c.end, s) for s, e in anchors)
        # "rose to 50% from 25%", "cut to 30% from 145%": the figure after "from" is the old one.
        before = sentence[max(0, c.start - 6) : c.start].lower()
        return distance + (50 if re.search(r"\bfrom\s*$", before) else 0)

    return min(found, key=cost)


def _abstain(question: str, atype: AnswerType, why: str) -> Answer:
    return abstention(question, why, atype.value)
