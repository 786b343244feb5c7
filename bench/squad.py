"""The shipped reader alone on SQuAD dev, scored as the official evaluation scripts score (v1.1 and v2.0: lower
case, no punctuation or articles, exact match and token F1, best over the gold answers).

    python -m bench.squad                    # dev 1.1 and dev 2.0, the shipped reader and threshold
    python -m bench.squad --limit 1000       # a seeded sample of each
    python -m bench.squad --model-dir runs/reader-model --write
    python -m bench.squad --others 0         # without dev 1.1 read with 3 other paragraphs of each article

Dev 1.1 is also read as `ask` reads news, with several passages of one subject: each question with its paragraph
and the 3 of its article most like the question (none saying the answer), the best span of them all; the
reader's scores must compare across passages for it to keep its single-paragraph score.

Dev 2.0 is scored at the shipped no-answer threshold (answering/weights.py, chosen on RealTime QA 2020-2021,
never on SQuAD dev) and, for comparison with published numbers, at the best threshold on dev 2.0 itself, as
the official script's `best_f1` does (an oracle, labelled as such).
"""

from __future__ import annotations

import argparse
import collections
import json
import lzma
import random
import re
import string
import sys
import time
from pathlib import Path

from bench.docs import publish, reproduce

SQUAD = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "squad"


def normalize_answer(s: str) -> str:
    """The official scripts' normalisation."""
    s = s.lower()
    s = "".join(ch for ch in s if ch not in set(string.punctuation))
    s = re.sub(r"\b(a|an|the)\b", " ", s)
    return " ".join(s.split())


def f1_score(prediction: str, gold: str) -> float:
    pred, truth = normalize_answer(prediction).split(), normalize_answer(gold).split()
    if not pred or not truth:  # v2.0: an empty answer scores 1 against an empty gold, else 0
        return float(pred == truth)
    common = collections.Counter(pred) & collections.Counter(truth)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred), same / len(truth)
    return 2 * precision * recall / (precision + recall)


def exact(prediction: str, gold: str) -> float:
    return float(normalize_answer(prediction) == normalize_answer(gold))


def questions(path: Path) -> list[tuple[str, str, str, list[str]]]:
    """(id, question, context, gold answers); gold is [""] for an unanswerable question."""
    with lzma.open(path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)["data"]
    out = []
    for article in data:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                golds = [a["text"] for a in qa["answers"] if normalize_answer(a["text"])] or [""]
                out.append((qa["id"], qa["question"], paragraph["context"], golds))
    return out


def with_others(path: Path, n: int) -> list[tuple[str, str, list[str], list[str]]]:
    """Dev 1.1's questions, each with its paragraph and the `n` paragraphs of its article most like the question
    (its words each weighed by how few of the article's paragraphs hold it; none that says a gold answer), as
    retrieval hands a reader several passages of one subject: (id, question, paragraphs, gold answers)."""
    from embeddings.analysis import terms
    from training.continue_reader import _weights
    from training.negatives import _norm

    with lzma.open(path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)["data"]
    out = []
    for article in data:
        contexts = [p["context"] for p in article["paragraphs"]]
        bags, idf = _weights(contexts)
        normed = [f" {_norm(c)} " for c in contexts]
        for i, paragraph in enumerate(article["paragraphs"]):
            for qa in paragraph["qas"]:
                golds = [a["text"] for a in qa["answers"] if normalize_answer(a["text"])]
                said = [f" {_norm(g)} " for g in golds]
                words = set(terms(qa["question"]))
                ranked = sorted(
                    (j for j in range(len(contexts)) if j != i and not any(g in normed[j] for g in said)),
                    key=lambda j: -sum(idf[t] for t in words & bags[j]),
                )
                read = [paragraph["context"], *(contexts[j] for j in ranked[:n])]
                out.append((qa["id"], qa["question"], read, golds))
    return out


def predict(reader, items) -> list[tuple[str, float]]:
    """The reader's best span and its margin over no-answer, for each question (questions side by side, one
    per core: a single paragraph is one single-threaded run)."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    from tqdm import tqdm

    from answering.reader import Window

    def one(item) -> tuple[str, float]:
        _, question, context, _ = item
        paragraphs = context if isinstance(context, list) else [context]  # several: the best span of them all
        spans, _ = reader.read(question, [Window(c) for c in paragraphs], top=1)
        return (spans[0].text, spans[0].margin) if spans else ("", float("-inf"))

    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        bar = tqdm(pool.map(one, items), total=len(items), desc="reading", unit="q", mininterval=5, file=sys.stderr)
        return list(bar)


def score(items, predictions, threshold: float | None) -> dict[str, float]:
    """EM and F1 (x100) overall and, where there are both kinds, on answerable and unanswerable questions."""
    rows = []
    for (_, _, _, golds), (text, margin) in zip(items, predictions, strict=True):
        answer = text if threshold is None or margin >= threshold else ""
        rows.append((golds != [""], max(exact(answer, g) for g in golds), max(f1_score(answer, g) for g in golds)))

    def mean(values) -> float:
        values = list(values)
        return 100 * sum(values) / len(values) if values else float("nan")

    result = {"EM": mean(r[1] for r in rows), "F1": mean(r[2] for r in rows)}
    if any(not r[0] for r in rows):
        result |= {
            "HasAns F1": mean(r[2] for r in rows if r[0]),
            "NoAns acc": mean(r[2] for r in rows if not r[0]),
        }
    return result


def best_threshold(items, predictions) -> float:
    """The margin threshold that maximises F1 on these very questions, found as the official script's `best_f1`
    does: start from answering nothing, then let questions answer in order of decreasing margin."""
    gains = []
    empty_total = 0.0
    for (_, _, _, golds), (text, margin) in zip(items, predictions, strict=True):
        empty = max(f1_score("", g) for g in golds)
        empty_total += empty
        gains.append((margin, max(f1_score(text, g) for g in golds) - empty))
    gains.sort(key=lambda g: g[0], reverse=True)
    best, best_at, running = empty_total, float("inf"), empty_total
    for margin, gain in gains:
        running += gain
        if running > best:
            best, best_at = running, margin
    return best_at


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--squad", type=Path, default=SQUAD)
    parser.add_argument("--model-dir", type=Path, default=None, help="a reader other than the shipped one")
    parser.add_argument("--limit", type=int, default=0, help="a seeded sample of this many questions per set")
    parser.add_argument("--write", action="store_true", help="write the table into docs/benchmarks.md")
    parser.add_argument(
        "--others",
        type=int,
        default=3,
        help="dev 1.1 also read with this many other paragraphs of each question's article (0: not)",
    )
    args = parser.parse_args(argv)
    if not (args.squad / "dev-v1.1.json.xz").exists():
        print(f"SQuAD not found at {args.squad}: nothing to measure (it is read from ../shared).")
        return 0
    from answering.reader import MODEL_DIR, Reader
    from answering.weights import WEIGHTS

    reader = Reader(args.model_dir or MODEL_DIR)
    lines = ["| set | questions | threshold | EM | F1 | HasAns F1 | NoAns acc | ms / question |", "|---|" + "---:|" * 7]
    sets = [("dev 1.1", "dev-v1.1.json.xz"), ("dev 2.0", "dev-v2.0.json.xz")]
    if args.others:
        sets.insert(1, (f"dev 1.1, with {args.others} other paragraphs", "dev-v1.1.json.xz"))
    for name, file in sets:
        items = with_others(args.squad / file, args.others) if "other" in name else questions(args.squad / file)
        if args.limit:
            items = random.Random(7).sample(items, min(args.limit, len(items)))
        started = time.perf_counter()
        predictions = predict(reader, items)
        ms = 1000 * (time.perf_counter() - started) / len(items)
        settings = [("none (always answers)", None)]
        if name == "dev 2.0":
            settings += [(f"the margin rule's ({WEIGHTS.min_margin:g})", WEIGHTS.min_margin)]
            oracle = best_threshold(items, predictions)
            settings += [(f"best on dev 2.0 itself ({oracle:g}, oracle)", oracle)]
        for label, threshold in settings:
            s = score(items, predictions, threshold)
            cells = [f"{s[c]:.1f}" if c in s else "" for c in ("EM", "F1", "HasAns F1", "NoAns acc")]
            lines.append(f"| {name} | {len(items):,} | {label} | " + " | ".join(cells) + f" | {ms:.1f} |")
            print(f"{name} threshold={label}: " + json.dumps({k: round(v, 2) for k, v in s.items()}), file=sys.stderr)
    command = reproduce("bench.squad", argv)
    report = "\n".join(lines) + f"\n\nReproduce: `{command}` (one question at a time, int8 ONNX, 2 cores)."
    publish("squad", "Reader on SQuAD dev", report, args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
