"""Step charts (bot/charts.py), read back from the picture: its size, each step's dot and line where the axes put
that day and value, the labels, the y axis's unit or categories; a timeline's steps as a series (`before`,
`effective`, reports that differ); `tradewire timeline --png`; and matplotlib left unloaded until a picture is
asked for."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date

import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib.image import imread

from answering.result import Citation
from answering.timeline import Step, Timeline
from bot import charts
from bot.charts import Point, Series, step_chart, timeline_series
from embeddings import Library
from tests.conftest import ROOT, FakeEncoder, stories_library

MAGENTA = (1.0, 0.0, 1.0)  # a line colour nothing else in a chart has
NO_STEPS = "not written: the timeline has no steps to draw (no answer in the news)"
WIDGETS = "What is the tariff on imported widgets?"  # tests/watch_stories: 25%, cut to 15%, raised to 40%
THREE = Series(
    "widgets",
    (
        Point(date(2025, 7, 7), 25.0, "25%", (1,)),
        Point(date(2025, 8, 1), 15.0, "15%", (2, 3)),
        Point(date(2025, 9, 2), 40.0, "40%", (4,)),
    ),
)


class Picture:
    """A chart drawn as step_chart draws it, decoded, with each point's pixel (column, row from the top)."""

    def __init__(self, series, **kwargs):
        fig, self.ax, self.where = charts._figure(series, colours=["#ff00ff", "#00ffff"], **kwargs)
        self.png = charts._png(fig)
        self.pixels = imread(io.BytesIO(self.png))[:, :, :3]
        self.height = self.pixels.shape[0]

    def at(self, point: Point) -> tuple[int, int]:
        return self.pixel(*self.where[point])

    def pixel(self, x: float, y: float) -> tuple[int, int]:
        px, py = self.ax.transData.transform((x, y))
        return round(px), round(self.height - py)

    def day_column(self, day: date) -> int:
        from matplotlib import dates

        return self.pixel(dates.date2num(day), 0)[0]

    def coloured(self, column: int, row: int, reach: int = 3, colour=MAGENTA) -> bool:
        """Whether any pixel within `reach` of (column, row) is `colour`."""
        box = self.pixels[max(row - reach, 0) : row + reach + 1, max(column - reach, 0) : column + reach + 1]
        return bool((np.abs(box - np.array(colour)).max(axis=2) < 0.1).any())

    def texts(self) -> list[str]:
        return [t.get_text() for t in self.ax.texts]


def test_a_chart_is_a_1000_by_500_png_and_the_same_as_step_chart_draws():
    png = step_chart([THREE], title=WIDGETS, until=date(2025, 10, 1))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert imread(io.BytesIO(png)).shape[:2] == (500, 1000)
    picture = Picture([THREE], title=WIDGETS, until=date(2025, 10, 1))
    assert picture.pixels.shape[:2] == (500, 1000)
    assert picture.ax.get_title(loc="left") == WIDGETS


def test_each_step_is_drawn_from_its_day_at_its_height_and_held_until_the_next():
    picture = Picture([THREE], title=WIDGETS, until=date(2025, 10, 1))
    points = THREE.points
    spots = [picture.at(p) for p in points]
    rows = [row for _, row in spots]
    assert rows[2] < rows[0] < rows[1]  # 40% above 25% above 15%, each its own height
    assert min(abs(a - b) for a, b in [(rows[0], rows[1]), (rows[0], rows[2]), (rows[1], rows[2])]) > 20
    for (column, row), p in zip(spots, points, strict=True):
        assert column == picture.day_column(p.day)  # the dot is on its start day's column
        assert picture.coloured(column, row), p.label
    ends = [*(p.day for p in points[1:]), date(2025, 10, 1)]
    for (column, row), end in zip(spots, ends, strict=True):
        middle = (column + picture.day_column(end)) // 2
        assert picture.coloured(middle, row, reach=2)  # held flat until the next step ("post", not "pre")
        others = {r for _, r in spots} - {row}
        assert not any(picture.coloured(middle, r, reach=2) for r in others)
    last_column, last_row = spots[-1]
    until = picture.day_column(date(2025, 10, 1))
    assert picture.coloured(until - 3, last_row, reach=1)  # the last step runs to `until` …
    assert not picture.coloured(until + 8, last_row, reach=2)  # … and no further
    assert picture.coloured(last_column, (rows[1] + rows[2]) // 2, reach=2)  # the rise from 15% to 40% …
    assert not picture.coloured(spots[0][0], rows[0] + 30, reach=2)  # … and none before the first step


def test_the_labels_carry_the_citations_and_the_y_axis_the_unit():
    picture = Picture([THREE], title=WIDGETS, until=date(2025, 10, 1))
    assert picture.texts() == ["25% [1]", "15% [2,3]", "40% [4]"]
    ticks = [t.get_text() for t in picture.ax.get_yticklabels() if t.get_text()]
    assert ticks and all(t.endswith("%") for t in ticks) and "0%" in ticks
    assert picture.ax.get_legend() is None  # one series: no legend
    money = Series("fee", (Point(date(2025, 5, 1), 75.0, "$75 a tonne", (1,)),))
    ticks = [t.get_text() for t in Picture([money], title="fee").ax.get_yticklabels() if t.get_text()]
    assert ticks and all(t.startswith("$") and t.endswith(" a tonne") for t in ticks)
    mixed = Series("x", (Point(date(2025, 5, 1), 75.0, "$75 a tonne", ()), Point(date(2025, 6, 1), 8.0, "8%", ())))
    assert [t.get_text() for t in Picture([mixed], title="x").ax.get_yticklabels() if t.get_text()][-1][-1].isdigit()


def test_categories_are_listed_in_the_order_they_appear_each_at_its_own_height():
    steps = Series(
        "status",
        (
            Point(date(2025, 3, 1), "proposed", "proposed", (1,)),
            Point(date(2025, 4, 1), "in force", "in force", (2,)),
            Point(date(2025, 5, 1), "suspended", "suspended", (3,)),
            Point(date(2025, 6, 1), "in force", "in force", (4,)),
        ),
    )
    picture = Picture([steps], title="status", until=date(2025, 7, 1))
    assert [t.get_text() for t in picture.ax.get_yticklabels()] == ["proposed", "in force", "suspended"]
    spots = [picture.at(p) for p in steps.points]
    assert len({row for _, row in spots}) == 3 and spots[1][1] == spots[3][1]
    for column, row in spots:
        assert picture.coloured(column, row)


def test_a_single_step_is_a_line_to_until_and_two_series_get_a_legend():
    one = Series("pianos", (Point(date(2025, 5, 5), 12.0, "12%", (1,)),))
    picture = Picture([one], title="pianos", until=date(2025, 6, 5))
    column, row = picture.at(one.points[0])
    assert picture.coloured(column, row)
    assert picture.coloured((column + picture.day_column(date(2025, 6, 5))) // 2, row, reach=2)
    assert picture.texts() == ["12% [1]"]
    both = Picture([THREE, one], title="two", until=date(2025, 10, 1))
    assert [t.get_text() for t in both.ax.get_legend().get_texts()] == ["widgets", "pianos"]
    cyan = (0.0, 1.0, 1.0)
    assert both.coloured(*both.at(one.points[0]), colour=cyan) and not both.coloured(*both.at(one.points[0]))
    same_day = Picture([one], title="today", until=date(2025, 5, 5))  # a step reported on the last day
    assert same_day.coloured(*same_day.at(one.points[0]))
    with pytest.raises(ValueError):
        step_chart([Series("empty", ())], title="nothing")


def citation(n: int, published: str) -> Citation:
    return Citation(n, f"a{n}", f"story {n}", "Wire", published, f"https://news.example.test/{n}", "…")


def test_a_timeline_with_before_effective_and_differing_steps():
    """Canada's gadgets: 35% known only from the Nov 20 report that cut it to 20% effective Dec 1; a port fee two
    outlets gave differently on the same days."""
    gadgets = Timeline(
        "What is Canada's tariff on imported gadgets?",
        [Step("35%", "2025-11-20", [1], before=True), Step("20%", "2025-11-20", [1], effective="2025-12-01")],
        [citation(1, "2025-11-20T09:00:00+00:00")],
    )
    series = timeline_series(gadgets)
    assert series is not None and series.name == gadgets.question
    before, cut = series.points
    assert (before.day, before.value, before.note) == (date(2025, 10, 21), 35.0, "held before Nov 20, 2025")
    assert (cut.day, cut.value, cut.note) == (date(2025, 12, 1), 20.0, "reported Nov 20, 2025")
    picture = Picture([series], title=gadgets.question, until=date(2025, 12, 31))
    assert picture.texts() == ["35% [1] (held before Nov 20, 2025)", "20% [1] (reported Nov 20, 2025)"]
    for p in series.points:
        assert picture.coloured(*picture.at(p))
    held = (picture.at(before)[0] + picture.at(cut)[0]) // 2
    assert picture.coloured(held, picture.at(before)[1], reach=2)  # 35% stood until the day the cut took effect

    fee = Timeline(
        "What is the port fee on foreign-built ships?",
        [Step("$50 a ton", "2025-05-01", [1], differ=[("$80 a ton", [2])])],
        [citation(1, "2025-05-01T08:00:00+00:00"), citation(2, "2025-05-02T08:00:00+00:00")],
    )
    (step,) = timeline_series(fee).points
    (other,) = step.differ
    assert (step.value, other.value, other.day, other.citations) == (50.0, 80.0, date(2025, 5, 2), (2,))
    picture = Picture([timeline_series(fee)], title=fee.question, until=date(2025, 6, 1))
    assert picture.texts() == ["$50 a ton [1]", "reports differ: $80 a ton [2]"]
    column, row = picture.at(other)
    assert row < picture.at(step)[1] - 20  # marked at its own height, not hidden: an open ring around its spot
    assert picture.coloured(column - 4, row, reach=1) and picture.coloured(column + 4, row, reach=1)
    assert not picture.coloured(column, row, reach=1)

    assert timeline_series(Timeline("Who won?", [], [], abstained=True, note="no passage")) is None
    dates = Timeline("When?", [Step("April 28, 2025", "2025-03-23", [1]), Step("May 5, 2025", "2025-04-01", [2])], [])
    assert [p.value for p in timeline_series(dates).points] == ["April 28, 2025", "May 5, 2025"]  # categories
    mixed = Timeline("Fee?", [Step("25%", "2025-03-23", [1]), Step("$80 a ton", "2025-04-01", [2])], [])
    assert [p.value for p in timeline_series(mixed).points] == ["25%", "$80 a ton"]  # no common unit: categories
    words = Timeline("Rate?", [Step("25%", "2025-03-23", [1]), Step("15 percent", "2025-04-01", [2])], [])
    assert [p.value for p in timeline_series(words).points] == [25.0, 15.0]


# --- the command line ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def widgets_home(tmp_path_factory):
    """tests/watch_stories indexed with the fake encoder; `tradewire` opens it with the fake encoder too."""
    for library in stories_library(tmp_path_factory, ROOT / "tests" / "watch_stories", "charts"):
        yield library.home


@pytest.fixture
def fake_model(monkeypatch):
    from bot.settings import Settings

    def open_library(self, home=None, *, writing=False):
        return Library.open(home or self.home, encoder=FakeEncoder(), writing=writing)

    monkeypatch.setattr(Settings, "open_library", open_library)


def test_timeline_png_writes_the_chart(widgets_home, fake_model, tmp_path):
    from bot.cli import app

    out = tmp_path / "widgets.png"
    result = CliRunner().invoke(app, ["timeline", WIDGETS, "--png", str(out), "--home", str(widgets_home)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Jul 7, 2025  25% [1]  →  Aug 1, 2025  15% [2][3]  →  Sep 2, 2025  40% [4]\n")
    picture = imread(out)
    assert picture.shape[:2] == (500, 1000)
    blue = np.abs(picture[:, :, :3] - np.array([0x09, 0x69, 0xDA]) / 255).max(axis=2) < 0.1
    assert blue.sum() > 1000  # the step line, in the first series' colour


def test_timeline_png_without_steps_is_one_error_line_and_no_file(
    widgets_home, fake_model, tmp_path, monkeypatch, capsys
):
    from bot.cli import app, main

    out = tmp_path / "nothing.png"
    monkeypatch.setattr(sys, "argv", ["tradewire", "timeline", "Who won Kenya's election?", "--png", str(out)])
    monkeypatch.setenv("TRADEWIRE_HOME", str(widgets_home))
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == 1
    said = capsys.readouterr()
    assert said.out.startswith("No answer in the indexed news.")
    assert said.err.splitlines() == [f"error: {out}: {NO_STEPS}"]
    assert not out.exists()
    folder = CliRunner().invoke(app, ["timeline", WIDGETS, "--png", str(tmp_path)])  # a usage mistake: exit 2
    assert folder.exit_code == 2 and "is a directory" in folder.stderr


def test_ask_and_importing_the_bot_never_load_matplotlib_and_a_picture_does(widgets_home, tmp_path):
    """In a fresh interpreter: importing bot.charts, bot.cli and the /timeline command, then `tradewire ask`,
    leave matplotlib unloaded; `timeline --png` loads it (so the probe sees it when it is there)."""
    code = f"""
import sys
from click.testing import CliRunner
from bot.settings import Settings
from embeddings import Library
from tests.conftest import FakeEncoder
Settings.open_library = lambda self, home=None, *, writing=False: Library.open(
    home or self.home, encoder=FakeEncoder(), writing=writing)
import bot.charts, bot.cli, bot.commands.timeline
print("matplotlib" in sys.modules)
home = {str(widgets_home)!r}
result = CliRunner().invoke(bot.cli.app, ["ask", {WIDGETS!r}, "--home", home])
assert result.exit_code == 0 and result.stdout.startswith("40%"), result.output
print("matplotlib" in sys.modules)
png = {str(tmp_path / "w.png")!r}
result = CliRunner().invoke(bot.cli.app, ["timeline", {WIDGETS!r}, "--home", home, "--png", png])
assert result.exit_code == 0, result.output
print("matplotlib" in sys.modules)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["False", "False", "True"]
