"""tradewire ingest | ask | latest | stats | demo — each command resolves its inputs, calls the library,
and prints. Errors a user can fix print one line and exit 1."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from answering import ask, parse_when
from bot import render
from bot.settings import Settings
from embeddings import Library, TradewireError
from embeddings.errors import SourceError
from embeddings.search import Filters

app = typer.Typer(help="Trade news answers with citations.", no_args_is_help=True, add_completion=False)
log = logging.getLogger("tradewire")

DEMO_DIR = Path(__file__).resolve().parent.parent / "embeddings" / "demo"
DEMO_QUESTIONS = [
    "When is Canada's election?",
    "What tariff rate did the US put on steel and aluminum imports in June?",
    "When did the 25% tariffs on imported cars take effect?",
    "Who won the 2024 World Series?",
]

HomeOpt = Annotated[Path | None, typer.Option("--home", help="Data directory (default: TRADEWIRE_HOME).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _settings(home: Path | None) -> Settings:
    settings = Settings()
    if home is not None:
        settings.home = home
    return settings


@app.command()
def ingest(
    targets: Annotated[list[str], typer.Argument(help="Files, directories or http(s) URLs (pages or feeds).")],
    home: HomeOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Read news (newswire text, Markdown, JSON Lines, RSS/Atom, web pages) into the knowledge base."""
    from tqdm import tqdm

    from embeddings.sources import Fetcher

    settings = _settings(home)
    fetcher = Fetcher(timeout=settings.fetch_timeout, max_bytes=settings.max_bytes)
    bar = tqdm(unit=" items", desc="ingest", disable=True if quiet else None, file=sys.stderr, leave=False)

    def progress(item: object) -> None:
        bar.update(1)
        if isinstance(item, SourceError):
            bar.write(f"skipped {item.item}: {item.reason}", file=sys.stderr)

    with settings.open_library() as library:
        report = library.ingest(targets, fetcher=fetcher, max_bytes=settings.max_bytes, progress=progress)
    bar.close()
    fetcher.close()
    typer.echo(report.summary())
    if report.failed:
        raise typer.Exit(1)


@app.command("ask")
def ask_command(
    question: Annotated[str | None, typer.Argument(help="The question.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Answer as the news stood on this date.")] = None,
    source: Annotated[str | None, typer.Option("--source", help="Only articles from this source.")] = None,
    batch: Annotated[
        str | None, typer.Option("--batch", help='JSON Lines of {"question", "as_of"?}; - for stdin.')
    ] = None,
    as_json: JsonOpt = False,
    home: HomeOpt = None,
) -> None:
    """Answer a question from the indexed news, with the sentence that supports it and citations."""
    settings = _settings(home)
    if batch is None and not question:
        raise TradewireError("give a QUESTION, or --batch FILE")
    with settings.open_library() as library:
        if batch is not None:
            failed = _ask_batch(library, batch, source, settings)
            if failed:
                raise typer.Exit(1)
            return
        result = ask(
            library, question or "", as_of=parse_when(as_of), source=source, k=settings.top_k, reader=settings.reader
        )
    typer.echo(render.as_json(result) if as_json else render.text(result))


def _ask_batch(library: Library, batch: str, source: str | None, settings: Settings) -> bool:
    failed = False
    stream = sys.stdin if batch == "-" else open(batch, encoding="utf-8")  # noqa: SIM115
    with stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                if not isinstance(item, dict) or not isinstance(item.get("question"), str):
                    raise TradewireError('expected {"question": "...", "as_of"?: "..."}')
                result = ask(
                    library,
                    item["question"],
                    as_of=parse_when(item.get("as_of")),
                    source=source,
                    k=settings.top_k,
                    reader=settings.reader,
                )
                typer.echo(render.as_json(result))
            except (json.JSONDecodeError, TradewireError) as exc:
                failed = True
                typer.echo(json.dumps({"line": number, "error": str(exc)}))
    return failed


@app.command()
def latest(
    n: Annotated[int, typer.Option("-n", min=1, max=100, help="How many.")] = 10,
    topic: Annotated[str | None, typer.Option("--topic", help="Only stories about this.")] = None,
    source: Annotated[str | None, typer.Option("--source", help="Only this source.")] = None,
    as_json: JsonOpt = False,
    home: HomeOpt = None,
) -> None:
    """The newest stories first: headline, source, time, link."""
    with _settings(home).open_library() as library:
        items = library.latest(n, topic=topic, filters=Filters(source=source))
    typer.echo(render.latest_json(items) if as_json else render.latest_text(items))


@app.command()
def stats(home: HomeOpt = None) -> None:
    """What the knowledge base holds."""
    with _settings(home).open_library() as library:
        library.index  # noqa: B018 - loading reconciles and counts the vectors
        info = library.stats()
    typer.echo(json.dumps(info, indent=2))


@app.command()
def serve(home: HomeOpt = None) -> None:
    """Run the Discord bot (DISCORD_TOKEN; see the README for creating the Discord application)."""
    from bot import discord_bot

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is noise, not news
    discord_bot.run(_settings(home))


@app.command()
def demo(
    question: Annotated[str | None, typer.Argument(help="Ask this instead of the sample questions.")] = None,
    home: HomeOpt = None,
) -> None:
    """Build the bundled demo news index (in HOME/demo) and answer sample questions from it."""
    settings = _settings(home)
    with settings.open_library(settings.home / "demo") as library:
        report = library.ingest([str(DEMO_DIR)])
        typer.echo(f"demo index at {library.home}: {report.summary()}")
        for q in [question] if question else DEMO_QUESTIONS:
            typer.echo(f"\n$ tradewire ask {json.dumps(q)}\n")
            typer.echo(render.text(ask(library, q, k=settings.top_k, reader=settings.reader)))


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        status = app(standalone_mode=False)  # returns the exit code of a typer.Exit
    except TradewireError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("aborted", err=True)
        sys.exit(130)
    except Exception as exc:  # click usage errors and the like
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
    sys.exit(status if isinstance(status, int) else 0)


if __name__ == "__main__":
    main()
