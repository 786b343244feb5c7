"""The tariff board (answering/board.py) over a knowledge base, on both engines: a line's steps across reports,
its status as of a day, outlets that disagree, threats kept apart from what is in force, the filters, and the
facts kept in step with the passages (read once, read again when an article changes or the rules do). Stories of
our own, the fake encoder."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from answering.board import board
from answering.tariffs import VERSION, read_news
from bot import render
from embeddings import Library
from embeddings.errors import TradewireError
from embeddings.models import Article


def story(article_id: str, day: str, title: str, text: str, source: str = "Gazette") -> Article:
    published = datetime.fromisoformat(day).replace(hour=8, tzinfo=UTC)
    return Article(article_id, title, text, source=source, url=f"https://board.test/{article_id}", published=published)


STORIES = [
    story("a1", "2026-02-02", "Chile sets wine duty", "Chile will charge a 6% duty on Argentine wine from March 1."),
    story("a2", "2026-03-05", "Wine duty in force", "A 6% Chilean duty on Argentine wine took effect on March 1."),
    story("a3", "2026-05-10", "Chile raises wine duty", "Chile raised its duty on Argentine wine to 9% from 6%."),
    story("b1", "2026-06-01", "Peru apple duty", "Peru imposed a 12% tariff on Chilean apples.", source="Gazette"),
    story("b2", "2026-06-02", "Peru apple duty", "Peru imposed a 15% tariff on Chilean apples.", source="Ledger"),
    story("c1", "2026-04-01", "Turkey warns Greece", "Turkey threatened a 40% tariff on Greek olive oil."),
    story("c2", "2026-07-01", "Turkey acts", "Turkey imposed a 40% tariff on Greek olive oil on July 1."),
    story("d1", "2026-04-20", "Steel duty", "Brazil raised its tariff on imported steel to 25% from 10%."),
    story("e1", "2026-08-03", "Rubber pause", "Thailand paused its 18% tariff on Laotian rubber until September 30."),
]


@pytest.fixture
def news(library: Library) -> Library:
    library.ingest_articles(STORIES)
    return library


def line(b, by: str, on: str, goods: str):
    found = [x for x in b.lines if (x.by, x.on, x.goods) == (by, on, goods)]
    assert len(found) == 1, [(x.by, x.on, x.goods, x.now.rate, x.status) for x in b.lines]
    return found[0]


def test_a_line_moves_through_its_reports_and_cites_each(news):
    b = board(news, as_of=datetime(2026, 11, 1, tzinfo=UTC))
    wine = line(b, "Chile", "Argentina", "wine")
    assert [(s.rate, s.status, s.reported.isoformat()) for s in wine.steps] == [
        ("6%", "in effect", "2026-02-02"),  # announced for March 1, then reported in effect: one step
        ("9%", "in effect", "2026-05-10"),
    ]
    assert wine.now.replaced == "6%" and wine.status == "in effect"
    cited = [b.citations[n - 1] for n in wine.steps[0].citations]
    assert [c.article_id for c in cited] == ["a1", "a2"]
    assert cited[1].quote == "A 6% Chilean duty on Argentine wine took effect on March 1."
    assert "Chile → Argentina · wine: 9%, in effect (reported May 10, 2026) (was 6%)" in render.board_text(b)


def test_as_of_a_day_the_board_is_what_the_news_said_then(news):
    before = board(news, as_of=datetime(2026, 2, 20, tzinfo=UTC))
    wine = line(before, "Chile", "Argentina", "wine")
    assert (wine.now.rate, wine.status, wine.when()) == ("6%", "announced", "announced, from March 1, 2026")
    assert not [x for x in before.lines if x.by == "Peru"]  # reported in June
    on_the_day = line(board(news, as_of=datetime(2026, 3, 2, tzinfo=UTC)), "Chile", "Argentina", "wine")
    assert (on_the_day.status, on_the_day.when()) == ("in effect", "in effect since March 1, 2026")


def test_two_outlets_that_disagree_show_both_figures(news):
    apples = line(board(news, as_of=datetime(2026, 7, 1, tzinfo=UTC)), "Peru", "Chile", "apples")
    assert apples.now.rate == "12%" and [r for r, _ in apples.now.differ] == ["15%"]
    assert "reports differ: 15%" in render.board_line(apples)


def test_a_threat_is_never_in_force_and_gives_way_to_what_was_done(news):
    april = board(news, as_of=datetime(2026, 5, 1, tzinfo=UTC))
    oil = line(april, "Turkey", "Greece", "olive oil")
    assert oil.status == "threatened" and oil.key.endswith("|threat")
    assert board(news, status="in effect", as_of=datetime(2026, 5, 1, tzinfo=UTC)).lines == [
        x for x in april.lines if x.status == "in effect"
    ]
    july = board(news, by="Turkey", as_of=datetime(2026, 7, 2, tzinfo=UTC))
    assert [(x.now.rate, x.status) for x in july.lines] == [("40%", "in effect")]


def test_paused_until_a_day_and_that_day_passing(news):
    rubber = line(board(news, as_of=datetime(2026, 9, 1, tzinfo=UTC)), "Thailand", "Laos", "rubber")
    assert rubber.when() == "paused until September 30, 2026"
    later = line(board(news, as_of=datetime(2026, 10, 5, tzinfo=UTC)), "Thailand", "Laos", "rubber")
    assert later.when().endswith("(that day has passed; no later report)")


def test_filters(news):
    when = datetime(2026, 11, 1, tzinfo=UTC)
    assert {x.by for x in board(news, by="Chilean", as_of=when).lines} == {"Chile"}
    assert {x.by for x in board(news, by="chile", as_of=when).lines} == {"Chile"}  # as a user types it
    # on Chile: Peru's apples, and the lines on every country's goods (Brazil's steel)
    on_chile = board(news, on="Chile", as_of=when)
    assert {(x.by, x.goods) for x in on_chile.lines} == {("Peru", "apples"), ("Brazil", "steel")}
    assert [x.goods for x in board(news, product="Steel", as_of=when).lines] == ["steel"]
    with pytest.raises(TradewireError, match="names no country"):
        board(news, on="Atlantis")
    with pytest.raises(TradewireError, match="unknown status"):
        board(news, status="rumoured")


def test_the_json_has_every_line_with_its_history_and_what_was_read(news):
    data = json.loads(render.board_json(board(news, by="Chile", as_of=datetime(2026, 11, 1, tzinfo=UTC))))
    (wine,) = data["lines"]
    assert (wine["charged_by"], wine["charged_on"], wine["goods"], wine["rate"], wine["replaced"]) == (
        "Chile",
        "Argentina",
        "wine",
        "9%",
        "6%",
    )
    assert [h["rate"] for h in wine["history"]] == ["6%", "9%"]
    assert {c["n"] for c in data["citations"]} == {n for h in wine["history"] for n in h["citations"]}
    assert data["read"]["passages"] == len(STORIES) and data["read"]["sentences"] >= len(STORIES)


def test_facts_are_read_once_and_follow_their_articles(news):
    assert read_news(news) == len(STORIES)  # each story one passage, read once
    board(news)
    assert read_news(news) == 0  # nothing new
    facts = news.store.db.execute("SELECT count(*) FROM tariff_facts WHERE article_id = 'a3'").fetchone()[0]
    assert facts == 1
    # the article changes: its old facts go with its old passages, the new ones are read
    text = "Chile raised its duty on Argentine wine to 11% from 6%."
    news.ingest_articles([story("a3", "2026-05-10", "Chile raises wine duty", text)])
    wine = line(board(news, as_of=datetime(2026, 11, 1, tzinfo=UTC)), "Chile", "Argentina", "wine")
    assert wine.now.rate == "11%"
    rates = [r[0] for r in news.store.db.execute("SELECT rate FROM tariff_facts WHERE article_id = 'a3'")]
    assert rates == ["11%"]


def test_facts_read_by_other_rules_are_read_again(news):
    board(news)
    with news.store.transaction():
        news.store.set_meta("tariffs_version", "0")
        news.store.db.execute("UPDATE tariff_facts SET rate = '99%'")
    assert read_news(news) == len(news.store.passage_ids())
    assert "99%" not in {r[0] for r in news.store.db.execute("SELECT rate FROM tariff_facts")}
    assert news.store.get_meta("tariffs_version") == str(VERSION)


# --- the command line and its picture ----------------------------------------------------------------------------
@pytest.fixture
def board_home(tmp_path, monkeypatch):
    """A home with STORIES (SQLite, the fake encoder), which `tradewire` opens with the fake encoder too."""
    from bot.settings import Settings
    from tests.conftest import FakeEncoder

    home = tmp_path / "home"
    with Library.open(home, encoder=FakeEncoder()) as lib:
        lib.ingest_articles(STORIES)

    def open_library(self, home=None, *, writing=False):
        return Library.open(home or self.home, encoder=FakeEncoder(), writing=writing)

    monkeypatch.setattr(Settings, "open_library", open_library)
    return home


def test_the_cli_prints_the_board_its_json_and_draws_each_line(board_home, tmp_path, monkeypatch):
    import numpy as np
    from click.testing import CliRunner
    from matplotlib.image import imread

    from bot.cli import app

    args = ["tariffs", "--home", str(board_home), "--as-of", "2026-11-01"]
    text = CliRunner().invoke(app, [*args, "--by", "Chile"])
    assert text.exit_code == 0, text.output
    assert text.stdout.splitlines()[2] == "Chile → Argentina · wine: 9%, in effect (reported May 10, 2026) (was 6%) [1]"
    data = json.loads(CliRunner().invoke(app, [*args, "--json", "--status", "threatened"]).stdout)
    assert data["lines"] == []  # the threat was carried out in July
    picture = tmp_path / "wine.png"
    drawn = CliRunner().invoke(app, [*args, "--by", "Chile", "--png", str(picture)])
    assert drawn.exit_code == 0, drawn.output
    pixels = imread(picture)
    assert pixels.shape[:2] == (500, 1000)
    blue = np.abs(pixels[:, :, :3] - np.array([0x09, 0x69, 0xDA]) / 255).max(axis=2) < 0.1
    columns = np.flatnonzero(blue.any(axis=0))
    rows = np.flatnonzero(blue.any(axis=1))
    assert columns.max() - columns.min() > 500  # the line runs from March to November
    assert rows.max() - rows.min() > 40  # and steps up from 6% to 9%
    monkeypatch.setattr("bot.charts.MAX_SERIES", 3)  # five lines as of November
    too_many = CliRunner().invoke(app, [*args, "--png", str(tmp_path / "all.png")])
    assert "too many for one picture (at most 3)" in str(too_many.exception)  # main() prints it as one error line
    assert not (tmp_path / "all.png").exists()
    unknown = CliRunner().invoke(app, [*args, "--status", "rumoured"])
    assert unknown.exit_code == 2


def test_the_chart_of_a_line_steps_through_its_history():
    from bot.charts import board_series

    wine = _wine_line()
    (series,) = board_series([wine])
    assert [(p.day.isoformat(), p.value, p.label) for p in series.points] == [
        ("2026-03-01", 6.0, "6%"),
        ("2026-05-10", 9.0, "9%"),
    ]
    assert series.name == "Chile → Argentina · wine"
    # numbered as a Discord reply numbers them: the 9% report is its [1]; the 6% reports have no number there
    (renumbered,) = board_series([wine], {3: 1})
    assert [p.citations for p in renumbered.points] == [(), (1,)]


def _wine_line():
    from datetime import date

    from answering.board import Line, Step

    steps = [
        Step(date(2026, 2, 2), "6%", "in effect", date(2026, 3, 1), [1, 2]),
        Step(date(2026, 5, 10), "9%", "in effect", None, [3], replaced="6%"),
    ]
    return Line("Chile", "Argentina", "wine", "", steps, date(2026, 11, 1))


def test_a_read_only_home_reads_its_unread_passages_in_memory_and_writes_nothing(tmp_path):
    from embeddings.store.sqlite import SQLiteStore
    from tests.conftest import FakeEncoder

    home = tmp_path / "home"
    with Library.open(home, encoder=FakeEncoder()) as lib:
        lib.ingest_articles(STORIES)  # no board yet: nothing read for it
    shared = Library(home, FakeEncoder(), SQLiteStore(home, read_only=True))
    try:
        wine = line(board(shared, as_of=datetime(2026, 11, 1, tzinfo=UTC)), "Chile", "Argentina", "wine")
        assert wine.now.rate == "9%" and wine.now.replaced == "6%"
        assert shared.store.db.execute("SELECT count(*) FROM tariff_passages").fetchone()[0] == 0
    finally:
        shared.store.close()
