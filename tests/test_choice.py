"""bench/choice.py: SQuAD read as news (one item per paragraph), and the conditional logit it compares with `ask`'s
own choice among answers."""

from __future__ import annotations

import json
import lzma
import random

import numpy as np

from bench.choice import RANKER_FEATURES, Episode, corpus, fit, scores


def _answer(value: str, right: bool, **features: float) -> dict:
    row = {f: 0.0 for f in RANKER_FEATURES} | features
    return row | {"value": value, "f1": 1.0 if right else 0.0, "em": 1.0 if right else 0.0}


def _episodes(n: int, seed: int) -> list[Episode]:
    """Questions of four answers each: `ask`'s score is noise, the right answer is the one most passages hold."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        right = rng.randrange(4)
        answers = [
            _answer(f"a{j}", j == right, score=rng.gauss(0, 1), mentions=rng.gauss(2.0 if j == right else 0.0, 0.5))
            for j in range(4)
        ]
        out.append(Episode(f"q{i}", [f"a{right}"], None, True, answers))
    return out


def test_the_logit_learns_what_tells_the_right_answer_and_the_score_does_not():
    w = fit(_episodes(300, 1))
    dev = _episodes(200, 2)
    by_logit = scores(dev, lambda e: max(e.answers, key=lambda a: float(np.dot(w, [a[f] for f in RANKER_FEATURES]))))
    by_score = scores(dev, lambda e: max(e.answers, key=lambda a: a["score"]))
    assert by_logit["F1"] > 90
    assert by_score["F1"] < 50  # noise picks one of four
    assert w[RANKER_FEATURES.index("mentions")] > abs(w[RANKER_FEATURES.index("score")])


def test_questions_without_a_right_answer_or_with_one_answer_teach_nothing():
    useful = _episodes(200, 3)
    alone = [Episode("q", ["x"], None, True, [_answer("x", True, score=-5.0, mentions=-5.0)]) for _ in range(50)]
    none_right = [
        Episode("q", ["z"], None, True, [_answer("x", False, mentions=9.0), _answer("y", False)]) for _ in range(50)
    ]
    assert np.allclose(fit(useful), fit(useful + alone + none_right))


def test_an_abstention_scores_nothing_and_is_not_answered():
    dev = [
        Episode("q1", ["a"], None, True, [_answer("a", True)]),
        Episode("q2", ["b"], None, True, []),
    ]
    s = scores(dev, lambda e: e.answers[0] if e.answers else None)
    assert s == {"EM": 50.0, "F1": 50.0, "answered": 0.5}


def test_each_paragraph_is_an_item_of_its_article_and_ambiguous_questions_are_left_out(tmp_path):
    data = {
        "data": [
            {
                "title": "Port_of_Rotterdam",
                "paragraphs": [
                    {
                        "context": "The port handled 440 million tonnes in 2023.",
                        "qas": [
                            {
                                "id": "p1",
                                "question": "How much did the port handle?",
                                "answers": [{"text": "440 million tonnes", "answer_start": 17}],
                            },
                            {"id": "amb", "question": "When?", "answers": [{"text": "2023", "answer_start": 40}]},
                        ],
                    },
                    {
                        "context": "Its director is Boudewijn Siemons.",
                        "qas": [
                            {"id": "p2", "question": "Who directs it?", "answers": [{"text": " ", "answer_start": 0}]}
                        ],
                    },
                ],
            }
        ]
    }
    path = tmp_path / "train-v1.1-reconstructed.json.xz"
    with lzma.open(path, "wt", encoding="utf-8") as fh:
        json.dump(data, fh)
    with lzma.open(tmp_path / "train-v1.1-reconstructed.ambiguous_ids.txt.xz", "wt", encoding="utf-8") as fh:
        fh.write("amb\n")
    items, asked = corpus(path, articles=5, questions=10, seed=1)
    assert [it["title"] for it in items] == ["Port of Rotterdam", "Port of Rotterdam"]
    assert len({it["url"] for it in items}) == 2 and items[1]["text"] == "Its director is Boudewijn Siemons."
    # The ambiguous question and the one whose only answer is blank are not asked.
    assert asked == [("How much did the port handle?", ["440 million tonnes"], items[0]["url"])]
