"""Watches of the tariff board (answering/tariff_watch.py) on both engines, over our own stories
(tests/tariff_stories.py): a watch starts from the board as it stands; a new rate, a status that changes on its
day as the clock moves, and a new line are each recorded once; nothing is recorded when nothing changed, after a
restart, or by a second process racing the same round."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import answering.tariff_watch as tariff_watch
from answering.board import board
from answering.tariff_watch import LEASE, TariffWatches
from bot import embeds
from embeddings import Library, TradewireError
from tests.conftest import FakeEncoder
from tests.tariff_stories import BEEF, BOARD, CHINA, COFFEE, LUMBER, LUMBER_RAISED, MAY_20


def day(month: int, d: int, hour: int = 12) -> datetime:
    return datetime(2026, month, d, hour, tzinfo=UTC)


@pytest.fixture
def open_library(tmp_path, engine):
    """Opens the same store again and again (a restart), each closed at the end."""
    opened: list[Library] = []

    def open_() -> Library:
        lib = Library.open(tmp_path / "home", encoder=FakeEncoder(), database_url=engine)
        opened.append(lib)
        return lib

    yield open_
    for lib in opened:
        lib.close()


@pytest.fixture
def news(open_library) -> Library:
    lib = open_library()
    lib.ingest_articles(BOARD)
    return lib


def updates_in_store(library: Library) -> list[tuple[int, str]]:
    rows = library.store.db.execute("SELECT watch_id, change FROM tariff_updates ORDER BY id").fetchall()
    return [(int(r[0]), r[1]) for r in rows]


def test_a_new_watch_starts_from_the_board_and_posts_nothing_until_it_changes(news):
    watches = TariffWatches(news)
    watch, shown = watches.add({}, guild="g", channel="c", by="u", now=MAY_20)
    assert [line.key for line in shown.lines] == [COFFEE, LUMBER, CHINA]
    assert set(watch.lines) == {COFFEE, LUMBER, CHINA}
    assert watch.lines[LUMBER] == {
        "rate": "25 percent",
        "status": "in effect",
        "day": "2026-03-03",
        "shown": "25%",
        "when": "in effect since March 3, 2026",
    }
    assert watches.check(MAY_20) == [] and watches.check(day(5, 25)) == []
    assert watches.pending() == [] and updates_in_store(news) == []


def test_a_rate_change_is_recorded_once_with_what_it_was(news):
    watches = TariffWatches(news)
    watch, _ = watches.add({}, guild="g", channel="c", now=MAY_20)
    news.ingest_articles([LUMBER_RAISED])
    (update,) = watches.check(day(5, 21))
    assert update.change == "rate" and update.watch.id == watch.id
    line = update.line
    assert (line["key"], line["rate"], line["status"], line["day"]) == (LUMBER, "35%", "in effect", "2026-05-18")
    assert line["previous"]["shown"] == "25%" and line["cited"][0]["article_id"] == "lumber-raised"
    assert embeds.tariff_update(line, update.change).splitlines()[0] == (
        "**Tariff board:** United States → Canada · softwood lumber now 35% (was 25%), in effect since May 18, 2026 "
        "**[1]** <https://board.example.test/lumber-raised>"
    )
    assert watches.check(day(5, 21)) == [] and watches.check(day(5, 22)) == []  # recorded, not again
    assert [u.id for u in watches.pending()] == [update.id]
    assert watches.get(watch.id).lines[LUMBER]["shown"] == "35%"


def test_an_announced_rate_is_recorded_in_effect_on_its_day_as_the_clock_moves(news):
    watches = TariffWatches(news)
    watches.add({"by": "Mexico"}, guild="g", channel="c", now=MAY_20)
    assert watches.check(day(5, 31, 23)) == []  # no news comes in; the day has not come
    (update,) = watches.check(day(6, 1, 0))
    assert update.change == "status" and update.line["key"] == COFFEE
    assert (update.line["status"], update.line["day"], update.line["when"]) == (
        "in effect",
        "2026-06-01",
        "in effect since June 1, 2026",
    )
    assert update.line["previous"]["status"] == "announced"
    assert "coffee 20% now in effect since June 1, 2026 (was announced, from June 1, 2026)" in embeds.tariff_update(
        update.line, update.change
    )
    assert watches.check(day(6, 2)) == []


def test_a_new_line_is_recorded_when_its_report_is_out(news):
    watches = TariffWatches(news)
    watches.add({"on": "the U.S."}, guild="g", channel="c", now=MAY_20)
    news.ingest_articles([BEEF])  # published June 2 at noon
    assert watches.check(day(6, 1)) == [] and watches.check(day(6, 2, 10)) == []
    (update,) = watches.check(day(6, 2, 13))  # the same day, once it is out
    assert update.change == "new" and update.line["charged_by"] == "Japan" and update.line["rate"] == "9%"
    assert embeds.tariff_update(update.line, "new").startswith(
        "**Tariff board:** Japan → United States · beef is new on the board: 9%, in effect (reported June 2, 2026) "
        "**[1]** <https://board.example.test/beef>"
    )


def test_the_filters_decide_the_lines_and_a_line_that_leaves_is_dropped_silently(news):
    watches = TariffWatches(news)
    china, shown = watches.add({"on": "Beijing"}, guild="g", channel="c", now=MAY_20)
    assert china.filters == {"on": "China"} and [line.key for line in shown.lines] == [CHINA]
    announced, _ = watches.add({"status": "announced"}, guild="g", channel="c", now=MAY_20)
    assert set(announced.lines) == {COFFEE}
    news.ingest_articles([LUMBER_RAISED])
    assert watches.check(day(6, 1)) == []  # lumber is not China's; coffee, now in effect, left "announced"
    assert watches.get(announced.id).lines == {} and set(watches.get(china.id).lines) == {CHINA}
    with pytest.raises(TradewireError, match="already watches"):  # the same country, however it is named
        watches.add({"on": "Chinese"}, guild="g", channel="c", now=MAY_20)


def test_bad_filters_are_one_line_errors_and_a_server_has_a_cap(news, monkeypatch):
    watches = TariffWatches(news)
    for filters, said in [
        ({"on": "Atlantis"}, "names no country"),
        ({"status": "rumoured"}, "unknown status"),
        ({"colour": "red"}, "unknown filter"),
    ]:
        with pytest.raises(TradewireError, match=said) as caught:
            watches.add(filters, guild="g", channel="c", now=MAY_20)
        assert "\n" not in str(caught.value)
    assert watches.list() == []
    monkeypatch.setattr(tariff_watch, "MAX_WATCHES_PER_GUILD", 1)
    watches.add({}, guild="g", channel="c", now=MAY_20)
    with pytest.raises(TradewireError, match="1 times"):
        watches.add({"on": "China"}, guild="g", channel="c2", now=MAY_20)
    watches.add({"on": "China"}, guild="other", channel="c3", now=MAY_20)  # another server's own cap


def test_each_change_is_recorded_exactly_once_across_a_restart(news, open_library):
    watches = TariffWatches(news)
    watches.add({}, guild="g", channel="c", now=MAY_20)
    news.ingest_articles([LUMBER_RAISED])
    (found,) = watches.check(day(5, 21))  # found, then the process dies before posting it
    news.close()

    again = TariffWatches(open_library())
    assert again.check(day(5, 21)) == []  # a new process finds nothing new...
    (pending,) = again.pending()  # ...and the change still waiting to be posted
    assert pending.id == found.id and pending.line["rate"] == "35%"
    again.delivered(pending, "m1")
    again.library.close()

    third = TariffWatches(open_library())
    assert third.check(day(5, 22)) == [] and third.pending() == []
    assert updates_in_store(third.library) == [(found.watch.id, "rate")]


def test_a_crash_between_the_update_and_the_state_neither_loses_nor_doubles_it(news, monkeypatch):
    from embeddings.store.tariffs import TariffRecords

    watches = TariffWatches(news)
    watches.add({}, guild="g", channel="c", now=MAY_20)
    news.ingest_articles([LUMBER_RAISED])
    real = TariffRecords.set_lines

    def crash(self, watch_id, lines):
        raise RuntimeError("killed")

    monkeypatch.setattr(TariffRecords, "set_lines", crash)
    with pytest.raises(RuntimeError):
        watches.check(day(5, 21))  # the update was written, then the state failed: neither is kept
    assert updates_in_store(news) == []
    monkeypatch.setattr(TariffRecords, "set_lines", real)
    (update,) = watches.check(day(5, 21))
    assert update.change == "rate" and watches.check(day(5, 21)) == []
    assert len(updates_in_store(news)) == 1


@pytest.mark.parametrize("with_lease", [True, False], ids=["under-the-lease", "no-lease"])
def test_two_processes_racing_a_round_record_one_update(news, open_library, monkeypatch, with_lease):
    """Process A computes its boards; meanwhile process B runs a whole round. Under the lease B does not run it;
    without, B records the change and A, deciding against the watch's row as B left it, records nothing."""
    a = TariffWatches(news)
    b = TariffWatches(open_library())
    a.add({}, guild="g", channel="c", now=MAY_20)
    news.ingest_articles([LUMBER_RAISED])
    found_by_b: list = []
    real_board = tariff_watch.board

    def slow_board(library, **filters):
        if library is news and not found_by_b:
            found_by_b.append(round_of(b, "process-b"))
        return real_board(library, **filters)

    def round_of(watches: TariffWatches, owner: str) -> list:
        leases = watches.library.records.leases
        if with_lease and not leases.claim(LEASE, owner, 60):
            return []
        try:
            return watches.check(day(5, 21))
        finally:
            if with_lease:
                leases.release(LEASE, owner)

    monkeypatch.setattr(tariff_watch, "board", slow_board)
    found_by_a = round_of(a, "process-a")
    assert len(found_by_a) + len(found_by_b[0]) == 1
    assert (len(found_by_a), len(found_by_b[0])) == ((1, 0) if with_lease else (0, 1))
    assert [u.change for u in a.pending()] == ["rate"]
    assert len(updates_in_store(news)) == 1


def test_the_board_names_its_countries_and_goods_for_autocompletion(news):
    board(news, as_of=MAY_20)  # reads the news
    records = news.records.tariffs
    assert set(records.names("charged_on")) == {"Brazil", "Canada", "China"}
    assert records.names("charged_by")[0] == "United States"  # the most reported first
    assert records.names("charged_by", "MEX") == ["Mexico"]
    assert records.names("goods", "lum") == ["softwood lumber"]
    assert records.names("goods", "%") == [] and records.names("charged_on", "_") == []  # typed, not patterns
    with pytest.raises(ValueError):
        records.names("sentence")
