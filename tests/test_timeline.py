"""How an answer moved: `answering.timeline` on our own stories (tests/watch_stories) — a widget tariff set at
25%, cut to 15% (reported by two outlets), raised to 40%; a port fee two outlets gave differently on the same
days; a question the stories cannot answer. The real reader, the fake encoder."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from answering.timeline import timeline
from bot import render
from embeddings import Library
from embeddings.models import Article
from tests.conftest import FakeEncoder, stories_library

STORIES = Path(__file__).resolve().parent / "watch_stories"
WIDGETS = "What is the tariff on imported widgets?"


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    yield from stories_library(tmp_path_factory, STORIES, "timeline")


def test_the_changes_in_order_each_with_all_its_reports(library):
    result = timeline(library, WIDGETS)
    assert [(s.reported, s.answer) for s in result.steps] == [
        ("2025-07-07", "25%"),
        ("2025-08-01", "15%"),
        ("2025-09-02", "40%"),
    ]
    cut = result.steps[1]
    assert {result.citations[n - 1].source for n in cut.citations} == {"Example Wire", "Trade Ledger"}
    assert not result.unchanged and all(not s.differ for s in result.steps)
    first = render.timeline_text(result).splitlines()[0]
    assert first == "Jul 7, 2025  25% [1]  →  Aug 1, 2025  15% [2][3]  →  Sep 2, 2025  40% [4]"
    quotes = [c.quote for c in result.citations]
    assert "cut to 15% from 25%" in quotes[1] and "now 15%" in quotes[2]  # each report's own sentence


def test_two_outlets_at_once_is_one_step_that_says_reports_differ(library):
    result = timeline(library, "What is the port fee on foreign-built ships?")
    (step,) = result.steps
    assert (step.answer, [a for a, _ in step.differ]) == ("$50 a ton", ["$80 a ton"])
    assert not result.unchanged  # contradicted, so not "unchanged since"
    data = json.loads(render.timeline_json(result))
    assert data["steps"][0]["reports_differ"] == [{"answer": "$80 a ton", "citations": [2]}]


def test_since_an_unchanged_answer_and_an_abstention(library, tmp_path):
    later = timeline(library, WIDGETS, since=datetime(2025, 8, 20, tzinfo=UTC))
    assert [(s.answer, s.before) for s in later.steps] == [("15%", True), ("40%", False)]  # "to 40% from 15%"
    with Library.open(tmp_path / "pianos", encoder=FakeEncoder()) as one:
        piano = "The duty on imported pianos is 12%, the customs office said on Monday."
        one.ingest_articles(
            [Article("p1", "Piano duty", piano, source="Wire", published=datetime(2025, 5, 5, tzinfo=UTC))]
        )
        same = timeline(one, "What is the duty on imported pianos?")
    assert [s.answer for s in same.steps] == ["12%"] and same.unchanged
    assert "(unchanged since May 5, 2025)" in render.timeline_text(same)
    nothing = timeline(library, "Who won Kenya's election?")
    assert nothing.abstained and nothing.steps == [] and render.timeline_text(nothing).startswith("No answer")


def test_a_report_that_says_what_it_replaced_gives_the_step_before(library):
    """Only the November report in view ("cut ... to 20% from 35%, effective December 1"): the 35% it replaced
    is a step of its own, before that report and citing it; with the June report in view, it is that step."""
    question = "What is Canada's tariff on imported gadgets?"
    late = timeline(library, question, since=datetime(2025, 11, 1, tzinfo=UTC))
    assert [(s.answer, s.before, s.citations) for s in late.steps] == [("35%", True, [1]), ("20%", False, [1])]
    # reported Nov 20, in force from the day the report says, as `ask` says it
    assert late.steps[1].effective == "2025-12-01" and late.to_json()["steps"][1]["effective"] == "2025-12-01"
    assert (
        render.timeline_text(late).splitlines()[0]
        == "before Nov 20, 2025  35% [1]  →  Nov 20, 2025  20% from Dec 1, 2025 [1]"
    )
    full = timeline(library, question)
    assert [(s.answer, s.before) for s in full.steps] == [("35%", False), ("20%", False)]
