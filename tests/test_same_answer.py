"""Readings that say one answer in other words are one answer: a country by any of its names, a word in the
singular or the plural. Each report that gives it then corroborates it (a citation of its own), as `ask` cites
the articles that agree. Stories of our own (tests/same_answer_stories/); the real reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from answering import ask, parse_when
from answering.candidates import answer_key
from tests.conftest import stories_library

STORIES = Path(__file__).resolve().parent / "same_answer_stories"


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    yield from stories_library(tmp_path_factory, STORIES, "same")


@pytest.mark.parametrize(
    ("question", "urls"),
    [
        ("Which country was the first to ratify the Pacific trade pact?", {"/1", "/2"}),  # Britain, the UK
        ("Which product was hit hardest by the new labelling rules?", {"/3", "/4"}),  # nuggets, the nugget
    ],
)
def test_one_answer_in_other_words_is_cited_from_each_report(library, question, urls):
    result = ask(library, question, as_of=parse_when("2026-03-10"))
    assert not result.abstained, question
    cited = {c.url.removeprefix("https://same.tradewire.invalid") for c in result.citations}
    assert urls <= cited, (question, result.answer, cited)
    assert not result.disagreement


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("Britain", "the United Kingdom", True),
        ("U.S.", "America", True),
        ("Chicken nuggets", "chicken nugget", True),
        ("Birth-control pills", "birth control pill", True),
        ("25%", "25 percent", True),
        ("China", "Beijing", False),  # a capital is a city, not its country
        ("Washington", "the United States", False),  # the state or the city
        ("Georgia", "Armenia", False),
    ],
)
def test_what_is_one_answer(one, other, same):
    assert (answer_key(one) == answer_key(other)) is same
