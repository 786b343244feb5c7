"""tradewire ingest | ask | timeline | tariffs | latest | brief | stats | watch | demo | serve — each command
resolves its inputs, calls the library, and prints.

Click parses the command line: a usage mistake prints click's usage hint and one `Error:` line and exits 2; an
error the user can fix at run time (a missing file, a read-only home, the wrong model for an index) prints one
`error:` line and exits 1. Everything heavy (the knowledge base, the reader, discord.py) is imported inside the
command that needs it, so `--help` and usage errors answer at once.

One module on purpose, though over 450 lines: every command's options, help and output contract in one place
(what `--help` and the README promise), each command a few lines over the library; split by command, the shared
options and the error contract would be repeated in each."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import click

if TYPE_CHECKING:
    from datetime import datetime

    from bot.settings import Settings
    from embeddings import Library

log = logging.getLogger("tradewire")

DEMO_DIR = Path(__file__).resolve().parent.parent / "embeddings" / "demo"
DEMO_QUESTIONS = [
    "When is Canada's election?",
    "What tariff rate did the US put on steel and aluminum imports in June?",
    "When did the 25% tariffs on imported cars take effect?",
    "Who won the 2024 World Series?",
]

home_option = click.option(
    "--home",
    type=click.Path(path_type=Path),
    help="Data directory (default: TRADEWIRE_HOME, else the user data directory).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def _settings(home: Path | None) -> Settings:
    from pydantic import ValidationError

    from bot.settings import Settings
    from embeddings import TradewireError

    try:
        settings = Settings()
    except ValidationError as exc:  # one line per setting; never the value given (it may be a secret)
        problems = [
            (f"TRADEWIRE_{str(e['loc'][0]).upper()}: " if e["loc"] else "") + e["msg"].removeprefix("Value error, ")
            for e in exc.errors()
        ]
        raise TradewireError("; ".join(problems)) from None
    if home is not None:
        settings.home = home
    return settings


def _show_steps() -> None:
    """On a terminal, slow steps (loading the model, building its int8 graph, repairing an index) show a status
    line on stderr; in pipes and files nothing extra is written."""
    from bot.terminal import StatusLine, interactive
    from embeddings import status

    status.show_with(StatusLine(sys.stderr) if interactive(sys.stderr) else None)


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, no_args_is_help=True)
@click.version_option(package_name="tradewire", prog_name="tradewire", message="%(prog)s %(version)s")
def app() -> None:
    """Trade news answers with citations."""
    _show_steps()


@app.command()
@click.argument("targets", nargs=-1, required=True)
@home_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def ingest(targets: tuple[str, ...], home: Path | None, quiet: bool) -> None:
    """Read news into the knowledge base: newswire text, Markdown, JSON Lines, RSS/Atom and web pages, from
    TARGETS (files, directories, http(s) URLs)."""
    from tqdm import tqdm

    from bot.terminal import terminal_size
    from embeddings.errors import SourceError

    settings = _settings(home)
    with settings.open_library(writing=True) as library:
        library.encoder.dim  # noqa: B018 - load it (its own status line) before the progress bar, not within it
        # URLs typed here are the operator's to choose; links found in what they bring (feed entries' pages,
        # redirects) follow the bot's private-address policy (TRADEWIRE_ALLOW_PRIVATE_FEEDS).
        fetcher = settings.fetcher()
        # A terminal that reports no size (a fresh pty, `script`, some multiplexers) gets no bar at all from tqdm
        # (0 rows hides it, 0 columns cuts it to nothing): then assume 80 x 24.
        cols, rows = terminal_size(sys.stderr)
        bar = tqdm(
            unit=" items",
            desc="ingest",
            disable=True if quiet else None,
            file=sys.stderr,
            ncols=cols or 80,
            nrows=rows or 24,
            dynamic_ncols=bool(cols),
        )

        def progress(item: object) -> None:
            bar.update(1)
            if isinstance(item, SourceError):
                bar.write(f"skipped {item.item}: {item.reason}", file=sys.stderr)
            elif getattr(item, "truncated_from", 0):
                where = f"{item.title[:60]!r} ({item.origin or item.id})"
                kept = f"kept the first {len(item.text):,} of {item.truncated_from:,} characters"
                bar.write(f"cut {where}: {kept}", file=sys.stderr)
            if getattr(item, "teaser", ""):
                where = f"{item.title[:60]!r} ({item.url or item.origin})"
                bar.write(f"summary only {where}: {item.teaser}", file=sys.stderr)

        try:
            report = library.ingest(targets, fetcher=fetcher, max_bytes=settings.max_bytes, progress=progress)
        finally:
            bar.close()
            fetcher.close()
        from answering.tariffs import read_news

        read_news(library)  # the tariff facts of what came in, so the next board call need not read them
    click.echo(report.summary())
    if report.failed:
        sys.exit(1)


@app.command("ask")
@click.argument("question", required=False)
@click.option("--as-of", metavar="DATE", help="Answer as the news stood on this date.")
@click.option("--source", help="Only articles from this source.")
@click.option("--batch", metavar="FILE", help='JSON Lines of {"question", "as_of"?}, one answer a line; - for stdin.')
@json_option
@home_option
def ask_command(
    question: str | None, as_of: str | None, source: str | None, batch: str | None, as_json: bool, home: Path | None
) -> None:
    """Answer QUESTION from the indexed news, with the sentence that supports it and citations."""
    if batch is not None and question is not None:
        raise click.UsageError("give a QUESTION or --batch FILE, not both")
    if batch is None and not (question or "").strip():
        raise click.UsageError("give a QUESTION (not blank), or --batch FILE")
    from answering import parse_when

    when = parse_when(as_of)
    stream = _open_batch(batch) if batch is not None else None
    settings = _settings(home)
    _start_warm_up()
    with settings.open_library() as library:
        if stream is not None:
            with stream:
                if _ask_batch(library, stream, source, settings):
                    sys.exit(1)
            return
        from answering import ask
        from bot import render

        result = ask(library, question or "", as_of=when, source=source, k=settings.top_k)
    click.echo(render.as_json(result) if as_json else render.text(result))


def _start_warm_up() -> None:
    """Load the reader in a thread while this one imports, opens the knowledge base and searches: its ONNX
    session's load releases the GIL, and `ask` would otherwise wait for it after the search (the cold-start
    table in docs/benchmarks.md). Not a daemon: the interpreter waits for it rather than stopping it mid-load."""
    import threading

    from answering import warm_up

    threading.Thread(target=warm_up, name="tradewire-warm-up").start()


def _open_batch(batch: str) -> BinaryIO:
    """The questions file (bytes: each line is decoded on its own, so one bad line costs only itself)."""
    from embeddings import TradewireError

    if batch == "-":
        return sys.stdin.buffer
    path = Path(batch).expanduser()
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise TradewireError(f"{batch}: no such file") from None
    except IsADirectoryError:
        raise TradewireError(f"{batch}: is a directory, not a file of questions") from None
    except OSError as exc:
        raise TradewireError(f"{batch}: cannot read ({exc.strerror or exc})") from None


# The longest line --batch reads: a question at its limit, every character escaped ("\\u00e9"), and its as_of.
MAX_BATCH_LINE_BYTES = 8192


def _bounded_lines(stream: BinaryIO) -> Iterator[bytes | None]:
    """The stream's lines, each read up to MAX_BATCH_LINE_BYTES; a longer line is None, the rest of it skipped
    a block at a time, so memory stays bounded whatever the input."""
    while line := stream.readline(MAX_BATCH_LINE_BYTES + 1):
        if len(line) <= MAX_BATCH_LINE_BYTES or line.endswith(b"\n"):
            yield line
            continue
        while (rest := stream.readline(MAX_BATCH_LINE_BYTES)) and not rest.endswith(b"\n"):
            pass
        yield None


def _batch_lines(stream: BinaryIO) -> Iterator[tuple[int, str | None, str | None]]:
    """(line number, text, error) for each non-blank line (decoded as JSON Lines files are, one by one); a line
    too long to hold a question is that line's error, never read whole."""
    from embeddings.sources.common import decoded_lines

    lines = _bounded_lines(stream)
    long_lines: set[int] = set()

    def numbered() -> Iterator[bytes]:
        for number, line in enumerate(lines, 1):
            if line is None:
                long_lines.add(number)
                yield b"\n"
            else:
                yield line

    for number, line, error in decoded_lines(numbered()):
        if number in long_lines:
            yield number, None, f"the line is over {MAX_BATCH_LINE_BYTES:,} bytes: too long for a question"
        elif error or (line or "").strip():
            yield number, line, error


def _ask_batch(library: Library, stream: BinaryIO, source: str | None, settings: Settings) -> bool:
    """One JSON answer a line, in order; a bad line prints {"line", "error"}. True when any line failed."""
    from answering import ask, parse_when
    from bot import render
    from embeddings import TradewireError
    from embeddings.sources.common import not_json

    failed = False
    for number, line, error in _batch_lines(stream):
        try:
            if error:
                raise TradewireError(error)
            try:
                item = json.loads(line or "")
            except json.JSONDecodeError as exc:
                raise TradewireError(not_json(exc)) from None
            if not isinstance(item, dict) or not isinstance(item.get("question"), str) or not item["question"].strip():
                raise TradewireError('expected {"question": "...", "as_of"?: "..."}')
            if item.get("as_of") is not None and not isinstance(item["as_of"], str):
                raise TradewireError('"as_of" must be a date such as "2025-04-20"')
            result = ask(
                library,
                item["question"],
                as_of=parse_when(item.get("as_of")),
                source=source,
                k=settings.top_k,
            )
            click.echo(render.as_json(result))
        except TradewireError as exc:  # the line's JSON for scripts, and one line for whoever reads the terminal
            failed = True
            click.echo(json.dumps({"line": number, "error": str(exc)}))
            click.echo(f"line {number}: {exc}", err=True)
    return failed


@app.command()
@click.argument("question")
@click.option("--since", metavar="DATE", help="Only reports from this date on.")
@click.option(
    "--png",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also draw the steps as a step chart, a PNG picture, in FILE.",
)
@json_option
@home_option
def timeline(question: str, since: str | None, png: Path | None, as_json: bool, home: Path | None) -> None:
    """How the answer to QUESTION moved: each distinct answer the news gave, oldest first, with the day it was
    reported, its sentence and citations ("reports differ" when outlets gave two at once)."""
    if not question.strip():
        raise click.UsageError("give a QUESTION (not blank)")
    from answering import parse_since
    from answering.timeline import timeline as build
    from bot import render

    start = parse_since(since)  # from that day on
    with _settings(home).open_library() as library:
        result = build(library, question, since=start)
    click.echo(render.timeline_json(result) if as_json else render.timeline_text(result))
    if png is not None:
        _write_chart(result, png)


def _write_chart(result, path: Path) -> None:
    """The timeline's step chart in `path`; nothing is written when it has no steps (then one `error:` line)."""
    from bot.charts import step_chart, timeline_series
    from embeddings import TradewireError

    series = timeline_series(result)
    if series is None:
        raise TradewireError(f"{path}: not written: the timeline has no steps to draw (no answer in the news)")
    _save(step_chart([series], title=result.question), path)


@app.command()
@click.option("--on", "on", metavar="COUNTRY", help="Only tariffs charged on this country (and on every country's).")
@click.option("--by", "by", metavar="COUNTRY", help="Only tariffs this country charges.")
@click.option("--product", metavar="WORDS", help="Only tariffs on goods these words name (steel, electric vehicles).")
@click.option(
    "--status",
    type=click.Choice(["in effect", "announced", "paused", "threatened", "exempted", "lifted"]),
    help="Only lines with this status.",
)
@click.option("--as-of", "as_of", metavar="DATE", help="The board as the news stood at the end of this day.")
@click.option(
    "--png",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    metavar="FILE",
    help="Also draw each line's history as a step chart in FILE (a PNG; at most 6 lines: filter the board).",
)
@json_option
@home_option
def tariffs(
    on: str | None,
    by: str | None,
    product: str | None,
    status: str | None,
    as_of: str | None,
    png: Path | None,
    as_json: bool,
    home: Path | None,
) -> None:
    """The tariff board: every tariff the indexed news reports, one line per (charged by, charged on, goods),
    with its rate, status and day (in effect since, from a coming day, paused until, threatened, exempted,
    lifted), what it replaced, and the sentence of every report, cited. Only what the news states: the rate,
    who charges it, and on whom or on what."""
    from answering import parse_when
    from answering.board import board
    from bot import render

    when = parse_when(as_of)
    with _settings(home).open_library() as library:
        result = board(library, on=on, by=by, product=product, status=status, as_of=when)
    click.echo(render.board_json(result) if as_json else render.board_text(result))
    if png:
        _write_board_chart(result, png)


def _write_board_chart(result, path: Path) -> None:
    """The board's lines as step charts in `path`: nothing is written when there is none, or more than a picture
    can tell apart (then one `error:` line)."""
    from bot.charts import MAX_SERIES, board_series, step_chart
    from embeddings import TradewireError

    if not result.lines:
        raise TradewireError(f"{path}: not written: the board has no lines to draw")
    if len(result.lines) > MAX_SERIES:
        raise TradewireError(
            f"{path}: not written: {len(result.lines)} lines are too many for one picture (at most {MAX_SERIES}); "
            "narrow the board with --on, --by, --product or --status"
        )
    title = "Tariff board" + (
        " (" + ", ".join(f"{k} {v}" for k, v in result.filters.items()) + ")" if result.filters else ""
    )
    _save(step_chart(board_series(result.lines), title=title, until=result.as_of), path)


def _save(picture: bytes, path: Path) -> None:
    from embeddings import TradewireError

    try:
        path.expanduser().write_bytes(picture)
    except OSError as exc:
        raise TradewireError(f"{path}: cannot write ({exc.strerror or exc})") from None


@app.command()
@click.option("--since", default="24h", show_default=True, metavar="WHEN", help="Start: 24h, 3d, or a date.")
@click.option("--until", metavar="DATE", help="End (default: now); a date means the end of that day.")
@click.option("--topic", help="Only events with a story about this (the rule of latest --topic).")
@json_option
@home_option
def brief(since: str, until: str | None, topic: str | None, as_json: bool, home: Path | None) -> None:
    """The period's stories grouped by event, best carried first: at most eight lines, each a headline, its
    lead sentence, how many sources carry it and a link (for cron or e-mail; the bot posts it with /brief set)."""
    from datetime import UTC, datetime

    from answering import parse_when
    from answering.brief import brief as build
    from bot import render

    end = parse_when(until) if until else datetime.now(UTC)
    start = _period_start(since, end)
    with _settings(home).open_library() as library:
        result = build(library, since=start, until=end, topic=topic)
    click.echo(render.brief_json(result) if as_json else render.brief_text(result))


def _period_start(since: str, end: datetime) -> datetime:
    """ "24h", "3d" before `end`, or the start of a day ("2025-09-08")."""
    import re
    from datetime import timedelta

    from answering import parse_since

    if m := re.fullmatch(r"\s*(\d+)\s*([hd])\s*", since):
        return end - timedelta(hours=int(m[1]) * (24 if m[2] == "d" else 1))
    day = parse_since(since)
    assert day is not None
    return day


@app.command()
@click.option("-n", "n", type=click.IntRange(1, 100), default=10, show_default=True, help="How many.")
@click.option("--topic", help="Only stories about this (how it is judged: above).")
@click.option("--source", help="Only this source.")
@json_option
@home_option
def latest(n: int, topic: str | None, source: str | None, as_json: bool, home: Path | None) -> None:
    """The newest stories first: headline, source, time, link.

    With --topic, only the stories about it: those whose headline or one passage holds most of the topic's words
    (in any form: tariff, tariffs), each word weighed by how rare it is in the news, or half of them and is close
    to the topic in meaning, or is very close in meaning without them. A word most trade news shares weighs
    little: "steel tariffs" needs steel."""
    from bot import render
    from embeddings.search import Filters

    with _settings(home).open_library() as library:
        items = library.latest(n, topic=topic, filters=Filters(source=source))
    if as_json:
        click.echo(render.latest_json(items))
    else:
        click.echo(render.latest_text(items) if items else render.no_stories(topic, source))


@app.command()
@json_option
@home_option
def stats(as_json: bool, home: Path | None) -> None:
    """What the knowledge base holds."""
    with _settings(home).open_library() as library:
        library.index  # noqa: B018 - loading reconciles and counts the vectors
        info = library.stats()
    if as_json:
        click.echo(json.dumps(info, indent=2))
    else:
        width = max(map(len, info))
        click.echo("\n".join(f"{key:<{width}}  {'—' if value is None else value}" for key, value in info.items()))


@app.group()
def watch() -> None:
    """Standing questions: asked again when new articles could change their answer. `watch check` (for cron)
    prints what changed; the bot posts its servers' watches itself (/watch add)."""


def _watches(library: Library, settings: Settings):
    from answering.watch import Watches

    return Watches(library, k=settings.top_k)


def _print_updates(watches, updates, as_json: bool) -> None:
    from bot import render

    rows = []
    for update in updates:
        if as_json:
            rows.append(
                {
                    "watch": update.watch.id,
                    "question": update.watch.question,
                    "answer": update.answer,
                    "was": update.previous,
                }
            )
        else:
            text = render.update_text(update.watch.question, update.answer, update.previous)
            click.echo(f"watch {update.watch.id}: {text}")
        watches.delivered(update)  # printed: done
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))


@watch.command("add")
@click.argument("question")
@json_option
@home_option
def watch_add(question: str, as_json: bool, home: Path | None) -> None:
    """Watch QUESTION: answer it now, and again whenever `watch check` finds news that changes the answer."""
    if not question.strip():
        raise click.UsageError("give a QUESTION (not blank)")
    settings = _settings(home)
    with settings.open_library(writing=True) as library:
        watches = _watches(library, settings)
        created, first = watches.add(question)
        if first is None and not as_json:
            click.echo(f"watch {created.id}: no answer in the indexed news yet")
        _print_updates(watches, [first] if first else [], as_json)


@watch.command("list")
@json_option
@home_option
def watch_list(as_json: bool, home: Path | None) -> None:
    """Every standing question: where it is posted, its current answer, when that last changed."""
    settings = _settings(home)
    with settings.open_library() as library:
        listed = _watches(library, settings).list()
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "watch": w.id,
                        "question": w.question,
                        "where": f"discord {w.guild}/{w.channel}" if w.guild else "cli",
                        "answer": w.answer,
                        "changed_at": w.changed_at.isoformat() if w.changed_at else None,
                    }
                    for w in listed
                ],
                ensure_ascii=False,
            )
        )
        return
    from bot.render import answer_text

    for w in listed:
        now = answer_text(w.answer) if w.answer else "no answer yet"  # with a change announced, if any
        when = f", since {w.changed_at:%b} {w.changed_at.day}, {w.changed_at:%Y %H:%M} UTC" if w.changed_at else ""
        where = f"discord channel {w.channel}" if w.guild else "cli"
        click.echo(f"{w.id}. {w.question}\n   {now}{when} ({where})")
    if not listed:
        click.echo("No standing questions: add one with `tradewire watch add QUESTION`.")


@watch.command("remove")
@click.argument("watch_id", metavar="ID", type=int)
@home_option
def watch_remove(watch_id: int, home: Path | None) -> None:
    """Stop watching question ID (see `watch list`)."""
    from embeddings import TradewireError

    settings = _settings(home)
    with settings.open_library(writing=True) as library:
        if not _watches(library, settings).remove(watch_id):
            raise TradewireError(f"no standing question {watch_id} (see `tradewire watch list`)")
    click.echo(f"removed watch {watch_id}")


@watch.command("check")
@json_option
@home_option
def watch_check(as_json: bool, home: Path | None) -> None:
    """Ask the command line's watches again where new articles could change them; print what changed."""
    settings = _settings(home)
    with settings.open_library(writing=True) as library:
        watches = _watches(library, settings)
        watches.check(guild="")
        _print_updates(watches, watches.pending(guild=""), as_json)


@app.command()
@home_option
def serve(home: Path | None) -> None:
    """Run the Discord bot (DISCORD_TOKEN; see the README for creating the Discord application)."""
    from bot import discord_bot

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is noise, not news
    discord_bot.run(_settings(home))


@app.command()
@click.argument("question", required=False)
@home_option
def demo(question: str | None, home: Path | None) -> None:
    """Build the bundled demo news index (in HOME/demo) and answer sample questions (or QUESTION) from it."""
    from answering import ask
    from bot import render
    from embeddings import status

    settings = _settings(home)
    with settings.open_library(settings.home / "demo", writing=True) as library:
        with status.step("building the demo index"):
            report = library.ingest([str(DEMO_DIR)])
        click.echo(f"demo index at {library.home}: {report.summary()}")
        for q in [question] if question else DEMO_QUESTIONS:
            click.echo(f"\n$ tradewire ask {json.dumps(q)}\n")
            click.echo(render.text(ask(library, q, k=settings.top_k)))


def main() -> None:
    from embeddings.errors import TradewireError

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app.main(prog_name="tradewire")  # standalone: usage errors print usage + one line and exit 2
    except TradewireError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("aborted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
