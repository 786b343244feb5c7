"""Fit how sure `ask` must be of its answer (answering/sureness.py) on RealTime QA questions of 2020-2021.

    python -m bench.sureness                # read the questions, cross-validate, print the table
    python -m bench.sureness --write        # ... and write answering/model/sureness.json

Every question of 2020-2021 with a gold answer (never 2022-2024, the benchmark's) is asked of the *evidence*
corpus (bench/quality.py builds it) as of its day, as `ask` asks it: its retrieval, the reader, the checks of
answering/candidates.py, and the choice among answers of answering/answer.py, with every span the reader reads
at a margin of at least `min_margin - sure_overlap` kept. The answer chosen is a row of answering/sureness.py's
features, labelled right when it holds the gold answer and is short (bench.quality's answer hit); a question
with no answer left after the checks abstains whatever the model says.

A logistic regression (scikit-learn, standardised features, L2 with C = 1) is scored by 5-fold cross-validation
over the questions: for each probability threshold, answer hit and abstention on answerable and on unanswerable
questions (answerable: the gold answer is in a report of the corpus dated no later than the question). Where we
stand: at least the abstention on unanswerable questions that the margin rule gives on the same questions, and
of those thresholds the one with the most right answers (a wrong answer with a real citation is not traded for
a right one). The model refitted on all the questions is written with that threshold.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path

import numpy as np

from answering.sureness import FEATURES, SURENESS_FILE, Sureness, derived
from answering.weights import RULE
from bench.docs import publish, reproduce, weights_table
from bench.quality import DATA, WORKDIR, answerable_set, build, evidence_corpus, load_questions, outcome

YEARS = ("2020", "2021")  # the only questions the model may see
FOLDS = 5
SEED = 7


@dataclass(frozen=True)
class _Recorder(Sureness):
    """A model that answers everything and keeps the features it was shown."""

    seen: list = field(default_factory=list)

    def probability(self, features: dict[str, float]) -> float:
        self.seen.append(features)
        return 1.0


@dataclass
class Row:
    features: dict[str, float] | None  # None: nothing left after the checks (abstains whatever the model says)
    right: bool  # the answer chosen is the gold answer
    answerable: bool
    by_rule: bool  # answered right by the margin rule instead
    rule_answered: bool


def collect(args) -> list[Row]:
    from answering.answer import decide, parse_when, read, retrieve
    from answering.weights import with_weights

    raw = [json.loads(line) for line in (args.data / "questions_2020_2024.jsonl").open(encoding="utf-8")]
    items = evidence_corpus(raw)
    questions = load_questions(args.data).values()
    pool = sorted((q for q in questions if q.answer and q.date[:4] in YEARS), key=lambda q: q.id)
    if args.limit:
        import random

        pool = random.Random(SEED).sample(pool, min(args.limit, len(pool)))
    can = answerable_set(items, pool)
    library = build(args.workdir, "evidence", items, False, "int8")
    recorder = _Recorder({}, 0.0, 0.0)
    every = with_weights(sureness=recorder)
    rows = []
    try:
        for n, q in enumerate(pool, 1):
            as_of = parse_when(q.date)
            reading = read(q.text, retrieve(library, q.text, as_of=as_of), as_of=as_of)
            recorder.seen.clear()
            result = decide(reading.question, reading, every)
            seen = recorder.seen[-1] if recorder.seen else None
            by_rule = decide(reading.question, reading, RULE)
            right, rule_right = _right(q, result), _right(q, by_rule)
            rows.append(Row(seen, right, q.id in can, rule_right, not by_rule.abstained))
            if n % 100 == 0 or n == len(pool):
                print(f"read {n:,}/{len(pool):,} questions", file=sys.stderr)
    finally:
        library.close()
    return rows


def _right(q, result) -> bool:
    """bench.quality's answer hit: the answer holds the gold answer and is short."""
    return outcome(q, result, [], True, 0.0).answer_hit


def _model(c: float):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=2000))


def scores(rows: list[Row], answered: np.ndarray, right: np.ndarray) -> dict[str, float]:
    """Answer hit and the two abstentions when the questions `answered` (a mask over rows) are answered, and
    those `right` are right."""
    can = np.array([r.answerable for r in rows])
    return {
        "answer hit": float((answered & right & can).sum() / max(can.sum(), 1)),
        "abstain (answerable)": float(1 - (answered & can).sum() / max(can.sum(), 1)),
        "abstain (unanswerable)": float(1 - (answered & ~can).sum() / max((~can).sum(), 1)),
        "wrong answers": float((answered & ~right).sum() / len(rows)),
    }


def cross_validate(rows: list[Row], c: float) -> np.ndarray:
    """Each question's probability from the model fitted on the other folds (0 where nothing was left)."""
    from sklearn.model_selection import KFold

    idx = np.array([i for i, r in enumerate(rows) if r.features is not None])
    x = np.array([[rows[i].features[f] for f in FEATURES] for i in idx])
    y = np.array([rows[i].right for i in idx])
    p = np.zeros(len(rows))
    for train, test in KFold(FOLDS, shuffle=True, random_state=SEED).split(x):
        p[idx[test]] = _model(c).fit(x[train], y[train]).predict_proba(x[test])[:, 1]
    return p


def stand(rows: list[Row], p: np.ndarray) -> tuple[float, dict[str, float], dict[str, float]]:
    """The threshold where we stand: abstaining on unanswerable questions at least as often as the margin rule,
    the most right answers; with its scores and the rule's."""
    has = np.array([r.features is not None for r in rows])
    rule = scores(rows, np.array([r.rule_answered for r in rows]), np.array([r.by_rule for r in rows]))
    right = np.array([r.right for r in rows])
    best = None
    for t in sorted(set(p[has])):
        s = scores(rows, has & (p >= t), right)
        safe = s["abstain (unanswerable)"] >= rule["abstain (unanswerable)"]
        if safe and (best is None or s["answer hit"] > best[1]["answer hit"]):
            best = (float(t), s)
    assert best is not None
    return best[0], best[1], rule


def fit(rows: list[Row], c: float) -> tuple[dict[str, float], float]:
    """The model on every question, its weights on the features as they are (not standardised), and its bias."""
    x = np.array([[r.features[f] for f in FEATURES] for r in rows if r.features is not None])
    y = np.array([r.right for r in rows if r.features is not None])
    pipe = _model(c).fit(x, y)
    scaler, logit = pipe[0], pipe[-1]
    w = logit.coef_[0] / scaler.scale_
    bias = float(logit.intercept_[0] - (w * scaler.mean_).sum())
    return {f: round(float(v), 6) for f, v in zip(FEATURES, w, strict=True)}, round(bias, 6)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--workdir", type=Path, default=WORKDIR)
    parser.add_argument("--limit", type=int, default=0, help="questions of 2020-2021 (0: all)")
    parser.add_argument("--c", type=float, default=1.0, help="inverse L2 strength")
    parser.add_argument("--write", action="store_true", help=f"write {SURENESS_FILE.name}")
    parser.add_argument("--reuse", action="store_true", help="fit on the questions as the last run read them")
    args = parser.parse_args(argv)
    if not (args.data / "questions_2020_2024.jsonl").exists():
        print(f"RealTime QA not found at {args.data}: nothing to fit (it is read from ../shared).")
        return 0
    args.workdir.mkdir(parents=True, exist_ok=True)
    cache = args.workdir / "sureness-rows.json"  # the questions as read, for --reuse
    if args.reuse and cache.is_file():
        rows = [Row(**r) for r in json.loads(cache.read_text(encoding="utf-8"))]
        rows = [replace(r, features=derived(r.features)) if r.features else r for r in rows]
    else:
        rows = collect(args)
        cache.write_text(json.dumps([asdict(r) for r in rows]), encoding="utf-8")
    p = cross_validate(rows, args.c)
    threshold, learned, rule = stand(rows, p)
    n_can = sum(r.answerable for r in rows)
    weights, bias = fit(rows, args.c)
    body = [
        f"{len(rows)} RealTime QA questions of 2020-2021 ({n_can} answerable from the *evidence* corpus), "
        f"{FOLDS}-fold cross-validation over the questions (each question's sureness from the model fitted on the "
        "other folds); *wrong answers*: of all questions, answered and not right.",
        "",
        "| abstention by | answer hit | abstain (answerable) | abstain (unanswerable) | wrong answers |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {name} | " + " | ".join(f"{s[k]:.3f}" for k in learned) + " |"
            for name, s in (
                (f"margin rule ({RULE.min_margin:g}, {RULE.sure_overlap:g})", rule),
                (f"sureness ≥ {threshold:.3f}", learned),
            )
        ),
        "",
        "The threshold is chosen on those cross-validated probabilities; the weights shipped with it are the model "
        f"refitted on all the questions (on the features as they are; bias {bias:.3f}):",
        "",
        *weights_table(FEATURES, [weights[f] for f in FEATURES], 3),
        "",
        f"Reproduce: `{reproduce('bench.sureness', argv)}`",
    ]
    publish("sureness", "Abstaining by a model of sureness", "\n".join(body), args.write)
    if args.write:
        SURENESS_FILE.write_text(
            json.dumps(
                {
                    "weights": weights,
                    "bias": bias,
                    "threshold": threshold,
                    "fitted": {
                        "on": f"RealTime QA questions of {'-'.join(YEARS)} with a gold answer ({len(rows)}, {n_can} "
                        "answerable), asked of the evidence corpus as of their day; never 2022-2024",
                        "command": "python -m bench.sureness --write",
                        "day": date.today().isoformat(),
                        "threshold": "chosen on the cross-validated probabilities (each question's from the model "
                        "fitted on the other folds); the weights are the model refitted on every question",
                        "cross_validated": {"model": learned, "margin rule": rule},
                    },
                },
                indent=1,
            )
            + "\n",
            encoding="utf-8",
        )
        print(f"wrote {SURENESS_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
