"""The daily brief and the timeline on our own stories over three days (tests/brief_stories): a port strike
carried by three outlets in their own words, its follow-up the next day, two unrelated stories, and an e-bike
duty set at 12%, raised to 18% and cut to 15%. The real model: grouping is by meaning."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from answering.brief import brief
from answering.timeline import timeline
from bot import render
from embeddings import Library

pytestmark = pytest.mark.model
STORIES = Path(__file__).resolve().parent / "brief_stories"


def day(n: int) -> tuple[datetime, datetime]:
    start = datetime(2025, 9, 7 + n, tzinfo=UTC)
    return start, start.replace(hour=23, minute=59, second=59)


@pytest.fixture(scope="module")
def library(tmp_path_factory, real_encoder):
    lib = Library.open(tmp_path_factory.mktemp("brief"), encoder=real_encoder)
    assert not lib.ingest([str(STORIES)]).failed
    yield lib
    lib.close()


def test_three_outlets_on_one_event_are_one_line_ranked_first(library):
    since, until = day(1)
    result = brief(library, since=since, until=until)
    assert result.stories == 5 and len(result.events) == 3
    strike = result.events[0]
    assert sorted(strike.sources) == ["Example Wire", "Harbor Daily", "Shipping Gazette"]
    assert len(strike.stories) == 3
    assert all(len(e.sources) == 1 for e in result.events[1:])
    text = render.brief_text(result)
    assert "1. Strike shuts Europe's biggest port — 3 sources" in text.splitlines()
    assert "   “A strike by dock workers shut container operations at the Port of Rotterdam on Monday," in text
    data = json.loads(render.brief_json(result))
    assert data["events"][0]["url"] == "https://wire.example.test/europe-port-strike" and data["stories"] == 5


def test_each_day_has_its_own_stories_and_a_topic_keeps_its_events(library):
    since, until = day(2)
    second = brief(library, since=since, until=until)
    assert {e.headline.title for e in second.events} == {
        "Rotterdam strike enters second day as ships queue",
        "EU raises e-bike duty to 18%",
    }
    since, _ = day(1)
    _, until = day(3)
    coffee = brief(library, since=since, until=until, topic="coffee exports")
    assert [e.headline.title for e in coffee.events] == ["Brazil's coffee exports climb"]
    # the header counts the stories about the topic, not every story of the three days
    assert coffee.stories == len(coffee.events[0].stories) < brief(library, since=since, until=until).stories
    assert json.loads(render.brief_json(coffee))["stories"] == coffee.stories
    assert render.brief_text(brief(library, since=since, until=until, topic="semiconductors")).startswith(
        "No stories about “semiconductors”"
    )


def test_the_timeline_of_the_duty_has_exactly_its_two_changes(library):
    result = timeline(library, "What is the EU duty on electric bicycles from China?")
    assert [(s.reported, s.answer) for s in result.steps] == [
        ("2025-09-08", "12%"),
        ("2025-09-09", "18%"),
        ("2025-09-10", "15%"),
    ]
    assert [len(s.citations) for s in result.steps] == [1, 1, 1] and len(result.citations) == 3


def test_the_quoted_lead_skips_datelines_bylines_and_notices():
    from answering.brief import _first_sentence

    page = "London CNN —\nStan Choe\nEditor's note: This page recaps the day's trade news as it happened.\n"
    page += "Britain will cut its tariff on imported steel to 10% from next month, the trade ministry said."
    assert _first_sentence(page).startswith("Britain will cut its tariff on imported steel")
    assert _first_sentence("CNN —") == "CNN —"  # nothing better: the first one
