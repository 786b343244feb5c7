"""The near misses the reader is trained on (training/negatives.py), on paragraphs of our own: the paragraph without
the answer's sentence holds no answer, a swapped question asks about something its paragraph does not mention,
a headline positive's answer is a span of its headline, and the same seed makes the same examples."""

from __future__ import annotations

import random

from training.negatives import Swapper, make_examples, without_answer

PARAGRAPH = (
    "Peru raised its copper export duty to 8% in 2019. Miners said the rise would cut investment. "
    "The finance ministry in Lima expects the duty to bring in $400 million a year."
)


def test_without_answer_removes_the_sentence_that_holds_it():
    said, kept = without_answer(PARAGRAPH, PARAGRAPH.index("8%"), "8%")
    assert said == "Peru raised its copper export duty to 8% in 2019."
    assert "8%" not in kept and kept.startswith("Miners said")


def test_an_answer_said_twice_cannot_be_removed():
    twice = "The duty is 8%. Miners fear the 8% duty. Lima said so."
    assert without_answer(twice, twice.index("8%"), "8%") is None
    assert without_answer("Only one sentence holds 8%.", 22, "8%") is None  # nothing would be left


def test_a_swapped_question_names_what_the_paragraph_does_not():
    swapper = Swapper(random.Random(3))
    swapped = swapper.swap("What duty did Peru put on copper exports in 2019?", PARAGRAPH, "8%")
    assert swapped and swapped != "What duty did Peru put on copper exports in 2019?"
    changed = set(swapped.rstrip("?").split()) - set(PARAGRAPH.replace(".", "").split())
    assert changed  # the question now names a country or year the paragraph lacks
    assert swapper.swap("What did miners say?", PARAGRAPH, "the rise would cut investment") is None


def _articles():
    qas = [
        {"id": "n1", "question": "What duty did Peru put on copper exports in 2019?", "answers": [{"text": "8%"}]},
        {"id": "n2", "question": "Where is the finance ministry?", "answers": [{"text": "Lima"}]},
    ]
    for qa in qas:
        qa["answers"][0]["answer_start"] = PARAGRAPH.index(qa["answers"][0]["text"])
    other = {"context": "Chile kept its lithium royalty unchanged.", "qas": []}
    return [{"title": "Copper_duties", "paragraphs": [{"context": PARAGRAPH, "qas": qas}, other]}]


def test_every_kind_is_made_with_answers_where_they_should_be():
    rates = {"headline": 1.0, "removed": 1.0, "swapped": 1.0, "other": 1.0}
    examples = make_examples(_articles(), set(), rates, random.Random(13))
    kinds = {e.kind for e in examples}
    assert {"headline", "removed", "other"} <= kinds
    for e in examples:
        if e.kind in ("removed", "swapped", "other"):
            assert e.start == -1 and e.answer == ""
        else:
            source = e.title if e.in_title else e.context
            assert source[e.start : e.start + len(e.answer)] == e.answer
    assert all(e.in_title for e in examples if e.kind == "headline")
    again = make_examples(_articles(), set(), rates, random.Random(13))
    assert again == examples
    assert make_examples(_articles(), {"n1", "n2"}, rates, random.Random(13)) == []  # ambiguous ids are dropped
