"""A place answers only what asks for a place of its kind: a person is not "South Carolina", a city is not the state
written after it ("Portland, Oregon"), a state is not a country. Hand-made passages of our own, read as `ask`
reads a span the reader proposed."""

from __future__ import annotations

import pytest

from answering.candidates import Reading, rarity, supported
from answering.reader import Span
from answering.subjects import only_a_place, province_of
from tests.hits import hit


def _answers(question: str, text: str, span_text: str, occurrence: int = 0) -> list[str]:
    passage = hit(text, title="Wire report")
    at = -1
    for _ in range(occurrence + 1):
        at = text.index(span_text, at + 1)
    span = Span(0, at, at + len(span_text), span_text, 9.0, 0.0)
    found, _ = supported(question, Reading(question, [passage], [span], [0.0], rarity(question, [passage])))
    return [c.value for c in found]


@pytest.mark.parametrize(
    ("question", "text", "span"),
    [
        (
            "Which senator won the Nevada Democratic caucuses on Saturday?",
            "Senator Maria Ortiz won the Nevada Democratic caucuses on Saturday, ahead of the South Carolina primary.",
            "South Carolina",
        ),
        (
            "Who won the Nevada Democratic caucuses on Saturday?",
            "Senator Maria Ortiz won the Nevada Democratic caucuses on Saturday, ahead of the South Carolina primary.",
            "South Carolina",
        ),
        (
            "In which US city did the port strike begin?",
            "The port strike began in Portland, Oregon, on Monday and spread to Seattle.",
            "Oregon",
        ),
        (
            "Which US state will lift its tariff on Canadian lumber?",
            "Canada said Russia would lift its tariff on Canadian lumber, unlike any US state.",
            "Russia",
        ),
        (
            "Which state does not recognise the holiday?",
            "Every state but one recognises the holiday in the United States, officials said.",
            "States",
        ),
        (
            "Who won the Nevada Democratic caucuses on Saturday?",
            "Senator Maria Ortiz won the Nevada Democratic caucuses on Saturday, followed by South Carolina voters.",
            "followed by South Carolina",
        ),
    ],
)
def test_a_place_of_another_kind_does_not_answer(question, text, span):
    assert _answers(question, text, span) == []


@pytest.mark.parametrize(
    ("question", "text", "span"),
    [
        (
            "In which US city did the port strike begin?",
            "The port strike began in Portland, Oregon, on Monday.",
            "Portland, Oregon",
        ),
        (
            "Which US state will cut its gasoline tax?",
            "Virginia will cut its gasoline tax in July, its governor said.",
            "Virginia",
        ),
        (
            "Who won the Super Bowl in Las Vegas?",
            "The Kansas City Chiefs won the Super Bowl in Las Vegas in overtime.",
            "Kansas City Chiefs",
        ),
        (
            "Who won the Nevada Democratic caucuses?",
            "Senator Maria Ortiz won the Nevada Democratic caucuses.",
            "Maria Ortiz",
        ),
        (
            "Which city's mayor ordered older people to stay home?",
            "Moscow's mayor ordered older people to stay home on Monday.",
            "Moscow",
        ),
        (
            "Which governor walked back the order on Friday?",
            "Brian Kemp of Georgia walked back the order on Friday.",
            "Brian Kemp of Georgia",
        ),
        (
            "Which activists led the march for the black rain victims?",
            "Hiroshima peace activists led the march for the black rain victims on Sunday.",
            "Hiroshima peace activists",
        ),
    ],
)
def test_a_place_of_the_kind_asked_answers(question, text, span):
    assert _answers(question, text, span) == [span]


@pytest.mark.parametrize(
    ("text", "province", "place"),
    [
        ("South Carolina", "United States", True),
        ("Ontario", "Canada", True),
        ("Berlin", None, True),  # a capital before a state of Germany
        ("Egypt", None, True),
        ("Maria Ortiz", None, False),
        ("Kenosha", None, False),
    ],
)
def test_what_is_a_state_or_province(text, province, place):
    assert province_of(text) == province and only_a_place(text) is place
