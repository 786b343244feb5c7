"""The choice among passages, on SQuAD read as news: is the right answer among those `ask` weighs, and does it pick it?

    python -m bench.choice                  # build the two corpora, ask every question, print the table
    python -m bench.choice --write          # ... into docs/benchmarks.md
    python -m bench.choice --questions 300  # a smaller sample of dev questions (the fit keeps its own)

SQuAD articles are indexed as a news corpus, one item per paragraph under the article's title, through the
project's own ingest (`../shared/bench/squad`, read at run time): a question then meets its own paragraph among the
other paragraphs of its article and of every other article, as a news question meets many reports of one subject.
Each question is asked as `ask` asks it (retrieval, the reader, the checks of answering/candidates.py, the answers
grouped and ranked by answering/answer.py), and scored as SQuAD is (EM and F1 of the answer, best over the gold
answers; an abstention scores 0). Every question has an answer in the corpus: abstaining on one is a miss.

The rows say where the loss is: `ask` as shipped; the answer ranked first by `ask`'s score, always given; the
answer a *conditional logit* ranks first (one softmax over each question's answers, over what `ask` knows of each:
`RANKER_FEATURES`, fitted with scipy on questions of 90 other articles of SQuAD *train*, never dev); and the best
answer among those `ask` weighed (an oracle: the ceiling of any choice among them). Dev is SQuAD dev 1.1 (48
articles). Nothing here is shipped: it measures `ask` and a learned choice that did not beat its score.
"""

from __future__ import annotations

import argparse
import json
import lzma
import math
import random
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bench.docs import publish, reproduce, weights_table
from bench.squad import SQUAD, exact, f1_score

AS_OF = datetime(2020, 6, 1, tzinfo=UTC)  # the items are dated 2020-01-01: no question is about a later week
SPLITS = {  # file, articles drawn, questions drawn, seed
    "train": ("train-v1.1-reconstructed.json.xz", 90, 3500, 11),
    "dev": ("dev-v1.1.json.xz", 48, 1500, 12),
}
RANKER_FEATURES = (
    "score",  # `ask`'s own score of the answer (answering/answer.py: the best reading's, and agreement)
    "margin",  # the reader's margin for its surest reading
    "share",  # the question's words (by rarity) that reading's sentence holds
    "dense",  # its passage's similarity to the question
    "null",  # its passage's "not here" score less the lowest of the passages read
    "rank",  # log(1 + its passage's retrieval rank)
    "articles",  # log(the articles that give it)
    "passages",  # log(the passages that give it)
    "mentions",  # log(1 + the passages read whose words hold it)
    "title",  # the reading is a headline's
    "words",  # its length in words, at most 8
)
L2 = 30.0  # on the standardised features; 1 did no better on dev


@dataclass
class Episode:
    question: str
    golds: list[str]
    shipped: str | None  # `ask`'s answer as shipped (None: it abstained)
    own_read: bool  # the question's own paragraph is among the passages read
    answers: list[dict] = field(default_factory=list)  # each answer weighed: its value, f1, em and features


def corpus(path: Path, articles: int, questions: int, seed: int) -> tuple[list[dict], list[tuple[str, list[str], str]]]:
    """One item per paragraph of `articles` drawn articles, and `questions` drawn of their questions, each with
    its gold answers and its paragraph's URL."""
    from training.train_reader import read_ambiguous

    ambiguous = read_ambiguous(path.parent)
    with lzma.open(path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)["data"]
    rng = random.Random(seed)
    items, asked = [], []
    for article in rng.sample(data, min(articles, len(data))):
        for i, paragraph in enumerate(article["paragraphs"]):
            url = f"https://squad.invalid/{article['title']}/{i}"
            items.append(
                {
                    "id": url,
                    "url": url,
                    "title": article["title"].replace("_", " "),
                    "text": paragraph["context"],
                    "published": "2020-01-01",
                    "source": "squad",
                }
            )
            for qa in paragraph["qas"]:
                golds = [a["text"] for a in qa["answers"] if a["text"].strip()]
                if golds and qa["id"] not in ambiguous:
                    asked.append((qa["question"], golds, url))
    return items, rng.sample(asked, min(questions, len(asked)))


def episodes(library, asked) -> list[Episode]:
    from tqdm import tqdm

    from answering.answer import decide, ranked_answers, read, retrieve
    from answering.candidates import normal_form, supported
    from answering.weights import RULE, WEIGHTS

    out = []
    for question, golds, url in tqdm(asked, desc="asking", unit="q", mininterval=10, file=sys.stderr):
        hits = retrieve(library, question, as_of=AS_OF)
        reading = read(question, hits, as_of=AS_OF)
        shipped = decide(reading.question, reading, WEIGHTS)
        found, _ = supported(reading.question, reading, RULE, every=True)  # every answer the checks let through
        texts = [f" {normal_form(f'{h.headline} {h.text}')} " for h in hits]
        lowest = min(reading.nulls, default=0.0)
        answers = []
        for score, members in ranked_answers(found, RULE):
            top = max(members, key=lambda c: c.span.margin)
            articles = {c.hit.article_id for c in members}
            answers.append(
                {
                    "value": top.value,
                    "f1": max(f1_score(top.value, g) for g in golds),
                    "em": max(exact(top.value, g) for g in golds),
                    "score": score,
                    "margin": top.span.margin,
                    "share": top.share,
                    "dense": max(top.hit.dense or 0.0, 0.0),
                    "null": reading.nulls[top.span.window] - lowest,
                    "rank": math.log1p(top.span.window),
                    "articles": math.log(len(articles)),
                    "passages": math.log(len({c.span.window for c in members})),
                    "mentions": math.log1p(sum(f" {normal_form(top.value)} " in t for t in texts)),
                    "title": float(top.span.in_title),
                    "words": float(min(len(top.value.split()), 8)),
                }
            )
        given = None if shipped.abstained else shipped.answer
        out.append(Episode(question, golds, given, any(h.url == url for h in hits), answers))
    return out


def fit(train: list[Episode], l2: float = L2) -> np.ndarray:
    """A conditional logit: one softmax over each question's answers, the right one (F1 ≥ 0.5, the best) the
    target; questions with one answer or no right one teach nothing and are left out."""
    from scipy.optimize import minimize

    data = []
    for e in train:
        if len(e.answers) > 1 and max(a["f1"] for a in e.answers) >= 0.5:
            x = np.array([[a[f] for f in RANKER_FEATURES] for a in e.answers])
            data.append((x, int(np.argmax([a["f1"] for a in e.answers]))))
    stacked = np.vstack([x for x, _ in data])
    mean, scale = stacked.mean(0), stacked.std(0) + 1e-9
    data = [((x - mean) / scale, y) for x, y in data]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.0, np.zeros_like(w)
        for x, y in data:
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            total -= math.log(p[y] + 1e-300)
            grad += x.T @ p - x[y]
        return (total + l2 * w @ w) / len(data), (grad + 2 * l2 * w) / len(data)

    w = minimize(loss, np.zeros(len(RANKER_FEATURES)), jac=True, method="L-BFGS-B").x
    return w / scale  # on the features as they are


def scores(dev: list[Episode], pick) -> dict[str, float]:
    """EM and F1 (x100) of the answer `pick` chooses of each question's (None: no answer)."""
    em = f1 = answered = 0.0
    for e in dev:
        a = pick(e)
        if a is not None:
            answered += 1
            em, f1 = em + a["em"], f1 + a["f1"]
    n = max(len(dev), 1)
    return {"EM": 100 * em / n, "F1": 100 * f1 / n, "answered": answered / n}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--squad", type=Path, default=SQUAD)
    parser.add_argument("--workdir", type=Path, default=Path.home() / ".cache" / "tradewire-bench")
    parser.add_argument("--questions", type=int, default=0, help="dev questions (0: the default sample)")
    parser.add_argument("--write", action="store_true", help="write the table into docs/benchmarks.md")
    args = parser.parse_args(argv)
    if not (args.squad / SPLITS["dev"][0]).exists():
        print(f"SQuAD not found at {args.squad}: nothing to measure (it is read from ../shared).")
        return 0
    from bench.quality import build

    read: dict[str, list[Episode]] = {}
    sizes = {}
    for split, (file, articles, questions, seed) in SPLITS.items():
        if split == "dev" and args.questions:
            questions = args.questions
        items, asked = corpus(args.squad / file, articles, questions, seed)
        library = build(args.workdir, f"squad-news-{split}", items, False, "int8")
        try:
            read[split] = episodes(library, asked)
        finally:
            library.close()
        sizes[split] = (articles, len(items), len(asked))
    w = fit(read["train"])
    dev = read["dev"]

    def ranked(key):
        return lambda e: max(e.answers, key=key) if e.answers else None

    shipped = {"EM": 0.0, "F1": 0.0, "answered": 0.0}
    for e in dev:
        if e.shipped is not None:
            shipped["answered"] += 1 / len(dev)
            shipped["EM"] += 100 * max(exact(e.shipped, g) for g in e.golds) / len(dev)
            shipped["F1"] += 100 * max(f1_score(e.shipped, g) for g in e.golds) / len(dev)
    rows = [
        ("`ask` as shipped (abstains by its model of sureness)", shipped),
        ("the answer `ask`'s score ranks first, always given", scores(dev, ranked(lambda a: a["score"]))),
        (
            "the answer a conditional logit ranks first (fitted on train)",
            scores(dev, ranked(lambda a: float(np.dot(w, [a[f] for f in RANKER_FEATURES])))),
        ),
        ("the best answer `ask` weighed (an oracle)", scores(dev, ranked(lambda a: a["f1"]))),
    ]
    own = sum(e.own_read for e in dev) / max(len(dev), 1)
    a, p, q = sizes["dev"]
    ta, tp, tq = sizes["train"]
    lines = [
        f"SQuAD dev 1.1 read as news: {a} articles, {p} paragraphs indexed as items; {q} of their questions asked as "
        f"`ask` asks them (the question's own paragraph among the 8 passages read for {own:.3f} of them). The "
        f"logit was fitted on {tq} questions of {ta} SQuAD train articles ({tp} paragraphs), indexed the same way.",
        "",
        "| choice | EM | F1 | answered |",
        "|---|---:|---:|---:|",
        *(f"| {name} | {s['EM']:.1f} | {s['F1']:.1f} | {s['answered']:.3f} |" for name, s in rows),
        "",
        "The logit's weights, on the features as they are (divided by the weight of `ask`'s score):",
        "",
        *weights_table(RANKER_FEATURES, w / w[0], 2),
        "",
        f"Reproduce: `{reproduce('bench.choice', argv)}` (run {datetime.now(UTC):%Y-%m-%d}).",
    ]
    publish("choice", "The choice among passages, on SQuAD read as news", "\n".join(lines), args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
