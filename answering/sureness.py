"""How sure `ask` is of the answer it chose: a logistic model of "this answer is right" over what is known of it
by then, in place of the margin rule for abstaining.

The reader's margin (its span score less its passage's "not here" score) says little across passages, and a
rule on the margin alone (with the question's words in the span's sentence) abstains on many answerable
questions while answering unanswerable ones. Other signals tell right from wrong: how like the question its
passage is and how high it ranked, how much of the question its sentence says, whether its story's headline
says it, how far it leads the next answer, how many articles give it, its length.

The model (`answering/model/sureness.json`: a weight for each of `FEATURES`, a bias, and the probability at and
above which `ask` answers) is fitted by `python -m bench.sureness --write` on RealTime QA questions of 2020-2021
only (the benchmark's 2022-2024 questions never), each asked of the *evidence* corpus as of its day; the file
says what it was fitted on and how it scored. Without the file `ask` abstains by the margin rule
(answering/weights.py `min_margin`, `sure_overlap`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from answering.candidates import Candidate, Reading

SURENESS_FILE = Path(__file__).resolve().parent / "model" / "sureness.json"

FEATURES = (
    "margin",  # the reader's margin for the surest reading of the answer
    "share",  # the share of the question's words (weighed by rarity) that reading's sentence holds
    "dense",  # its passage's cosine similarity to the question (0 when below)
    "null",  # its passage's "not here" score
    "rank",  # log(1 + its passage's retrieval rank, 0 first)
    "articles",  # log(the articles that give the answer)
    "lead",  # how far the answer's score leads the next answer's (20 when none; at most 20)
    "answers",  # log(the different answers the passages support)
    "title",  # the reading is its story's headline
    "words",  # the answer's length in words, at most 8
    "margin_above",  # the margin above 0, where the reader finds the answer in its passage, counted again
)
# Not a feature: the report's age against the question. In the corpus the model is fitted on, each question's
# own evidence is dated on the question's day, so there an older report is almost never right (a weight of -9
# a year); in the news a rate reported months ago is often still the rate. Its age reorders answers
# (Weights.age) and does not decide whether one is given.
LEAD_CAP = 20.0


def derived(features: dict[str, float]) -> dict[str, float]:
    """The features with those computed from the others: a margin well above 0 is rare in the questions the
    model is fitted on and far surer than a linear weight on the margin alone says (of the 54 answers read at 5
    or more, 0.74 were right; at 0 to 5, 0.54; at -10 to -5, 0.35; below -10, 0.12)."""
    return {**features, "margin_above": max(features["margin"], 0.0)}


def features(members: list[Candidate], score: float, others: list[float], reading: Reading) -> dict[str, float]:
    """The features of one answer: `members` the candidates that give it, `score` its score among the answers,
    `others` the other answers' scores."""
    top = max(members, key=lambda c: c.span.margin)
    lead = min(score - max(others), LEAD_CAP) if others else LEAD_CAP
    return derived(
        {
            "margin": top.span.margin,
            "share": top.share,
            "dense": max(top.hit.dense or 0.0, 0.0),
            "null": reading.nulls[top.span.window],
            "rank": math.log1p(top.span.window),
            "articles": math.log(len({c.hit.article_id for c in members})),
            "lead": lead,
            "answers": math.log(1 + len(others)),
            "title": float(top.span.in_title),
            "words": float(min(len(top.value.split()), 8)),
        }
    )


@dataclass(frozen=True)
class Sureness:
    weights: tuple[tuple[str, float], ...]  # (feature, weight) pairs: a dict is accepted and kept as pairs
    bias: float
    threshold: float  # `ask` answers when the probability is at least this

    def __post_init__(self) -> None:
        if isinstance(self.weights, dict):
            object.__setattr__(self, "weights", tuple(self.weights.items()))

    def probability(self, features: dict[str, float]) -> float:
        z = self.bias + sum(weight * features[name] for name, weight in self.weights)
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    @classmethod
    def load(cls, path: Path = SURENESS_FILE) -> Sureness | None:
        if not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        weights = {k: float(v) for k, v in data["weights"].items()}
        if set(weights) != set(FEATURES):
            raise ValueError(
                f"{path}: fitted on other features than this code's ({', '.join(FEATURES)}); remove it and refit it "
                "(python -m bench.sureness --write)"
            )
        return cls(weights, float(data["bias"]), float(data["threshold"]))
