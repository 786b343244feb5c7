"""Benchmarks write their tables into docs/benchmarks.md between `<!-- NAME:start -->` and `<!-- NAME:end -->`."""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def write_block(name: str, heading: str, body: str, doc: Path = DOC) -> None:
    """Replace the block `name` in `doc` with `body`; append it under `heading` when the doc has none yet."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n\n"
    block = f"{start}\n{body.strip()}\n{end}"
    if start in text:
        text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + f"\n\n## {heading}\n\n{block}\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text, encoding="utf-8")


def publish(name: str, heading: str, body: str, write: bool) -> None:
    """Print a benchmark's report, and with `write` (its --write) put it in docs/benchmarks.md as block `name`."""
    print(body, flush=True)
    if write:
        write_block(name, heading, body)


def weights_table(names, values, digits: int) -> list[str]:
    """A fitted model's weights as a one-row Markdown table: a column for each name."""
    return [
        "| " + " | ".join(names) + " |",
        "|" + "---:|" * len(names),
        "| " + " | ".join(f"{v:.{digits}f}" for v in values) + " |",
    ]


def reproduce(module: str, argv: list[str] | None) -> str:
    """The command line that reruns a benchmark with the arguments it was given."""
    args = [a for a in (sys.argv[1:] if argv is None else argv) if a]
    # A folder of this machine's says nothing to a reader: the --workdir given is shown as WORKDIR.
    args = ["WORKDIR" if i and args[i - 1] == "--workdir" else a for i, a in enumerate(args)]
    args = ["--workdir=WORKDIR" if a.startswith("--workdir=") else a for a in args]
    return shlex.join(["python", "-m", module, *args])
