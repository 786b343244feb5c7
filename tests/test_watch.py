"""Standing questions and disagreement on our own trade stories (tests/watch_stories): a widget tariff that
changes twice (25% -> 15% -> 40%), a port fee two outlets report differently, and a syndicated copy that agrees."""

from __future__ import annotations

from pathlib import Path

import pytest

from answering import ask
from answering.watch import Watches
from bot import render
from embeddings import Library
from tests.conftest import FakeEncoder

STORIES = Path(__file__).resolve().parent / "watch_stories"
WIDGETS = "What is the tariff on imported widgets?"
PORT_FEE = "What is the port fee on foreign-built ships?"


def story(name: str) -> str:
    return str(next(STORIES.glob(f"{name}*")))


@pytest.fixture
def home(tmp_path) -> Path:
    return tmp_path / "home"


def open_library(home: Path) -> Library:
    return Library.open(home, encoder=FakeEncoder())


def watching(library: Library, first_story: str, question: str, **where: str) -> Watches:
    """`first_story` indexed and `question` watched, its first answer delivered (as message "m0")."""
    library.ingest([story(first_story)])
    watches = Watches(library)
    _, first = watches.add(question, **where)
    assert first is not None and first.previous is None
    watches.delivered(first, "m0")
    return watches


def check_and_deliver(home: Path) -> list[tuple[str, str | None]]:
    """One round as a fresh process would run it: re-ask, then deliver what is pending."""
    with open_library(home) as library:
        watches = Watches(library)
        watches.check()
        out = []
        for update in watches.pending():
            out.append((update.answer["answer"], update.previous["answer"] if update.previous else None))
            watches.delivered(update, f"m{update.id}")
        return out


def test_a_watch_posts_exactly_the_two_changes_in_order_across_restarts(home):
    with open_library(home) as library:
        (watch,) = watching(library, "1-", WIDGETS, guild="g", channel="c").list()
        assert watch.answer["answer"] == "25%" and watch.message == "m0"
    assert check_and_deliver(home) == []  # nothing new
    with open_library(home) as library:
        library.ingest([story("2-")])
    assert check_and_deliver(home) == [("15%", "25%")]
    assert check_and_deliver(home) == []  # a restart neither reposts nor re-asks
    with open_library(home) as library:
        library.ingest([story("7-")])  # coffee: cannot touch a widget question
        watches = Watches(library)
        assert watches.check() == [] and watches.last_round.asked == 0 and watches.last_round.watches == 1
    with open_library(home) as library:
        library.ingest([story("3-")])
    assert check_and_deliver(home) == [("40%", "15%")]
    with open_library(home) as library:
        (current,) = Watches(library).list("g")
        assert current.answer["answer"] == "40%" and current.message is not None


def test_a_change_found_while_down_is_posted_after_a_restart(home):
    with open_library(home) as library:
        watches = watching(library, "1-", WIDGETS)
        library.ingest([story("2-")])
        (update,) = watches.check()  # found, then the process dies before posting it
    with open_library(home) as library:
        (pending,) = Watches(library).pending()
        assert pending.id == update.id and pending.answer["answer"] == "15%" and pending.previous_message == "m0"


def test_the_same_figure_from_another_outlet_or_an_abstention_is_no_change(home):
    with open_library(home) as library:
        watches = watching(library, "4-", PORT_FEE)
        library.ingest([story("6-")])  # Coastal Wire's copy of Harbor Daily's $50
        assert watches.check() == []
        assert watches.check(everything=True) == [] and watches.last_round.asked == 1  # asked again: the same
        _, none = watches.add("Who won the 2024 World Series?")
        assert none is None  # it abstains: nothing to post yet, and abstaining later is no change either


def test_flapping_answers_are_damped(home, monkeypatch):
    import answering.watch as watch_module
    from answering.result import Answer, Citation

    # Two outlets keep correcting each other: each report is newer than the last, the figure flips back.
    reports = iter([("25%", 7), ("30%", 8), ("25%", 9), ("30%", 10)])

    def fake_ask(library, question, **kwargs):
        value, hour = next(reports)
        published = f"2025-07-08T{hour:02d}:00:00+00:00"
        cited = Citation(1, f"a{hour}", "Widgets", "Wire", published, "https://x.test", f"It is {value}.")
        return Answer(question.text, value, False, published[:10], [cited])  # a watch asks the question it read

    monkeypatch.setattr(watch_module, "ask", fake_ask)
    with open_library(home) as library:
        library.ingest([story("1-")])
        watches = Watches(library)
        watches.add(WIDGETS)  # 25%, posted
        posted = [u.answer["answer"] for _ in range(3) for u in watches.check(everything=True)]
        assert posted == ["30%"]  # A, B, A, B within a day: B once, then damped both ways
        assert watches.last_round.damped == 1 and watches.list()[0].answer["answer"] == "30%"


def test_ask_shows_the_disagreement_and_not_for_an_agreeing_copy(home):
    with open_library(home) as library:
        library.ingest([story("4-"), story("5-"), story("6-")])
        result = ask(library, PORT_FEE)
        answers = {d.answer for d in result.disagreement}
        assert answers == {"$80 a ton", "$50 a ton"}
        sources = {c.source for c in result.citations}
        assert {"Shipping Gazette", "Harbor Daily"} <= sources
    with open_library(home.parent / "agreeing") as library:
        library.ingest([story("4-"), story("6-")])
        result = ask(library, PORT_FEE)
        assert result.answer == "$50 a ton" and result.disagreement == []


def test_ask_says_what_a_replaced_answer_was_and_until_when(home):
    with open_library(home) as library:
        library.ingest([story("1-"), story("2-")])
        result = ask(library, WIDGETS)
        # "was cut to 15% from 25% on Friday": the day the cut happened, said by the report of that Friday
        assert (result.answer, result.was.answer, result.was.until) == ("15%", "25%", "2025-08-01")
        assert result.was.reported == "2025-08-01"
        cited = result.citations[result.was.citations[0] - 1]
        assert "25% tariff" in cited.quote and cited.published.startswith("2025-07-07")
        library.ingest([story("3-")])
        result = ask(library, WIDGETS)
        assert (result.answer, result.was.answer, result.was.reported) == ("40%", "15%", "2025-09-02")
        # "raised to 40% from 15% on Tuesday" (Sep 2)
        was = {"answer": "15%", "until": "2025-09-02", "citations": [2], "reported": "2025-09-02"}
        assert result.to_json()["was"] == was
        assert render.text(result).splitlines()[1] == "(was 15% until Sep 2, 2025 [2])"
        # "cut ... to 20% from 35%, effective December 1" in a report of Nov 20: until the day the cut applies
        library.ingest([story("8-"), story("9-")])
        result = ask(library, "What is Canada's tariff on imported gadgets?")
        assert (result.answer, result.was.answer, result.was.until) == ("20%", "35%", "2025-12-01")
        assert render.text(result).splitlines()[1] == "(was 35% until Dec 1, 2025 [2])"
    with open_library(home.parent / "one") as library:
        library.ingest([story("1-")])
        result = ask(library, WIDGETS)
        assert result.answer == "25%" and result.was is None and "was" not in result.to_json()


ANNOUNCED = Path(__file__).resolve().parent / "announced_stories"
ETHANOL = "What is Vietnam's tariff on US ethanol?"


def test_a_change_announced_for_a_later_day_is_the_answer_only_from_that_day(home):
    """Two outlets report a cut "to 8% from 12%, effective March 1, 2027" in November 2026: asked in between, the
    answer is the 12% in force with the cut to come; from March 1, the 8%, which was 12% until then."""
    from answering import parse_when
    from answering.timeline import timeline
    from bot.embeds import answer_embed

    with open_library(home) as library:
        library.ingest([str(ANNOUNCED)])
        earlier = ask(library, ETHANOL, as_of=parse_when("2026-06-01"))
        assert earlier.answer == "12%" and earlier.coming is None and "coming" not in earlier.to_json()

        between = ask(library, ETHANOL, as_of=parse_when("2026-12-01"))
        assert (between.answer, between.was) == ("12%", None)
        assert between.to_json()["coming"] == {"answer": "8%", "on": "2027-03-01", "citations": [1, 2]}
        assert {c.source for c in between.citations[:2]} == {"Saigon Ledger", "Mekong Trade Wire"}
        assert all("8% from 12%" in c.quote for c in between.citations[:2])
        assert render.text(between).splitlines()[0] == "12%; 8% from Mar 1, 2027 [1][2]"
        embed = answer_embed(between)
        assert embed.title == "12%"
        assert [(f.name, f.value) for f in embed.fields][0] == ("Announced", "8% from Mar 1, 2027 **[1][2]**")

        after = ask(library, ETHANOL, as_of=parse_when("2027-03-05"))
        assert (after.answer, after.coming) == ("8%", None)
        assert (after.was.answer, after.was.until) == ("12%", "2027-03-01")
        assert render.text(after).splitlines()[1].startswith("(was 12% until Mar 1, 2027 [")

        # a duty announced with no figure before it in the news: the announced one, said to apply from its day
        rice = ask(library, "What is Laos's tariff on imported rice?", as_of=parse_when("2026-12-01"))
        assert (rice.answer, rice.coming) == ("20%", None) and rice.note.startswith("in force from Apr 1, 2027")
        rice = ask(library, "What is Laos's tariff on imported rice?", as_of=parse_when("2027-05-01"))
        assert (rice.answer, rice.note) == ("20%", "")

        # the timeline says the same: reported in November, 8% from March 1
        steps = timeline(library, ETHANOL).steps
        assert (steps[-1].answer, steps[-1].reported, steps[-1].effective) == ("8%", "2026-11-10", "2027-03-01")
        assert steps[-2].answer == "12%"


def test_a_watch_posts_an_announced_change_once_and_again_once_on_its_day(home, monkeypatch):
    from datetime import UTC, datetime

    import answering.watch as watch_module
    from bot.embeds import watch_update, watches_embed

    def at(day: str) -> None:
        monkeypatch.setattr(watch_module, "_now", lambda: datetime.fromisoformat(day).replace(tzinfo=UTC))

    def round_texts() -> list[str]:
        with open_library(home) as library:
            watches = Watches(library)
            watches.check()
            out = []
            for update in watches.pending():
                line = render.update_text(ETHANOL, update.answer, update.previous).splitlines()[0]
                posted = watch_update(ETHANOL, update.answer, update.previous, None).splitlines()[0]
                assert posted.replace("**", "") == line  # the Discord message says the same, in bold
                out.append(line)
                watches.delivered(update, f"m{update.id}")
            return out

    at("2026-11-01T09:00:00")
    with open_library(home) as library:
        library.ingest([str(ANNOUNCED / "1-ethanol-12.md")])
        _, first = Watches(library).add(ETHANOL)
        assert render.update_text(ETHANOL, first.answer, None).splitlines()[0] == "Now: 12% [1]"
        Watches(library).delivered(first, "m0")
    at("2026-11-12T09:00:00")
    with open_library(home) as library:
        library.ingest([str(ANNOUNCED)])
    assert round_texts() == ["Announced: 8% from Mar 1, 2027; 12% until then [1]"]
    assert round_texts() == []  # once
    with open_library(home) as library:  # the list of standing questions says what comes too
        (watch,) = Watches(library).list()
        assert render.answer_text(watch.answer) == "12%; 8% from Mar 1, 2027"
        assert "12%; 8% from Mar 1, 2027" in watches_embed([watch]).description
    at("2027-02-28T09:00:00")
    assert round_texts() == []  # not yet
    at("2027-03-02T09:00:00")  # its day has come: asked again with no new passage, posted once
    assert round_texts() == ["Update: 8% (was 12% until Mar 1, 2027) [1]"]
    assert round_texts() == []


def test_a_replaced_answer_is_dated_by_the_first_report_of_the_change_not_the_newest(home):
    """25% on Jul 7; the cut "to 15% from 25% on Friday" reported on Aug 1; another outlet's "now 15%" on Aug 2:
    the 25% was replaced by the report of Aug 1, on the Friday it says."""
    with open_library(home) as library:
        library.ingest([story("1-"), story("2-"), story("10-")])
        result = ask(library, WIDGETS)
        assert (result.answer, result.was.answer, result.was.reported) == ("15%", "25%", "2025-08-01")
        assert result.was.until in (None, "2025-08-01")  # the day, when the quoted report is the one that says it
        assert "Aug 2" not in render.text(result).splitlines()[1]
