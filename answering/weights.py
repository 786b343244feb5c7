"""The weights that combine the reader's margin with the other evidence, and where each was chosen."""

from __future__ import annotations

from dataclasses import dataclass, replace

from answering.sureness import Sureness


@dataclass(frozen=True, kw_only=True)
class Weights:
    # dense_weight and agreement: the best of 660 settings by `python -m bench.quality --calibrate` (RealTime QA
    # 2020-2021, 600 questions), for the reader before its near-miss training. The abstention (min_margin,
    # sure_overlap) and overlap: searched together by `--calibrate --grid` on those questions and checked on the
    # near-miss set of our own stories (`python -m bench.near_miss --curve`; docs/benchmarks.md). A span answers
    # when its reader margin plus `sure_overlap` times the share of the question's words its sentence holds
    # (weighed by rarity) reaches `min_margin`: a sentence that says what the question asks needs less of the
    # reader's certainty than one that shares none of its words. Of the 150 settings, those that abstain on the
    # unanswerable quiz questions at least as often as margin -10 alone did (0.784), -8 with 12 answers the most
    # (answer hit 0.348 against 0.308, cited right 0.485 against 0.454; near misses abstained 0.958 either way).
    min_margin: float = -8.0
    sure_overlap: float = 12.0
    # Added to a span's score for that share: the best of 0-8 in the same search.
    overlap: float = 4.0
    dense_weight: float = 8.0
    agreement: float = 0.5
    recent_slack: float = 1.5
    # For and against a report when the question names its month ("in June"), or a period before its "now"
    # ("this week", "yesterday"): set by hand.
    month: float = 3.0
    # Against a report for each year it is older than the question's "now" (or the start of the years it names):
    # a wrong pick often came from a report years older than the question. Searched by `--calibrate --grid
    # '{"age":[0,0.5,1,2,4,8,16,32,64]}'`: 0 -> 16 answered 3 more of 253 answerable quiz questions of 2020-2021
    # right (0.316 -> 0.328), no other change; higher bought nothing more (docs/benchmarks.md).
    age: float = 16.0
    # Another answer is a disagreement when its score is within this of the chosen one's, it is the same kind of
    # thing (a rate, an amount, a date), it comes from other articles, and its reports are within
    # `same_time_days` of the chosen ones (set by hand; docs/benchmarks.md measures how often it fires).
    disagree_slack: float = 4.0
    same_time_days: float = 3.0
    sure: float = 0.0  # ... and its reader margin is at least this (the reader finds it answers)
    # How sure the chosen answer must be, by a model of "this answer is right" (answering/sureness.py), instead of
    # the rule of `min_margin` and `sure_overlap` (which then only bounds the spans read: margin at least
    # `min_margin - sure_overlap`). None: the rule.
    sureness: Sureness | None = None


# The margin rule: where no model judges the answer (a timeline's steps, and the model's own fitting).
RULE = Weights()
_SURENESS = Sureness.load()
WEIGHTS = replace(RULE, sureness=_SURENESS) if _SURENESS else RULE  # as shipped: the model, when its file is there


def with_weights(**changes: float) -> Weights:
    """The shipped weights with some changed (calibration and benchmarks)."""
    return replace(WEIGHTS, **changes)
