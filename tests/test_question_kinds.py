"""What a question names beyond its countries must be in the evidence: the event it asks about (a win, not a hope
to win; the kind of election), the office it asks for, the year it asks about, the goods a duty is on; and a
question answered plainly is not refused. Stories of our own (tests/kind_stories/); the real reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from answering import ask, parse_when
from answering.events import asks_winner, election_asked, office_asked, win_said
from answering.measures import Wanted
from answering.question import answer_type
from tests.conftest import stories_library

STORIES = Path(__file__).resolve().parent / "kind_stories"


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    yield from stories_library(tmp_path_factory, STORIES, "kinds")


@pytest.mark.parametrize(
    "question",
    [
        "Who won Brazil's presidential election?",  # the party only hopes to win
        "When is Mexico's presidential election?",  # the June date is for local elections
        "Who is Canada's economy minister?",  # the minister named is the finance minister; the leader is no minister
        "What is India's duty on copper wire in 2024?",  # the 15% is the rate of a 2026 report
        "What is the US duty on frozen Peruvian asparagus?",  # frozen asparagus is not covered
        "How many farms will close in Peru?",  # the story says it was not said: "how many" is no count
        "How much Ukrainian wheat can Morocco import duty-free?",  # the duty-free tonnage is barley's
        "What duty does the US charge on Argentine lemons?",  # the 9% is on honey; lemons were not in the case
        "When will the Philippines ban cobalt ore exports?",  # the ban is on nickel ore
    ],
)
def test_a_near_miss_beyond_the_country_abstains(library, question):
    result = ask(library, question, as_of=parse_when("2026-07-01"))
    assert result.abstained, (question, result.answer)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Who is the US trade representative?", "Jamieson Greer"),
        ("Who is Canada's finance minister?", "Francois-Philippe Champagne"),
        ("Who is the president of Mexico's electoral institute?", "Guadalupe Taddei"),
        ("What is India's duty on copper wire?", "15%"),
        ("How much did Denmark's pork exports to Japan fall in May?", "14%"),  # a change, not an amount of goods
        ("What US duty applies to fresh Peruvian asparagus?", "21%"),  # a rate, not "anti-dumping"
        # "duty-free" names no rate: the amount of goods is asked, with its unit
        ("How much Ukrainian barley can Morocco import duty-free?", "500,000 tonnes"),
        ("What is Morocco's duty-free quota for durum wheat?", "200,000 tonnes"),
        ("How many tonnes of coffee did Vietnam export in 2025?", "1.6 million tonnes"),
        ("What US duty applies to Argentine honey?", "9%"),  # "Argentine" is Argentina's
        ("When will Chile decide on duties on Chinese grinding balls?", "November 2026"),  # not the day it was said
        ("When will the Philippines ban nickel ore exports?", "June 2027"),
    ],
)
def test_a_question_the_story_answers_is_answered(library, question, expected):
    result = ask(library, question, as_of=parse_when("2026-07-01"))
    assert result.answer == expected, result


def test_what_a_question_asks_about_an_event_or_an_office():
    assert asks_winner("Who won Kenya's election?") and asks_winner("Which party won the most seats?")
    assert not asks_winner("When is Kenya's election?") and not asks_winner("Who won the 2022 Nobel Prize?")
    assert election_asked("When is Mexico's presidential election?") == {"presidential"}
    assert election_asked("When is the next election?") == set() and election_asked("What is the duty?") is None
    assert office_asked("Who is Canada's economy minister?") == {"economy", "minister"}
    assert office_asked("Who is the US trade representative?") == {"trade", "representative"}
    assert office_asked("Who chairs Kenya's electoral commission?") == {"chair"}
    assert office_asked("Who is Intel's chief financial officer?") == {"chief financial officer"}
    assert office_asked("Who won the vote?") == set()
    assert win_said("Mark Carney's Liberal Party won Monday's federal election")
    assert win_said("She was elected president on Sunday")
    assert not win_said("The party hopes to win the presidential election")
    assert not win_said("He is expected to be elected next week")


def test_a_duty_asked_is_a_rate_and_a_fall_asked_is_a_change():
    assert answer_type("What US duty applies to fresh asparagus?").value == "percent"
    assert answer_type("Which kind of duty applies to asparagus?").value != "percent"
    wanted = Wanted.of("How much did Denmark's pork exports to Japan fall in May?")
    assert wanted.change and wanted.measure is None  # main: an amount of goods, so "14%" was refused
    assert Wanted.of("How much did US exports to China fall, in dollars?").measure == "amount"
