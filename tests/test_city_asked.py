""" "Which city …?" is answered by a city: not by a continent or region, nor by a country named for itself (a
city-state, or a country whose capital bears its name, may be one). Stories of our own (tests/city_stories/); the
real reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from answering import ask, parse_when
from answering.subjects import may_be_city
from tests.conftest import stories_library

STORIES = Path(__file__).resolve().parent / "city_stories"


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    yield from stories_library(tmp_path_factory, STORIES, "cities")


@pytest.mark.parametrize(
    "question",
    [
        "In which city will G20 trade ministers meet in October?",  # the story names only the country
        "Which city will be the new regional hub of the shipping line Nordlys?",  # only "Asia" is said
    ],
)
def test_a_city_asked_is_not_answered_by_a_country_or_a_continent(library, question):
    result = ask(library, question, as_of=parse_when("2026-06-01"))
    assert result.abstained, (question, result.answer)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("In which city will the African Union trade summit be held?", "Nairobi"),
        ("Which city will expand its Tuas container terminal?", "Singapore"),  # a city-state
    ],
)
def test_a_city_said_answers(library, question, expected):
    result = ask(library, question, as_of=parse_when("2026-06-01"))
    assert not result.abstained and expected in result.answer, (question, result.answer, result.citations)


@pytest.mark.parametrize(
    ("text", "city"),
    [
        ("Europe", False),
        ("the Middle East", False),
        ("Southeast Asia", False),
        ("Egypt", False),
        ("Georgia", False),
        ("Cairo", True),  # a capital
        ("Brussels, Belgium", True),  # a capital, which news also uses for the European Union
        ("Washington", True),  # "Washington D.C." in countryinfo
        ("Singapore", True),  # a city-state
        ("Hong Kong", True),  # a territory whose capital is a "City of"
        ("Kuwait", True),  # its capital, Kuwait City, bears its name
        ("Milwaukee", True),  # any other name may be a city
    ],
)
def test_what_may_name_a_city(text, city):
    assert may_be_city(text) is city
