"""A headline cut short ends no answer: feeds and our own ingest shorten a long first sentence into a headline
("… a new economic…"), and some cut it mid-word ("… announced Wedne"). A reading of the headline that runs to
the cut is refused; the same words read in the story stand."""

from __future__ import annotations

import pytest

from answering.candidates import Reading, _whole_until, rarity, supported
from answering.reader import Span
from tests.hits import hit


def _read(question: str, title: str, text: str, span_text: str, *, in_title: bool):
    passage = hit(text, title=title)
    where = title if in_title else text
    at = where.index(span_text)
    span = Span(0, at, at + len(span_text), span_text, 9.0, 0.0, in_title=in_title)
    found, _ = supported(question, Reading(question, [passage], [span], [0.0], rarity(question, [passage])))
    return [c.value for c in found]


TITLE = "The Tema refinery said it will start exporting gold bars to Dubai on Wedne"
TEXT = "The Tema refinery said it will start exporting gold bars to Dubai on Wednesday, its chief executive said."


def test_a_reading_that_runs_to_a_cut_headline_is_refused():
    assert _read("When will the Tema refinery start exporting gold bars?", TITLE, TEXT, "Wedne", in_title=True) == []
    company = "Ghana Gold Board"
    cut = f"Gold exports rose 9% after the {company[:-3]}"
    story = f"Gold exports rose 9% after the {company} cut its levy."
    assert _read("Who cut the levy on gold exports?", cut, story, "Ghana Gold Bo", in_title=True) == []


def test_the_same_words_read_in_the_story_stand():
    answers = _read("When will the Tema refinery start exporting gold bars?", TITLE, TEXT, "Wednesday", in_title=False)
    assert answers == ["April 2, 2025"]  # the Wednesday after the report of Friday, March 28


def test_a_whole_headline_answers_to_its_end():
    title = "Ghana raises its gold export levy to 3%"
    text = "The levy applies from May."
    assert _read("What is Ghana's gold export levy?", title, text, "3%", in_title=True) == ["3%"]


@pytest.mark.parametrize(
    ("title", "text", "whole"),
    [
        ("Exports will resume on Wedne", "Exports will resume on Wednesday.", "Exports will resume on "),
        (
            "Carney and Trump agreed that talks on a new economic…",
            "",
            "Carney and Trump agreed that talks on a new economic",
        ),
        (
            "Carney and Trump agreed that talks on a new economic ...",
            "",
            "Carney and Trump agreed that talks on a new economic",
        ),
        (
            "US sets 25% duty on Ecuadorian shrimp",
            "Duties on shrimp and shrimps rose.",
            "US sets 25% duty on Ecuadorian shrimp",
        ),
    ],
)
def test_where_a_headline_s_whole_words_end(title, text, whole):
    assert title[: _whole_until(title, text)] == whole


def test_a_name_said_before_the_cut_still_answers():
    title = "Founder steps down from Volta, a hydrogen truck company, after the compan"
    text = "The founder stepped down from Volta, a hydrogen truck company, after the company was accused of fraud."
    span = "Volta, a hydrogen truck company, after the compan"
    assert _read("Which company did the founder step down from?", title, text, span, in_title=True) == ["Volta"]
