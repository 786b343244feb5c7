"""An office asked is the office held: a deputy, a vice chairman or a former minister does not answer for the
minister or the chairman, nor does another country's minister named beside the country asked; how high an office
stands ("chief trade negotiator") is not asked of the evidence. Stories of our own (tests/office_stories/); the
real reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from answering import ask, parse_when
from answering.candidates import _holds_office
from answering.events import office_asked
from embeddings.analysis import terms
from tests.conftest import stories_library

STORIES = Path(__file__).resolve().parent / "office_stories"
AS_OF = parse_when("2026-06-01")


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    yield from stories_library(tmp_path_factory, STORIES, "offices")


@pytest.mark.parametrize(
    "question",
    [
        "Who is Malaysia's investment minister?",  # the story names the deputy investment minister
        "Who is Ghana's finance minister?",  # the one named is a former finance minister
        "Who is Ghana's trade minister?",  # the trade minister named is Nigeria's, in a story about Ghana
        "Who is Hanwha Ocean's chairman?",  # the one named is its vice chairman
    ],
)
def test_another_office_in_the_same_words_does_not_answer(library, question):
    result = ask(library, question, as_of=AS_OF)
    assert result.abstained, (question, result.answer, result.citations)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Who is Malaysia's deputy investment minister?", "Liew Chin Tong"),
        ("Who is the chief executive of Ghana's cocoa board?", "Randy Abbey"),
        ("Who is Nigeria's trade minister?", "Jumoke Oduwole"),
        ("Who is Hanwha Ocean's vice chairman?", "Kim Dong-kwan"),
    ],
)
def test_the_office_held_answers(library, question, expected):
    result = ask(library, question, as_of=AS_OF)
    assert not result.abstained and expected in result.answer, (question, result.answer, result.citations)


@pytest.mark.parametrize(
    ("question", "text", "countries", "held"),
    [
        ("Who is Peru's trade minister?", "Deputy trade minister Ana Ruiz said.", ["Peru"], False),
        ("Who is Peru's deputy trade minister?", "Deputy trade minister Ana Ruiz said.", ["Peru"], True),
        ("Who is Peru's president?", "Vice President Ana Ruiz said.", ["Peru"], False),
        ("Who is Peru's president?", "President Jose Jeri met ex-president Ana Ruiz.", ["Peru"], True),
        ("Who is Peru's trade minister?", "Chilean Trade Minister Ana Ruiz visited Peru.", ["Peru"], False),
        ("Who is Peru's trade minister?", "Peru's trade minister, Ana Ruiz, said.", ["Peru"], True),
        (
            "Who is Peru's chief trade negotiator?",
            "Peruvian negotiator Ana Ruiz said the trade deal holds.",
            ["Peru"],
            True,
        ),
        ("Who is Peru's acting president?", "President Ana Ruiz said.", ["Peru"], True),
        ("Who is Peru's former president?", "Former President Ana Ruiz said.", ["Peru"], True),
        ("Who is Peru's former president?", "President Ana Ruiz said.", ["Peru"], False),
    ],
)
def test_what_holds_the_office_asked(question, text, countries, held):
    office = frozenset(terms(" ".join(office_asked(question))))
    assert office and _holds_office(text, office, countries) is held
