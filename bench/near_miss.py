"""The near-miss set: stories of our own and questions about them, half of which the stories almost answer but
must not (the election story is Kenya's, the question asks about Mexico's; the duty is India's, the question
asks about China's). It measures what a user meets first: a right answer when the news has it, and "no
answer" when it is about something else.

    python -m bench.near_miss                   # the shipped reader on the set: each question, then the scores
    python -m bench.near_miss --curve --write   # + the abstention margin swept on this set and on RealTime QA
                                                # 2020-2021 (the calibration questions), into docs/benchmarks.md
    python -m bench.near_miss --curve --similarity 8,12   # ... with the passage-similarity weight too

The stories (`near_miss/stories.jsonl`) and questions (`near_miss/questions.jsonl`) are our own writing; an
answerable question lists the answers accepted, a near miss says why it must abstain. tests/test_near_miss.py
holds the shipped reader to the targets on this set.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent / "near_miss"
STORIES = HERE / "stories.jsonl"
QUESTIONS = HERE / "questions.jsonl"
MARGINS = [-16.0, -14.0, -12.0, -10.0, -8.0, -6.0, -4.0, -2.0, 0.0, 2.0]


@dataclass
class Question:
    text: str
    answers: list[str]  # empty: a near miss, which must abstain
    why: str = ""
    kind: str = ""  # a near miss's kind: what it swaps (country, product, year, event, office, no figure, subject)


def questions() -> list[Question]:
    out = []
    for line in QUESTIONS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            q = json.loads(line)
            out.append(Question(q["question"], q["answers"], q.get("near_miss", ""), q.get("kind", "")))
    return out


def right(answer: str | None, accepted: list[str]) -> bool:
    """The answer is one of the accepted ones (SQuAD's normal form), allowing a few more words around it."""
    from bench.quality import normalise, short_enough

    if not answer:
        return False
    got = normalise(answer)
    return any(normalise(a) in got and short_enough(got, normalise(a)) for a in accepted)


def build(home: Path, encoder=None):
    from embeddings import Library

    library = Library.open(home, encoder=encoder) if encoder else Library.open(home)
    report = library.ingest([str(STORIES)])
    if report.failed:
        raise SystemExit(f"the near-miss stories did not ingest: {report.failed}")
    return library


def readings(library, asked: list[Question]):
    """Each question retrieved and read once, as `ask` does, as of the day after the newest story."""
    from answering.answer import read, retrieve

    newest = max(json.loads(line)["published"] for line in STORIES.open(encoding="utf-8"))
    as_of = datetime.fromisoformat(newest.replace("Z", "+00:00")) + timedelta(days=1)
    return [(q, read(q.text, retrieve(library, q.text, as_of=as_of), as_of=as_of)) for q in asked]


def score(read_once, weights=None) -> dict[str, float]:
    """Share of near misses abstained and of answerable questions answered right, under `weights`."""
    from answering.answer import decide
    from answering.weights import WEIGHTS

    near = [(q, decide(r.question, r, weights or WEIGHTS)) for q, r in read_once if not q.answers]
    answerable = [(q, decide(r.question, r, weights or WEIGHTS)) for q, r in read_once if q.answers]
    return {
        "near misses abstained": sum(a.abstained for _, a in near) / len(near),
        "answerable right": sum(right(a.answer, q.answers) for q, a in answerable) / len(answerable),
        "answerable abstained": sum(a.abstained for _, a in answerable) / len(answerable),
    }


def by_kind(read_once, weights=None) -> dict[str, tuple[int, float]]:
    """Per kind of near miss (and "answerable"): how many questions, and the share handled right (abstained, or
    answered right)."""
    from answering.answer import decide
    from answering.weights import WEIGHTS

    kinds: dict[str, list[bool]] = {}
    for q, r in read_once:
        a = decide(r.question, r, weights or WEIGHTS)
        kinds.setdefault(q.kind or "answerable", []).append(right(a.answer, q.answers) if q.answers else a.abstained)
    return {k: (len(v), sum(v) / len(v)) for k, v in sorted(kinds.items(), key=lambda kv: (-len(kv[1]), kv[0]))}


def realtimeqa_readings(workdir: Path, limit: int, seed: int):
    """The calibration questions of RealTime QA (2020-2021) over its evidence corpus, read once each, or None
    when the benchmark is not in ../shared."""
    from answering.answer import parse_when, read
    from bench import quality
    from embeddings.search import Filters

    if not (quality.DATA / "questions_2020_2024.jsonl").exists():
        return None
    raw = [json.loads(line) for line in (quality.DATA / "questions_2020_2024.jsonl").open(encoding="utf-8")]
    items = quality.evidence_corpus(raw)
    pool = [q for q in quality.load_questions(quality.DATA).values() if q.answer and q.date[:4] in ("2020", "2021")]
    asked = random.Random(seed).sample(pool, min(limit, len(pool)))
    can = quality.answerable_set(items, asked)
    library = quality.build(workdir, "evidence", items, False, "int8")
    out = []
    for q in asked:
        hits = library.search(q.text, k=8, filters=Filters(until=parse_when(q.date)))
        out.append((q, read(q.text, hits, as_of=parse_when(q.date)), hits, q.id in can))
    library.close()
    return out


def realtimeqa_score(read_once, weights) -> dict[str, float]:
    from answering.answer import decide
    from bench.quality import outcome, summarise

    s = summarise([outcome(q, decide(r.question, r, weights), hits, can, 0.0) for q, r, hits, can in read_once])
    return {k: s[k] for k in ("answer hit", "cited right", "abstain (answerable)", "abstain (unanswerable)")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.near_miss", description=__doc__.split("\n\n")[0])
    parser.add_argument("--curve", action="store_true", help="sweep the abstention margin (and on RealTime QA)")
    parser.add_argument("--workdir", type=Path, default=Path.home() / ".cache" / "tradewire-bench")
    parser.add_argument("--limit", type=int, default=600, help="RealTime QA 2020-2021 questions for the curve")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--similarity", default="", help="--curve: also sweep the passage-similarity weight (comma-separated)"
    )
    parser.add_argument("--model-dir", type=Path, default=None, help="a reader other than the shipped one")
    parser.add_argument("--write", action="store_true", help="write the tables into docs/benchmarks.md")
    args = parser.parse_args(argv)
    from answering import answer
    from answering.answer import decide
    from answering.reader import Reader
    from answering.weights import RULE, WEIGHTS, with_weights
    from bench.docs import publish, reproduce

    if args.model_dir:
        answer._reader = Reader(args.model_dir)

    asked = questions()
    with tempfile.TemporaryDirectory() as tmp:
        library = build(Path(tmp))
        read_once = readings(library, asked)
        library.close()
    lines = ["| question | expected | answer |", "|---|---|---|"]
    for q, r in read_once:
        a = decide(r.question, r)
        got = "(abstains)" if a.abstained else a.answer
        mark = "ok" if (right(a.answer, q.answers) if q.answers else a.abstained) else "WRONG"
        lines.append(f"| {q.text} | {' / '.join(q.answers) or 'abstain: ' + q.why} | {got} ({mark}) |")
    print("\n".join(lines), file=sys.stderr)
    shipped = score(read_once)
    decides = f"sureness ≥ {WEIGHTS.sureness.threshold:.3f}" if WEIGHTS.sureness else f"margin {WEIGHTS.min_margin:g}"
    before = [] if WEIGHTS == RULE else [(f"margin rule ({RULE.min_margin:g})", score(read_once, RULE))]
    n_near = sum(1 for q in asked if not q.answers)
    body = [
        f"{len(asked)} questions on {sum(1 for _ in STORIES.open())} stories of our own: {len(asked) - n_near} "
        f"answerable, {n_near} near misses (targets: near misses abstained ≥ 0.90, answerable right ≥ 0.85).",
        "",
        "| reader | near misses abstained | answerable right | answerable abstained |",
        "|---|---:|---:|---:|",
        *(
            f"| {name} | " + " | ".join(f"{v:.3f}" for v in s.values()) + " |"
            for name, s in [(f"shipped ({decides})", shipped), *before]
        ),
        "",
        "Per kind (a near miss's kind is what it swaps; right = abstained, or for `answerable` answered right):",
        "",
        "| kind | questions | right |",
        "|---|---:|---:|",
        *(f"| {kind} | {n} | {share:.3f} |" for kind, (n, share) in by_kind(read_once).items()),
    ]
    if args.curve:
        rtqa = realtimeqa_readings(args.workdir, args.limit, args.seed)
        similarities = [float(x) for x in args.similarity.split(",") if x] or [WEIGHTS.dense_weight]
        body += [
            "",
            "The abstention margin swept (and the passage-similarity weight, where asked; the rest of the shipped "
            "weights fixed): near-miss set, and RealTime QA 2020-2021 "
            f"({len(rtqa) if rtqa else 0} questions over the *evidence* corpus; never the 2022-2024 benchmark "
            "questions).",
            "",
            "| margin | similarity | near misses abstained | answerable right | RTQA 20-21 answer hit "
            "| RTQA cited right | RTQA abstain (answerable) | RTQA abstain (unanswerable) |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for m in MARGINS:
            for similarity in similarities:
                weights = with_weights(min_margin=m, dense_weight=similarity, sureness=None)  # the rule swept
                s = score(read_once, weights)
                r = realtimeqa_score(rtqa, weights) if rtqa else {}
                cells = [f"{s['near misses abstained']:.3f}", f"{s['answerable right']:.3f}"]
                cells += [f"{r[k]:.3f}" for k in r] if r else ["", "", "", ""]
                ruled = m == RULE.min_margin and similarity == RULE.dense_weight
                body.append(f"| {m:g}{' (the rule)' if ruled else ''} | {similarity:g} | " + " | ".join(cells) + " |")
    body += ["", f"Reproduce: `{reproduce('bench.near_miss', argv)}`"]
    publish("near_miss", "The near-miss set", "\n".join(body), args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
