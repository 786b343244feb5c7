"""A question that names something in passing ("Following talks with the FAO, ...") is answered by a story that does
not repeat it, and is still refused by one about another country or other goods: stories of our own
(tests/passing_stories/), the real encoder and reader, the shipped sureness model (answering/sureness.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from answering import ask, parse_when
from tests.conftest import stories_library

pytestmark = pytest.mark.model

STORIES = Path(__file__).resolve().parent / "passing_stories"
NOW = parse_when("2026-05-20")


@pytest.fixture(scope="module")
def library(tmp_path_factory, real_encoder):
    yield from stories_library(tmp_path_factory, STORIES, "passing", real_encoder)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # main refused each: the one name it gives is not in the story ("the closest passages do not mention FAO")
        ("Following talks with the FAO, when will Vietnam lift its curbs on rice exports?", "June 1"),
        ("Citing the Zeebrugge backlog, what pay rise did Belgian dockworkers accept to end their strike?", "4%"),
        ("Despite the Red Sea shipping delays, what record price did Kenyan tea reach at auction?", "$3.20"),
        ("Amid the Boeing strike, in which US state will the European planemaker build a second line?", "Alabama"),
        ("As the Escondida talks stall, by how much did Chile's state copper company's output fall?", "6%"),
    ],
)
def test_a_name_given_in_passing_need_not_be_in_the_story(library, question, expected):
    result = ask(library, question, as_of=NOW)
    assert not result.abstained and expected in (result.answer or ""), result


@pytest.mark.parametrize(
    "question",
    [
        "As the Escondida talks stall, by how much did Peru's copper output fall?",  # Chile's, not Peru's
        "Following talks with the FAO, when will Vietnam lift its curbs on coffee exports?",  # rice, not coffee
        "Citing the Zeebrugge backlog, what pay rise did Dutch dockworkers accept?",  # Belgian, not Dutch
    ],
)
def test_another_country_or_other_goods_are_still_refused(library, question):
    result = ask(library, question, as_of=NOW)
    assert result.abstained, (question, result.answer)
