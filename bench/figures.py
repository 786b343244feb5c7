"""The figure in force, on real news: dated questions of our own about a rate, a price or an amount as it stood on
the question's day (tariffs, interest rates, inflation, unemployment, growth, prices), asked of the RealTime QA
*gold* corpus (../shared/bench/realtimeqa: the 2022 gold articles and the 2022-2024 search results, many of them
years older than the question), as of each question's date.

    python -m bench.figures                  # each question's outcome (to the workdir) and the scores
    python -m bench.figures --write          # ... into docs/benchmarks.md

The questions (`figures/questions.jsonl`) were written before any tuning, from reading the corpus: each names the
answers accepted, the report that gives the figure as it stood (`article`: the first 16 hex digits of the SHA-1 of
its URL, so that no piece of the data is in the repository) and what else the corpus holds (`why`). The corpus is
for evaluation only: nothing here is trained or calibrated on it.

Each miss is told apart by kind:
  abstained     no answer, though the report is indexed
  amount        an amount of money (the goods a duty covers) for a rate
  old report    a figure from a report more than 30 days older than the one that gives the figure as it stood
  other         another figure of a report of the right time (another country of a list, another measure)
and retrieval is scored apart: how often the report that gives the answer (or a newer one that repeats it) is
among the passages `ask` reads.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.docs import publish, reproduce

HERE = Path(__file__).resolve().parent / "figures"
QUESTIONS = HERE / "questions.jsonl"
OLD_DAYS = 30  # a cited report this much older than the one that gives the figure is an old report
KINDS = ("right", "abstained", "amount", "old report", "other")


@dataclass
class Question:
    id: str
    text: str
    as_of: str
    answers: list[str]
    kind: str
    tests: list[str] = field(default_factory=list)
    article: str = ""


def questions(path: Path = QUESTIONS) -> list[Question]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            q = json.loads(line)
            out.append(Question(q["id"], q["question"], q["as_of"], q["answers"], q["kind"], q["tests"], q["article"]))
    return out


def article_key(url: str) -> str:
    return hashlib.sha1(url.encode()).hexdigest()[:16]


def outcome(q: Question, result, hits, gold_day: datetime | None) -> dict:
    """How one answer scores: right, or which kind of miss; and whether the answering report was read."""
    from answering.extract import fact_kind
    from answering.question import AnswerType
    from bench.near_miss import right
    from bench.quality import normalise

    accepted = [normalise(a) for a in q.answers]
    read = any(
        article_key(h.url) == q.article
        or (gold_day and h.published and h.published >= gold_day and any(a in normalise(h.text) for a in accepted))
        for h in hits
    )
    cited = (
        datetime.fromisoformat(result.citations[0].published)
        if result.citations and result.citations[0].published
        else None
    )
    if right(result.answer, q.answers):
        kind = "right"
    elif result.abstained:
        kind = "abstained"
    elif (
        fact_kind(result.answer or "") == AnswerType.MONEY
        and q.kind != "price"
        and fact_kind(q.answers[0]) != AnswerType.MONEY
    ):
        kind = "amount"
    elif gold_day and cited and cited < gold_day - timedelta(days=OLD_DAYS):
        kind = "old report"
    else:
        kind = "other"
    return {"id": q.id, "kind": q.kind, "tests": q.tests, "outcome": kind, "read": read, "answer": result.answer}


def score(rows: list[dict]) -> dict[str, float]:
    n = len(rows)
    counts = Counter(r["outcome"] for r in rows)
    out = {k: counts[k] / n for k in KINDS}
    out["report read"] = sum(r["read"] for r in rows) / n
    return out


def main(argv: list[str] | None = None) -> int:
    from bench.quality import DATA, WORKDIR, build, gold_corpus, load_questions

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--workdir", type=Path, default=WORKDIR)
    parser.add_argument("--precision", default="int8")
    parser.add_argument(
        "--questions", type=Path, default=QUESTIONS, help="the set: figures/questions.jsonl, or figures/heldout.jsonl"
    )
    parser.add_argument("--write", action="store_true", help="write the table into docs/benchmarks.md")
    args = parser.parse_args(argv)
    if not (args.data / "questions_2020_2024.jsonl").exists():
        print(f"RealTime QA not found at {args.data}: nothing to measure (it is read from ../shared).")
        return 0
    from answering import ask, parse_when
    from answering.answer import retrieve

    items, _ = gold_corpus(args.data, load_questions(args.data))
    published = {article_key(it["url"]): it["published"] for it in items if it.get("url")}
    args.workdir.mkdir(parents=True, exist_ok=True)
    library = build(args.workdir, "gold", items, False, args.precision)
    rows = []
    with (args.workdir / f"figures-{args.questions.stem}-details.jsonl").open("w", encoding="utf-8") as details:
        for q in questions(args.questions):
            as_of = parse_when(q.as_of)
            result = ask(library, q.text, as_of=as_of)
            hits = retrieve(library, q.text, as_of=as_of)
            day = published.get(q.article)
            gold_day = datetime.fromisoformat(day).replace(tzinfo=UTC) if day else None
            row = outcome(q, result, hits, gold_day)
            rows.append(row)
            details.write(json.dumps(row, ensure_ascii=False) + "\n")
            print(f"{q.id} {row['outcome']:>10} {'read' if row['read'] else '----'} {result.answer!r}", file=sys.stderr)
    library.close()
    groups = {"all": rows}
    for kind in sorted({r["kind"] for r in rows}):
        groups[kind] = [r for r in rows if r["kind"] == kind]
    for tag in sorted({t for r in rows for t in r["tests"]}):
        groups[f"tests: {tag}"] = [r for r in rows if tag in r["tests"]]
    columns = [*KINDS, "report read"]
    lines = ["| questions | n | " + " | ".join(columns) + " |", "|---|---:|" + "---:|" * len(columns)]
    for name, group in groups.items():
        s = score(group)
        lines.append(f"| {name} | {len(group)} | " + " | ".join(f"{s[c]:.2f}" for c in columns) + " |")
    command = reproduce("bench.figures", argv)
    body = "\n".join(lines) + f"\n\nReproduce: `{command}` (run {datetime.now(UTC):%Y-%m-%d})."
    block = "figures" if args.questions == QUESTIONS else f"figures-{args.questions.stem}"
    publish(block, "The figure in force on real news", body, args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
