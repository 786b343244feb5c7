"""Hostile input: what one huge item costs an ingest, in time and peak memory, and whether the item after it
still gets in. Inputs are made here (24 MB feed entry, 20 MB JSON line, 24 MB Markdown and HTML files, 2,000
small items); each is ingested by `tradewire ingest` into a new home.

    python -m bench.hostile [--write]        # a few minutes on 2 cores
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.docs import publish, reproduce
from bench.process import run_measured

TARGET_MB = 1024
PARAGRAPH = (
    "The duty on imported widgets doubled to 30% on Monday, the trade ministry said, as makers warned that "
    "prices would rise. Importers said orders placed in the spring would arrive after the change. "
) * 4
NEIGHBOUR = "Gadget duty rises to 12%"


def _body(size: int, sep: str = "\n\n") -> str:
    return sep.join([PARAGRAPH] * (size // (len(PARAGRAPH) + len(sep))))


def make_inputs(work: Path) -> dict[str, Path]:
    small = "The duty on gadgets rose to 12% on Tuesday, the ministry said."
    feed = work / "huge-entry.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Big Wire</title>'
        f"<item><title>Huge</title><link>https://big.example.test/a</link><description><![CDATA[<p>"
        f"{_body(24_000_000, '</p><p>')}</p>]]></description></item>"
        f"<item><title>{NEIGHBOUR}</title><link>https://big.example.test/b</link>"
        f"<description>{small}</description></item></channel></rss>"
    )
    line = work / "huge-line.jsonl"
    with line.open("w") as out:
        out.write(json.dumps({"id": "huge", "title": "Huge", "text": _body(20_000_000)}) + "\n")
        out.write(json.dumps({"id": "next", "title": NEIGHBOUR, "text": small}) + "\n")
    markdown = work / "huge" / "a-huge.md"
    markdown.parent.mkdir()
    markdown.write_text("# Huge\n\n" + _body(24_000_000))
    (markdown.parent / "b-next.md").write_text(f"# {NEIGHBOUR}\n\n{small}\n")
    page = work / "page" / "a-huge.html"
    page.parent.mkdir()
    html = f"<p>{_body(24_000_000, '</p><p>')}</p>"
    page.write_text(f"<html><head><title>Huge</title></head><body><article><h1>Huge</h1>{html}</article></body></html>")
    (page.parent / "b-next.md").write_text(f"# {NEIGHBOUR}\n\n{small}\n")
    many = work / "many.jsonl"
    words = PARAGRAPH.replace(",", "").replace(".", "").split() + [f"w{n}" for n in range(500)]
    pick = random.Random(5)
    with many.open("w") as out:
        for n in range(2000):
            text = " ".join(pick.choice(words) for _ in range(40)) + "."
            out.write(json.dumps({"id": f"m{n}", "title": f"Item {n}", "text": text}) + "\n")
        out.write(json.dumps({"id": "next", "title": NEIGHBOUR, "text": small}) + "\n")
    return {
        "a 24 MB feed entry, then a small one": feed,
        "a 20 MB JSON line, then a small one": line,
        "a 24 MB Markdown file, then a small one": markdown.parent,
        "a 24 MB HTML page, then a small file": page.parent,
        "2,001 small JSON Lines items": many,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.hostile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="also write the table into docs/benchmarks.md")
    args = parser.parse_args(argv)
    command = reproduce("bench.hostile", argv)
    entry = str(Path(sys.executable).parent / "tradewire")
    rows, worst = [], 0.0
    with tempfile.TemporaryDirectory(prefix="tradewire-hostile-") as temp:
        work = Path(temp)
        for label, target in make_inputs(work).items():
            home = work / f"home-{len(rows)}"
            env = {**os.environ, "TRADEWIRE_HOME": str(home)}
            print(f"-- {label}", flush=True)
            wall, peak = run_measured([entry, "ingest", "-q", str(target)], env, ok=(0, 1))
            stats = json.loads(
                subprocess.run([entry, "stats", "--json"], env=env, capture_output=True, text=True).stdout
            )
            with sqlite3.connect(f"file:{home / 'tradewire.db'}?mode=ro", uri=True) as db:
                kept = db.execute("SELECT count(*) FROM articles WHERE title = ?", (NEIGHBOUR,)).fetchone()[0] == 1
            worst = max(worst, peak)
            rows.append(
                f"| {label} | {wall:.1f} | {peak:,.0f} | {stats['passages']:,} | {'yes' if kept else '**no**'} |"
            )
            print(rows[-1], flush=True)
    body = "\n".join(
        [
            f"Reproduce with:\n\n    {command}\n",
            "Each input ingested by `tradewire ingest` into a new home (2 cores, the default int8 encoder). An "
            "item's text is cut to its first 200,000 characters (reported on stderr), and batches are committed "
            "every 32 articles or million characters.",
            "",
            "| input | wall (s) | peak RSS (MB) | passages | the next item indexed |",
            "|---|---:|---:|---:|---|",
            *rows,
            "",
            f"Target: ingest peak memory ≤ {TARGET_MB:,} MB whatever the input: "
            f"{'met' if worst <= TARGET_MB else '**not met**'} (highest {worst:,.0f} MB).",
        ]
    )
    publish("hostile", "Hostile input", body, args.write)


if __name__ == "__main__":
    main()
