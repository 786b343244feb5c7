"""Answer quality on RealTime QA (../shared/bench/realtimeqa): real weekly news-quiz questions with gold
answers, answered as of their question date from corpora built out of the benchmark's own articles.

    python -m bench.quality                       # both corpora, all four configurations, the default encoder
    python -m bench.quality --precision int8,float32 --write   # and the float32 encoder beside it (docs table)
    python -m bench.quality --corpus gold --limit 200
    python -m bench.quality --configs reader,reader@12,reader@16   # the reader over 8, 12 and 16 passages

Corpora (built once into --workdir through the project's own JSON Lines ingest, then reused):
  gold      the 2022 gold articles plus the topic-tagged web search results (2022-2024) as distractors;
            questions: those with a gold article or tagged search results
  evidence  every question's evidence paragraph (2020-2024) as a short item dated on the question's date;
            questions: a seeded sample of all questions

Configurations, side by side on the same index: dense / lexical / hybrid retrieval with the plain answerer
(the best sentence is the answer; no typing, no dates, no abstention); the rules pipeline (hybrid with
answer typing, date resolution and abstention by coverage thresholds: bench/rules.py, the answerer before the
reader); and the reader pipeline (hybrid with the trained reader, the default).

Questions dated 2022-2024 are the benchmark. `--calibrate` instead reads the evidence corpus's questions of
2020-2021 and searches the reader's combination weights (answering/weights.py; `--grid` says which) on them, so
the weights never see a question they are scored on.

Scores (answerable = the normalised gold answer occurs in an indexed article dated no later than the question):
  answer hit   the direct answer holds the gold answer and is short (at most the gold's words + 4): a whole
               sentence that happens to contain it is not a direct answer
  EM, F1       SQuAD-style exact match and word-overlap F1 of the direct answer against the gold, over the
               answerable questions (an abstention scores 0): a right answer written another way ("Rep. Liz
               Cheney" for "Liz Cheney") scores part, where answer hit is all or nothing
  quote hit    the gold answer is in the quoted (cited) sentence
  cited right  of the questions answered, the cited sentence holds the answer or comes from the gold article
  R@k, MRR     rank of the first retrieved passage holding the answer (k = 1, 5, 10)
  abstain      on answerable questions (wrongly) and on unanswerable ones (rightly)
  p50 / p95    wall time of one `ask` (model loaded)

Only aggregate numbers are printed and written (to docs/benchmarks.md with --write); per-question details go
to --workdir, never into the repository: the data's terms allow evaluation here, not redistribution.
"""

from __future__ import annotations

import argparse
import json
import lzma
import random
import re
import statistics
import string
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

from bench.docs import publish, reproduce
from bench.squad import exact, f1_score
from embeddings.encoder import DEFAULT_PRECISION, PRECISIONS

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "bench" / "realtimeqa"
WORKDIR = Path.home() / ".cache" / "tradewire-bench"  # the corpora's indexes, built once
CONFIGS = {  # name -> (retrieval mode, plain answerer, reader)
    "dense": ("dense", True, "rules"),
    "lexical": ("lexical", True, "rules"),
    "hybrid": ("hybrid", True, "rules"),
    "rules": ("hybrid", False, "rules"),
    "reader": ("hybrid", False, "model"),
}
EVALUATION_YEARS = ("2022", "2023", "2024")  # the benchmark's questions; 2020-2021 only calibrate (--calibrate)


# --- data ------------------------------------------------------------------------------------------------
def normalise(text: str) -> str:
    """SQuAD-style: lower case, '&' as 'and', no punctuation (curly quotes too: a gold “Squid Game” is the answer
    Squid Game) or articles, single spaces."""
    text = text.lower().replace("&", " and ")
    text = "".join(" " if ch in string.punctuation or ch in "“”‘’«»" else ch for ch in text)
    return " ".join(w for w in text.split() if w not in {"a", "an", "the"})


def _date(value: str | None) -> str | None:
    """'2022/06/15', '2022-06-15 10:00:00', ... -> ISO date; None when there is none."""
    match = re.match(r"(\d{4})[/-](\d{2})[/-](\d{2})", value or "")
    return "-".join(match.groups()) if match else None


@dataclass
class Question:
    id: str
    date: str
    text: str
    answer: str
    gold_urls: set[str] = field(default_factory=set)


def load_questions(data: Path) -> dict[str, Question]:
    out = {}
    with (data / "questions_2020_2024.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            q = json.loads(line)
            out[q["question_id"]] = Question(q["question_id"], q["question_date"], q["question"], q["answer_text"])
    return out


def _item(url: str, title: str, text: str, published: str | None, source: str = "") -> dict:
    host = urlparse(url).hostname or ""
    return {
        "id": url or title,
        "url": url,
        "title": title,
        "text": text,
        "published": published,
        "source": source or host.removeprefix("www."),
    }


def gold_corpus(data: Path, questions: dict[str, Question]) -> tuple[list[dict], list[Question]]:
    items: dict[str, dict] = {}
    asked: dict[str, Question] = {}
    for path in sorted((data / "gold_articles_2022").glob("*.jsonl")):
        for line in path.open(encoding="utf-8"):
            row = json.loads(line)
            q = questions.get(row["question_id"])
            for r in row.get("search_result") or []:
                if q and r.get("text"):
                    title = r.get("title") or r["text"].strip().split("\n", 1)[0][:120]
                    items.setdefault(r["url"], _item(r["url"], title, r["text"], _date(r.get("publish_date"))))
                    q.gold_urls.add(r["url"])
                    asked[q.id] = q
    with lzma.open(data / "search_results_tagged_2022_2024.jsonl.xz", "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            q = questions.get(row["question_id"])
            for r in row.get("search_result") or []:
                if r.get("text") and r.get("url"):
                    items.setdefault(
                        r["url"], _item(r["url"], r.get("title") or "", r["text"], _date(r.get("publish_date")))
                    )
            if q:
                asked[q.id] = q
    return list(items.values()), sorted(asked.values(), key=lambda q: q.id)


def evidence_corpus(raw: list[dict]) -> list[dict]:
    """One short item per evidence paragraph. Several paragraphs can come from one page: the question id is
    added to the URL as a fragment so that each stays its own article."""
    items, seen = [], set()
    for q in raw:
        if q.get("evidence_text") and q["question_id"] not in seen:  # a few questions are listed twice
            seen.add(q["question_id"])
            url = (q.get("evidence_urls") or [""])[0] or "https://realtimeqa.invalid/"
            title = q["evidence_text"].split(". ", 1)[0][:120]
            items.append(
                _item(f"{url}#{q['question_id']}", title, q["evidence_text"], q["question_date"])
                | {"id": f"evidence-{q['question_id']}", "source": q.get("question_source") or "quiz"}
            )
    return items


# --- running ----------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    answerable: bool
    abstained: bool
    answer_hit: bool
    quote_hit: bool
    exact: float  # SQuAD-style EM / F1 of the direct answer against the gold (0 when it abstained)
    f1: float
    cited_right: bool
    rank: int | None  # 1-based rank of the first passage holding the answer, within 10
    seconds: float
    answer_type: str


def short_enough(answer: str, gold: str) -> bool:
    return len(answer.split()) <= len(gold.split()) + 4


def _known(config: str) -> bool:
    name, at, passages = config.partition("@")
    return name in CONFIGS and (not at or passages.isdigit())


def run_one(library, q: Question, config: str, answerable: bool) -> Outcome:
    from answering import ask, parse_when
    from bench.rules import ask_rules
    from embeddings.search import Filters

    name, _, passages = config.partition("@")  # "reader@12": the reader over 12 passages instead of ask's 8
    mode, plain, reader = CONFIGS[name]
    as_of = parse_when(q.date)
    started = time.perf_counter()
    if reader == "rules":
        result = ask_rules(library, q.text, as_of=as_of, mode=mode, plain=plain, k=int(passages or 8))
    else:
        result = ask(library, q.text, as_of=as_of, mode=mode, k=int(passages or 8))
    seconds = time.perf_counter() - started
    hits = library.search(q.text, k=10, filters=Filters(until=as_of), mode=mode)
    return outcome(q, result, hits, answerable, seconds)


def outcome(q: Question, result, hits, answerable: bool, seconds: float) -> Outcome:
    """How one answer scores against the question's gold answer."""
    gold = normalise(q.answer)
    rank = next((i for i, h in enumerate(hits, 1) if gold and gold in normalise(h.text)), None)
    answer = normalise(result.answer or "")
    quote = normalise(result.citations[0].quote) if result.citations else ""
    cited_gold = bool(result.citations) and any(c.url in q.gold_urls for c in result.citations)
    return Outcome(
        answerable=answerable,
        abstained=result.abstained,
        answer_hit=bool(gold) and gold in answer and short_enough(answer, gold),
        quote_hit=bool(gold) and gold in quote,
        exact=exact(answer, gold) if answer and gold and not result.abstained else 0.0,
        f1=f1_score(answer, gold) if answer and gold and not result.abstained else 0.0,
        cited_right=not result.abstained and ((bool(gold) and gold in quote) or cited_gold),
        rank=rank,
        seconds=seconds,
        answer_type=result.answer_type,
    )


def answerable_set(items: list[dict], questions: list[Question]) -> set[str]:
    """Questions whose normalised answer occurs in an item dated no later than the question (or undated)."""
    texts = [(it.get("published") or "", normalise(f"{it['title']} {it['text']}")) for it in items]
    out = set()
    for q in questions:
        gold = normalise(q.answer)
        if gold and any((not day or day <= q.date) and f" {gold} " in f" {text} " for day, text in texts):
            out.add(q.id)
    return out


def summarise(outcomes: list[Outcome]) -> dict[str, float]:
    answerable = [o for o in outcomes if o.answerable]
    unanswerable = [o for o in outcomes if not o.answerable]
    answered = [o for o in outcomes if not o.abstained]
    ranks = [o.rank for o in answerable]
    times = sorted(o.seconds for o in outcomes)

    def share(items, pred) -> float:
        return sum(1 for o in items if pred(o)) / len(items) if items else float("nan")

    return {
        "answer hit": share(answerable, lambda o: o.answer_hit),
        "EM": statistics.fmean([o.exact for o in answerable]) if answerable else float("nan"),
        "F1": statistics.fmean([o.f1 for o in answerable]) if answerable else float("nan"),
        "quote hit": share(answerable, lambda o: o.quote_hit),
        "cited right": share(answered, lambda o: o.cited_right),
        "R@1": share(answerable, lambda o: o.rank == 1),
        "R@5": share(answerable, lambda o: o.rank is not None and o.rank <= 5),
        "R@10": share(answerable, lambda o: o.rank is not None),
        "MRR": statistics.fmean([1 / r if r else 0.0 for r in ranks]) if ranks else float("nan"),
        "abstain (answerable)": share(answerable, lambda o: o.abstained),
        "abstain (unanswerable)": share(unanswerable, lambda o: o.abstained),
        "p50 ms": 1000 * times[len(times) // 2] if times else float("nan"),
        "p95 ms": 1000 * times[min(len(times) - 1, int(len(times) * 0.95))] if times else float("nan"),
    }


def table(title: str, rows: dict[str, dict[str, float]], counts: str) -> str:
    columns = list(next(iter(rows.values())))
    lines = [f"**{title}** — {counts}", "", "| configuration | " + " | ".join(columns) + " |"]
    lines.append("|---|" + "---:|" * len(columns))
    for name, row in rows.items():
        cells = [f"{v:.0f}" if c.endswith("ms") else f"{v:.3f}" for c, v in row.items()]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def build(workdir: Path, name: str, items: list[dict], rebuild: bool, precision: str):
    from embeddings import Library

    home = workdir / f"{name}-{precision}"
    if rebuild and home.exists():
        import shutil

        shutil.rmtree(home)
    library = Library.open(home, precision=precision)
    source = workdir / f"{name}.jsonl"
    with source.open("w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    started = time.perf_counter()
    report = library.ingest([str(source)])  # incremental: an interrupted build resumes, a built one is checked
    print(f"{name}: {report.summary()} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return library


def evaluate(
    library, asked: list[Question], can: set[str], configs: list[str], details: Path, label: str
) -> dict[str, dict[str, float]]:
    """Each configuration's scores over the questions; per-question outcomes go to `details`."""
    rows = {}
    with details.open("w", encoding="utf-8") as out:
        for name in configs:
            outcomes = []
            for q in asked:
                o = run_one(library, q, name, q.id in can)
                outcomes.append(o)
                out.write(json.dumps({"config": name, "question_id": q.id, **o.__dict__}) + "\n")
            rows[name] = summarise(outcomes)
            summary = json.dumps({k: round(v, 3) for k, v in rows[name].items()})
            print(f"{label}/{name}: {summary}", file=sys.stderr)
    return rows


PASSAGES = [8, 12, 16]  # passages read per question, tried by --calibrate
DEFAULT_GRID = {  # the reader's weights searched by --calibrate (--grid replaces it; other weights stay shipped)
    "min_margin": [-12.0, -10.0, -8.0, -6.0, -5.0, -4.0, -3.0, -2.0, -1.0, 0.0, 2.0],
    "dense_weight": [0.0, 1.0, 2.0, 4.0, 8.0],
    "agreement": [0.0, 0.5, 1.0, 2.0],
}


def _first(reading, k: int):
    """The reading of only the first k passages."""
    from answering.candidates import Reading, rarity

    spans = [s for s in reading.spans if s.window < k]
    hits = reading.hits[:k]
    return Reading(reading.question, hits, spans, reading.nulls[:k], rarity(reading.question, hits), reading.as_of)


def calibrate(args, raw: list[dict]) -> None:
    """Read each 2020-2021 question's passages once, then score a grid of the reader's combination weights on
    them (answer hit, and abstention on both kinds of question); print the best settings."""
    import itertools

    from answering.answer import decide, parse_when, read
    from answering.weights import with_weights
    from embeddings.search import Filters

    questions = load_questions(args.data)
    items = evidence_corpus(raw)
    pool = [q for q in questions.values() if q.answer and q.date[:4] in ("2020", "2021")]
    asked = random.Random(args.seed).sample(pool, min(args.limit or 600, len(pool)))
    can = answerable_set(items, asked)
    library = build(args.workdir, "evidence", items, args.rebuild, args.precision.split(",")[0])
    grid = {"passages": PASSAGES, **(json.loads(args.grid) if args.grid else DEFAULT_GRID)}  # passages first
    readings = []
    for q in asked:
        hits = library.search(q.text, k=max(grid["passages"]), filters=Filters(until=parse_when(q.date)))
        readings.append((q, read(q.text, hits, as_of=parse_when(q.date)), hits))  # as `ask` reads it
    library.close()
    rows = []
    for k, *values in itertools.product(*grid.values()):
        # The rule's weights: the model of sureness (answering/sureness.py) is left out, or a sweep of the margin
        # would only move how low a span is read.
        weights = with_weights(sureness=None, **dict(zip(list(grid)[1:], values, strict=True)))
        outcomes = [
            outcome(q, decide(r.question, _first(r, k), weights), hits[:k], q.id in can, 0.0) for q, r, hits in readings
        ]
        s = summarise(outcomes)
        wrong = s["abstain (answerable)"]
        right = s["abstain (unanswerable)"] if s["abstain (unanswerable)"] == s["abstain (unanswerable)"] else 0.0
        utility = s["answer hit"] + 0.5 * right - max(0.0, wrong - 0.15)
        rows.append((utility, (k, *values), s))
    if not args.grid:
        rows.sort(key=lambda r: r[0], reverse=True)
    print(f"{len(asked)} questions of 2020-2021 ({len(can)} answerable); {len(rows)} settings:")
    print(
        "| utility | "
        + " | ".join(grid)
        + " | answer hit | cited right | abstain (answerable) | abstain (unanswerable) |"
    )
    for utility, values, s in rows if args.grid else rows[:15]:
        cells = [f"{s[c]:.3f}" for c in ("answer hit", "cited right", "abstain (answerable)", "abstain (unanswerable)")]
        print(f"| {utility:.3f} | " + " | ".join(f"{v:g}" for v in values) + " | " + " | ".join(cells) + " |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--workdir", type=Path, default=WORKDIR)
    parser.add_argument("--corpus", choices=["gold", "evidence", "both"], default="both")
    parser.add_argument(
        "--configs",
        default=",".join(CONFIGS),
        help="configurations, comma-separated; NAME@K reads K passages instead of 8 (reader@12,reader@16)",
    )
    parser.add_argument("--limit", type=int, default=0, help="questions per corpus (0: gold all, evidence 300)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--precision",
        default=DEFAULT_PRECISION,
        help=f"comma-separated encoder precisions, each with its own index: {', '.join(PRECISIONS)}",
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild the corpora's indexes")
    parser.add_argument("--model-dir", type=Path, default=None, help="a reader other than the shipped one")
    parser.add_argument("--write", action="store_true", help="write the tables into docs/benchmarks.md")
    parser.add_argument(
        "--calibrate", action="store_true", help="search the reader's weights on the 2020-2021 questions instead"
    )
    parser.add_argument(
        "--grid",
        help='--calibrate: the weights to search, as JSON ({"min_margin": [-10, -8], "overlap": [0, 4]}); each '
        "setting is printed, in grid order",
    )
    args = parser.parse_args(argv)
    if not (args.data / "questions_2020_2024.jsonl").exists():
        print(f"RealTime QA not found at {args.data}: nothing to measure (it is read from ../shared).")
        return 0
    args.workdir.mkdir(parents=True, exist_ok=True)
    questions = load_questions(args.data)
    raw = [json.loads(line) for line in (args.data / "questions_2020_2024.jsonl").open(encoding="utf-8")]
    if args.model_dir:
        from answering import answer
        from answering.reader import Reader

        answer._reader = Reader(args.model_dir)
    if args.calibrate:
        calibrate(args, raw)
        return 0
    configs = [c for c in args.configs.split(",") if c]
    if unknown := [c for c in configs if not _known(c)]:
        parser.error(f"unknown configuration {', '.join(unknown)}: use {', '.join(CONFIGS)}, optionally NAME@K")
    precisions = [p for p in args.precision.split(",") if p]
    if unknown := [p for p in precisions if p not in PRECISIONS]:
        parser.error(f"unknown precision {', '.join(unknown)}: use {', '.join(PRECISIONS)}")
    sections = []
    for corpus in ["gold", "evidence"] if args.corpus == "both" else [args.corpus]:
        # The items, the questions and which of them are answerable are the same for every encoder.
        if corpus == "gold":
            items, asked = gold_corpus(args.data, questions)
            asked = [q for q in asked if q.date[:4] in EVALUATION_YEARS]
            if args.limit:
                asked = random.Random(args.seed).sample(asked, min(args.limit, len(asked)))
        else:
            items = evidence_corpus(raw)
            pool = [q for q in questions.values() if q.answer and q.date[:4] in EVALUATION_YEARS]
            asked = random.Random(args.seed).sample(pool, min(args.limit or 300, len(pool)))
        can = answerable_set(items, asked)
        counts = (
            f"{len(items)} articles indexed, {len(asked)} questions ({len(can)} answerable from the corpus), "
            f"answered as of each question's date"
        )
        for precision in precisions:
            library = build(args.workdir, corpus, items, args.rebuild, precision)
            details = args.workdir / f"{corpus}-{precision}-details.jsonl"
            rows = evaluate(library, asked, can, configs, details, f"{corpus}/{precision}")
            library.close()
            sections.append(table(f"Corpus `{corpus}`, {precision} encoder", rows, counts))
    command = reproduce("bench.quality", argv)
    report = "\n\n".join(sections) + f"\n\nReproduce: `{command}` (run {datetime.now(UTC):%Y-%m-%d})."
    publish("quality", "Answer quality", report, args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
