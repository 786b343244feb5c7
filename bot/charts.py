"""Step charts: a PNG picture of how a value moved over time — one step line per series, each step's start marked
with a dot and its label and citation numbers ("25% [1,2]"), on a dated x axis; figures on a y axis with their
unit ("%"), or, for answers that are not figures, the categories on the y axis in the order they appear.

General on purpose: a Series is any history of values (a timeline's answers, a tariff line's rates), a Point one
value from the day it began. `timeline_series` makes one of answering.timeline's steps.

matplotlib is imported inside the functions that draw, never at the top: `import bot.charts` (and `tradewire ask`,
and the bot until someone asks for a picture) does not load it. Each chart is its own matplotlib.figure.Figure on
an Agg canvas, not pyplot, so nothing is kept or shared between calls; no rcParams are changed.

Colours: an opaque white card with near-black text. Discord shows a picture as it is on its dark (#313338) and
light (#ffffff) themes alike: with a transparent background the text lies on the reader's theme, so dark text is
lost on the dark theme and light text on the light one; a mid-grey card is low contrast for text of either colour.
A white card with dark text reads the same on both (on the dark theme as a bright card, as a document or a
screenshot does), and the series colours are dark enough to read on white (contrast 4.8:1 or more)."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from answering.board import Line
    from answering.timeline import Timeline

SIZE = (10, 5)  # inches, at DPI: 1000 x 500 pixels
DPI = 100
BACKGROUND = "#ffffff"
INK = "#1f2328"  # text, ticks
FAINT = "#59636e"  # the axes' frame
GRID = "#d8dee4"
COLOURS = ("#0969da", "#cf222e", "#1a7f37", "#9a6700", "#8250df", "#bc4c00")  # each series in turn
LINE_WIDTH = 2.5
BEFORE_DAYS = 30  # a `before` step is drawn from this long before the report that says it held until then
TITLE_MAX = 100
CATEGORY_MAX = 28  # characters of a category shown on the y axis


@dataclass(frozen=True)
class Point:
    day: date  # when this value began (reported, or effective)
    value: float | str  # a number (25.0 for "25%") or a category (an answer that is not a figure)
    label: str  # as shown ("25%", "$75 a tonne")
    citations: tuple[int, ...]  # citation numbers to mark on the step, e.g. [1], [2,3]
    note: str = ""  # shown after the label ("reported Nov 20, 2025", "held before Nov 20, 2025")
    differ: tuple[Point, ...] = ()  # other values reported at the same time (the reports disagree): marked open


@dataclass(frozen=True)
class Series:
    name: str  # legend entry ("US on China, all goods")
    points: tuple[Point, ...]  # oldest first


def step_chart(
    series: Sequence[Series], *, title: str, until: date | None = None, colours: Sequence[str] = COLOURS
) -> bytes:
    """A PNG of `series` as step lines, each held until the next step and the last until `until` (default: today,
    or the last step's day if that is later). Raises ValueError when no series has a point."""
    return _png(_figure(series, title=title, until=until, colours=colours)[0])


def timeline_series(result: Timeline) -> Series | None:
    """The timeline's steps as one series (named after its question); None when it has no steps (it abstained).

    A step starts on the day it was first reported, or on the later day it takes effect ("reported …" noted);
    a `before` step (known only from a later report that says what it replaced) is drawn from BEFORE_DAYS before
    that report, or from halfway after the step before it if that is nearer, and says "held before …": when it
    began is not known. The answers are numbers when every one of them (those that differ included) is a single
    figure in the same unit ("25%", "15 percent"); otherwise each is a category. Answers that reports gave at the
    same time as a step (`differ`) are the step point's `differ`, dated by their first report."""
    if result.abstained or not result.steps:
        return None
    answers = [s.answer for s in result.steps] + [a for s in result.steps for a, _ in s.differ]
    figures = [figure_parts(a) for a in answers]
    numeric = all(figures) and len({(f[0], f[2]) for f in figures if f}) == 1

    def value(answer: str) -> float | str:
        f = figure_parts(answer) if numeric else None
        return f[1] if f else answer

    published = {c.n: c.published for c in result.citations}
    points: list[Point] = []
    for step in result.steps:
        reported = _day(step.reported)
        day, note = reported, ""
        if step.effective and _day(step.effective) > reported:
            day, note = _day(step.effective), f"reported {_date_text(reported)}"
        elif step.before:
            day, note = reported - timedelta(days=BEFORE_DAYS), f"held before {_date_text(reported)}"
            if points and day <= points[-1].day:
                day = points[-1].day + (reported - points[-1].day) / 2 if reported > points[-1].day else reported
        differ = tuple(
            Point(_day(published.get(ns[0]) or step.reported), value(a), a, tuple(ns)) for a, ns in step.differ
        )
        points.append(Point(day, value(step.answer), step.answer, tuple(step.citations), note, differ))
    points.sort(key=lambda p: p.day)  # a step in force from a later day may come after the next report
    return Series(result.question, tuple(points))


_FIGURE = re.compile(
    r"(?P<prefix>(?:[A-Z]{0,2}[$€£¥₹]\s?)?)(?P<sign>[-−]?)(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<suffix>\D*)"
)
_PERCENT = re.compile(r"\s*(?:%|percent|per cent)", re.I)


def figure_parts(text: str) -> tuple[str, float, str] | None:
    """(prefix, number, suffix) of a label that is one figure: "25%" → ("", 25.0, "%"), "15 percent" →
    ("", 15.0, "%"), "$75 a tonne" → ("$", 75.0, " a tonne"); None for anything else ("April 28, 2025")."""
    m = _FIGURE.fullmatch(text.strip())
    if not m:
        return None
    suffix = "%" if _PERCENT.fullmatch(m["suffix"]) else m["suffix"]
    number = float(m["number"].replace(",", ""))
    return m["prefix"], -number if m["sign"] else number, suffix


def _day(iso: str) -> date:
    return date.fromisoformat(iso[:10])


def _date_text(day: date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _mark(p: Point) -> str:
    """ "25% [1,2]", with the note after it."""
    cited = f" [{','.join(map(str, p.citations))}]" if p.citations else ""
    return f"{p.label}{cited}" + (f" ({p.note})" if p.note else "")


def _unit(points: Sequence[Point]) -> tuple[str, str]:
    """The (prefix, suffix) every label shares around its number ("", "%"), or ("", "") when they do not."""
    units = {(f[0], f[2]) if (f := figure_parts(p.label)) else None for p in points}
    return units.pop() if len(units) == 1 and None not in units else ("", "")


def _number_text(n: float) -> str:
    return f"{n:,.2f}".rstrip("0").rstrip(".")


def _figure(
    series: Sequence[Series], *, title: str, until: date | None = None, colours: Sequence[str] = COLOURS
) -> tuple[Figure, Axes, dict[Point, tuple[float, float]]]:
    """The chart, undrawn: its Figure, its Axes, and where each point is in data coordinates (x a matplotlib
    date number, y its value or its category's row), for the tests to find on the picture."""
    from matplotlib import dates as mdates
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    drawn = [s for s in series if s.points]
    if not drawn:
        raise ValueError("nothing to draw: no series has a point")
    every = [q for s in drawn for p in s.points for q in (p, *p.differ)]
    numeric = all(not isinstance(p.value, str) for p in every)
    categories: dict[str, int] = {}
    if not numeric:  # a number among categories is shown as its label
        for p in every:
            categories.setdefault(p.value if isinstance(p.value, str) else p.label, len(categories))

    def y_of(p: Point) -> float:
        if numeric:
            return float(p.value)
        return categories[p.value if isinstance(p.value, str) else p.label]

    def x_of(day: date) -> float:
        return float(mdates.date2num(datetime(day.year, day.month, day.day)))

    first = min(p.day for p in every)
    last = max(p.day for p in every)
    end = max(until or max(datetime.now(UTC).date(), last), last)
    span = max(x_of(end) - x_of(first), 1.0)
    x_low, x_high = x_of(first) - 0.04 * span, x_of(end) + 0.04 * span

    fig = Figure(figsize=SIZE, dpi=DPI, facecolor=BACKGROUND, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_facecolor(BACKGROUND)
    where: dict[Point, tuple[float, float]] = {}
    for i, s in enumerate(drawn):
        colour = colours[i % len(colours)]
        points = sorted(s.points, key=lambda p: p.day)
        xs = [x_of(p.day) for p in points] + [x_of(end)]
        ys = [y_of(p) for p in points]
        ys.append(ys[-1])
        ax.step(xs, ys, where="post", color=colour, linewidth=LINE_WIDTH, label=_clip(s.name, 60), zorder=2)
        ax.plot(xs[:-1], ys[:-1], "o", color=colour, markersize=7, zorder=5)  # over the labels' boxes
        for p, x, y in zip(points, xs, ys, strict=False):  # xs and ys hold one more: the end
            where[p] = (x, y)
            _annotate(ax, x, y, _mark(p), right=x > x_low + 0.7 * (x_high - x_low))
            for d in p.differ:  # another figure reported at the same time: an open marker, joined to the step
                dx, dy = x_of(d.day), y_of(d)
                where[d] = (dx, dy)
                ax.plot([x, dx], [y, dy], ":", color=colour, linewidth=1.2, zorder=2)
                ax.plot(
                    [dx], [dy], "o", color=colour, markerfacecolor=BACKGROUND, markeredgewidth=2, markersize=8, zorder=5
                )
                _annotate(ax, dx, dy, f"reports differ: {_mark(d)}", right=dx > x_low + 0.7 * (x_high - x_low))

    ax.set_xlim(x_low, x_high)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if numeric:
        values = [float(p.value) for p in every]
        low, high = min(values), max(values)
        if low >= 0:  # rates and prices from zero, so a step's height is its size; room above for the labels
            ax.set_ylim(0, high * 1.25 if high > 0 else 1)
        else:
            pad = (high - low) * 0.2 or 1.0
            ax.set_ylim(low - pad, high + pad)
        prefix, suffix = _unit(every)
        short = len(suffix) <= 10
        ax.yaxis.set_major_formatter(FuncFormatter(lambda n, _: f"{prefix}{_number_text(n)}{suffix if short else ''}"))
        if not short:
            ax.set_ylabel(suffix.strip(), color=INK)
    else:  # a row a category, in the order they appear; room above the top one for its label
        ax.set_yticks(range(len(categories)), [_clip(c, CATEGORY_MAX) for c in categories])
        ax.set_ylim(-0.6, len(categories) - 0.1)
    ax.grid(axis="y", color=GRID, linewidth=0.8, zorder=0)
    ax.set_title(_clip(title, TITLE_MAX), loc="left", color=INK, fontsize=13, pad=10)
    ax.tick_params(colors=INK, labelcolor=INK, labelsize=10)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(FAINT)
    if len(drawn) > 1:
        legend = ax.legend(loc="upper left", frameon=True, facecolor=BACKGROUND, edgecolor=GRID, labelcolor=INK)
        legend.set_zorder(6)
    return fig, ax, where


def _annotate(ax: Axes, x: float, y: float, text: str, *, right: bool) -> None:
    """The step's label above its dot: to the right of it, or to the left near the chart's right edge."""
    ax.annotate(
        _clip(text, 80),
        (x, y),
        xytext=(-6 if right else 6, 8),
        textcoords="offset points",
        ha="right" if right else "left",
        va="bottom",
        color=INK,
        fontsize=9,
        zorder=4,
        bbox={"boxstyle": "round,pad=0.2", "facecolor": BACKGROUND, "edgecolor": "none", "alpha": 0.8},
    )


def _png(fig: Figure) -> bytes:
    out = io.BytesIO()
    fig.canvas.print_png(out)  # draws (laying the figure out) at the figure's own dpi: SIZE x DPI pixels
    return out.getvalue()


MAX_SERIES = len(COLOURS)  # lines a picture of the tariff board can tell apart


def board_series(lines: Sequence[Line], numbers: Mapping[int, int] | None = None) -> list[Series]:
    """Each tariff line's history as a series (answering/board.py): a step from the day it took effect (or was
    reported), at its rate; a rate paused, lifted or exempted from is not charged, so its step is at zero with
    the status noted ("0% — lifted, was 25%"). A threat is a line of its own ("… (threatened)"). `numbers`: the
    citation numbers as the reader sees them (a Discord reply numbers only what its lines show); a report
    without one is drawn without a number."""

    def cited(ns) -> tuple[int, ...]:
        return tuple(ns) if numbers is None else tuple(numbers[n] for n in ns if n in numbers)

    out = []
    for line in lines:
        points = []
        for step in line.steps:
            parts = figure_parts(step.rate)
            charged = step.status in ("in effect", "announced", "threatened")
            day = step.day if step.day and step.status in ("in effect", "announced") else step.reported
            if charged or not parts:
                value: float | str = parts[1] if parts else step.rate
                label, note = step.rate, "" if step.status == "in effect" else step.status
            else:
                value, label = 0.0, f"{parts[0]}0{parts[2]}"
                note = f"{step.status}, was {step.rate}" if step.status != "paused" else f"{step.rate} paused"
            differ = tuple(
                Point(step.reported, (f[1] if (f := figure_parts(rate)) else rate), rate, cited(ns))
                for rate, ns in step.differ
            )
            points.append(Point(day, value, label, cited(step.citations), note, differ))
        first = line.steps[0]
        if first.replaced and (parts := figure_parts(first.replaced)) and points:  # "to 50% from 25%": 25% before
            before = points[0].day - timedelta(days=BEFORE_DAYS)
            points.insert(0, Point(before, parts[1], first.replaced, cited(first.citations), "held before"))
        name = f"{line.by} → {line.on or 'every country'} · {line.goods or 'all goods'}"
        if line.qualifier:
            name += f" ({line.qualifier})"
        if line.now.status == "threatened":
            name += " (threatened)"
        out.append(Series(name, tuple(sorted(points, key=lambda p: p.day))))
    return out
