"""Standing questions and disagreement: what a watch round costs, and how often `ask` shows reports that differ.

    python -m bench.watch [--write]          # the round (synthetic news, the real model): a few minutes
    python -m bench.watch --realtimeqa       # also disagreement on RealTime QA 2022-2024 (../shared), sampled

The round: 1,000 synthetic articles indexed, 100 watches made (synthetic questions about them), then 1,000
new articles ingested and one round run (`Watches.check`): its total time, how many watches the new passages
touched (those are re-asked), and p50 per re-asked watch. Also a round after 10 new articles, and one after none.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench import corpus
from bench.docs import publish, reproduce
from bench.quality import DATA, WORKDIR


def _round(watches, label: str, rows: list[str]) -> None:
    started = time.perf_counter()
    timings: list[float] = []  # each re-ask, timed around answering.watch's call of `ask`
    import answering.watch as module

    real_ask = module.ask

    def ask(*args, **kwargs):
        t = time.perf_counter()
        try:
            return real_ask(*args, **kwargs)
        finally:
            timings.append(time.perf_counter() - t)

    module.ask = ask
    try:
        watches.check()
    finally:
        module.ask = real_ask
    total = time.perf_counter() - started
    stats = watches.last_round
    p50 = f"{statistics.median(timings) * 1000:.0f}" if timings else "—"
    rows.append(
        f"| {label} | {stats.watches} | {stats.asked} | {stats.changed} | {total:.2f} | {p50} | "
        f"{(total - sum(timings)) * 1000:.0f} |"
    )
    print(rows[-1], flush=True)


def watch_round(work: Path) -> str:
    from answering.watch import Watches
    from embeddings import Library

    library = Library.open(work / "home")
    old = list(corpus.articles(1000, seed=11))
    new = list(corpus.articles(1000, seed=12))
    library.ingest_articles(old)
    watches = Watches(library)
    for question in dict.fromkeys(corpus.questions(100, seed=13)):
        watches.add(question)
    rows: list[str] = []
    _round(watches, "no new articles", rows)
    library.ingest_articles(new[:10])
    _round(watches, "10 new articles", rows)
    library.ingest_articles(new[10:])
    _round(watches, "990 more new articles", rows)
    count = len(watches.list())
    library.close()
    return "\n".join(
        [
            f"{count} watches on 1,000 synthetic articles (bench/corpus.py), the default int8 encoder and the "
            "reader, 2 cores. A round re-asks only the watches a passage added since their last check is close "
            "to (cosine ≥ 0.35, or most of the question's words).",
            "",
            "| round after | watches with new passages | re-asked | changed | round (s) | p50 per re-ask (ms) | "
            "selecting them (ms) |",
            "|---|---:|---:|---:|---:|---:|---:|",
            *rows,
        ]
    )


def realtimeqa(data: Path, workdir: Path, name: str, sample: int, seed: int) -> str:
    """How often the reader's answers on RealTime QA 2022-2024 show a disagreement, with a sample to judge.
    The corpora and questions are bench.quality's (`gold`: each question's own articles; `evidence`: every
    question's retrieved articles, 300 questions)."""
    from answering import ask, parse_when
    from bench.quality import EVALUATION_YEARS, build, evidence_corpus, gold_corpus, load_questions

    questions = load_questions(data)
    if name == "gold":
        items, asked = gold_corpus(data, questions)
        asked = [q for q in asked if q.date[:4] in EVALUATION_YEARS]
    else:
        raw = [json.loads(line) for line in (data / "questions_2020_2024.jsonl").open(encoding="utf-8")]
        items = evidence_corpus(raw)
        pool = [q for q in questions.values() if q.answer and q.date[:4] in EVALUATION_YEARS]
        asked = random.Random(seed).sample(pool, min(300, len(pool)))
    library = build(workdir, name, items, False, "int8")
    shown = []
    for q in asked:
        result = ask(library, q.text, as_of=parse_when(q.date))
        if result.disagreement:
            shown.append((q, result))
    library.close()
    out = workdir / f"{name}-disagreements.jsonl"
    with out.open("w", encoding="utf-8") as fh:
        for q, result in shown:
            fh.write(json.dumps({"question": q.text, "date": q.date, "gold": q.answer, **result.to_json()}) + "\n")
    picked = random.Random(seed).sample(shown, min(sample, len(shown)))
    lines = [
        f"Corpus `{name}`, {len(asked)} questions of 2022-2024 asked as of their dates: a disagreement shown for "
        f"{len(shown)} ({len(shown) / max(len(asked), 1):.1%}). All of them: `{out.name}` in --workdir.",
    ]
    if picked:
        lines += ["", "| question | answer given | the other answer(s) | gold |", "|---|---|---|---|"]
    for q, result in picked:
        others = "; ".join(d.answer for d in result.disagreement[1:])
        lines.append(f"| {q.text[:90]} | {result.answer} | {others} | {q.answer} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.watch", description=__doc__.split("\n\n")[0])
    parser.add_argument("--realtimeqa", action="store_true", help="also measure disagreement on RealTime QA")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--workdir", type=Path, default=WORKDIR)
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--write", action="store_true", help="write the tables into docs/benchmarks.md")
    args = parser.parse_args(argv)
    command = reproduce("bench.watch", argv)
    with tempfile.TemporaryDirectory(prefix="tradewire-watch-") as temp:
        body = watch_round(Path(temp))
    if args.realtimeqa:
        if (args.data / "questions_2020_2024.jsonl").exists():
            args.workdir.mkdir(parents=True, exist_ok=True)
            for name in ("gold", "evidence"):
                body += "\n\n" + realtimeqa(args.data, args.workdir, name, args.sample, args.seed)
        else:
            body += f"\n\nRealTime QA not found at {args.data}: no disagreement measurement."
    body = f"Reproduce with:\n\n    {command}\n\n{body}"
    publish("watch", "Standing questions and disagreement", body, args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
