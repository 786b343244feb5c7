"""Abstaining by how sure a model is that the chosen answer is right (answering/sureness.py), not by the reader's
margin alone; and a passage that does not repeat a name the question says in passing."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import timedelta

import pytest

from answering.answer import decide
from answering.candidates import Reading, supported
from answering.reader import Span
from answering.subjects import passing_said, subjects
from answering.sureness import FEATURES, LEAD_CAP, SURENESS_FILE, Sureness, features
from answering.weights import WEIGHTS, Weights
from tests.hits import PUBLISHED, hit

MARGIN_ONLY = Weights(min_margin=-8.0, sure_overlap=0.0, overlap=0.0, dense_weight=0.0, age=0.0)


def span(hits, w: int, text: str, score: float, null: float = 0.0) -> Span:
    at = hits[w].text.index(text)
    return Span(w, at, at + len(text), text, score, null)


def by_similarity(threshold: float = 0.5) -> Sureness:
    """A model sure of an answer from a passage like the question, whatever the reader's margin."""
    weights = dict.fromkeys(FEATURES, 0.0)
    weights["dense"] = 10.0
    return Sureness(weights, -5.0, threshold)


def test_the_model_answers_a_span_the_margin_rule_drops_and_drops_one_it_keeps():
    close = [hit("The port of Halden reopened on Monday after the strike.", dense=0.9)]
    far = [hit("The port of Halden reopened on Monday after the strike.", dense=0.2)]
    unsure_reader = lambda hits: Reading("q", hits, [span(hits, 0, "Monday", 1.0, null=12.0)], [12.0])  # noqa: E731
    sure_reader = lambda hits: Reading("q", hits, [span(hits, 0, "Monday", 9.0, null=0.0)], [0.0])  # noqa: E731
    question = "When did the port of Halden reopen?"
    # The rule: margin -11 abstains, margin 9 answers, whatever else is known.
    assert decide(question, unsure_reader(close), MARGIN_ONLY).abstained
    assert not decide(question, sure_reader(far), MARGIN_ONLY).abstained
    model = Weights(min_margin=-8.0, sure_overlap=12.0, overlap=0.0, dense_weight=0.0, age=0.0)
    model = replace(model, sureness=by_similarity())
    answered = decide(question, unsure_reader(close), model)
    assert not answered.abstained and answered.citations[0].quote.startswith("The port of Halden reopened")
    assert decide(question, sure_reader(far), model).abstained
    # A span below min_margin - sure_overlap is not read at all, however sure the model would be.
    hits = [hit("The port of Halden reopened on Monday after the strike.", dense=0.9)]
    too_low = Reading("q", hits, [span(hits, 0, "Monday", 1.0, null=30.0)], [30.0])
    assert decide(question, too_low, model).abstained


def test_with_the_model_an_abstention_still_says_why():
    hits = [hit("The Halden port authority said the berth fees rise 4% in May.", dense=0.1)]
    reading = Reading("q", hits, [span(hits, 0, "4%", 6.0)], [0.0])
    model = Weights(min_margin=-8.0, sure_overlap=12.0, dense_weight=0.0, sureness=by_similarity())
    # The model is unsure of the 4% (a passage unlike the question): the passages hold the names, so they "do not
    # answer"; with a sure model the same reading answers.
    result = decide("By how much will Maersk raise its berth fees at Halden?", reading, model)
    assert result.abstained and result.note == "the closest passages do not answer the question"
    sure = replace(model, sureness=by_similarity(threshold=0.001))
    assert decide("By how much will Maersk raise its berth fees at Halden?", reading, sure).answer == "4%"
    # Names of what is asked that no passage holds are said, whoever decides.
    result = decide("By how much did Vestbank's Kjell Aasen say the fees rise?", reading, model)
    assert result.abstained and result.note == "the closest passages do not mention Kjell Aasen or Vestbank"


def test_a_name_said_in_passing_need_not_be_in_the_passage():
    hits = [hit("Nordvik Shipping said on Tuesday it would move its headquarters to Rotterdam.", dense=0.5)]
    reading = Reading("q", hits, [span(hits, 0, "Rotterdam", 2.0)], [0.0])
    rule = Weights(min_margin=-8.0, sure_overlap=0.0, overlap=0.0, dense_weight=0.0, age=0.0)
    for question in [
        "Following the Maersk merger talks, which city will Nordvik move its headquarters to?",
        "According to Lloyd's List, which city will Nordvik move its headquarters to?",
        "Which city will Nordvik move its headquarters to, amid the Maersk merger talks?",
    ]:
        assert decide(question, reading, rule).answer == "Rotterdam", question
    # A name of what is asked must be there ("Maersk's headquarters" are not Nordvik's), and so must one said in
    # passing when the question names nothing else ...
    assert decide("Which city will Maersk move its headquarters to?", reading, rule).abstained
    alone = "Following the Maersk merger talks, which city will the shipper move its headquarters to?"
    assert decide(alone, reading, rule).note == "the closest passages do not mention Maersk"
    # ... and a country asked about, even in passing, must not be another's.
    norway = [hit("Nordvik Shipping of Norway said it would move its headquarters to Rotterdam.", dense=0.5)]
    elsewhere = Reading("q", norway, [span(norway, 0, "Rotterdam", 2.0)], [0.0])
    assert decide("Following talks in Ottawa, which city will the Canadian shipper move to?", elsewhere, rule).abstained


def test_what_a_question_says_in_passing():
    assert subjects("Following talks with the FAO, when will Vietnam lift its rice curbs?").names == []
    assert subjects("Citing the “chip crunch,” which carmaker halted its Saarlouis plant?").names == ["Saarlouis"]
    assert subjects("As the Escondida talks stall, by how much did Chile's copper output fall?").names == []
    assert subjects("What did the WTO rule, according to Reuters?").names == ["WTO"]
    assert subjects("Which country did Lukashenko anger after the Ryanair jet was diverted?").names == ["Lukashenko"]
    # ... unless it names nothing else: then the passage must say that.
    assert subjects("Which country faces a backlash after the Ryanair jet was diverted?").names == ["Ryanair"]
    assert subjects("Who is the chief executive of Airbus?").names == ["Airbus"]
    assert subjects("How much is a gallon of gas in Nevada?").names == ["Nevada"]
    # What the question asks about stays: a relative clause after a name, "which of the following", a phrase that
    # opens no circumstance, a question that names nothing else.
    assert subjects("Shane Warne, who played for Australia, took how many wickets?").names == ["Shane Warne"]
    assert subjects("Which of the following companies did Elon Musk agree to buy?").names == ["Elon Musk"]
    assert subjects("Under the deal with Pfizer, how many doses will the EU get?").names == ["Pfizer"]
    assert subjects("Which company rejected a bid after the Broadcom talks?").names == ["Broadcom"]
    assert subjects("Johnson left hospital after a week. How many days was Johnson there?").names == ["Johnson"]
    asked = "Amid the Boeing strike, who leads Airbus?"
    said = passing_said(asked)  # as long as the question: its offsets stay the question's
    assert said == "," + " " * 23 + "who leads Airbus?" and len(said) == len(asked)


def test_the_features_of_an_answer():
    old = PUBLISHED - timedelta(days=740)
    hits = [
        hit("The levy on Halden salmon is 12%, officials said.", article_id="a", dense=0.7),
        hit("Halden salmon faces a 12% levy.", article_id="b", dense=0.4, title="Salmon levy at 12%"),
        hit("The Halden salmon levy is 9%.", article_id="c", dense=0.8, published=old),
    ]
    spans = [span(hits, 0, "12%", 1.0, null=-1.0), span(hits, 1, "12%", 5.0, null=1.0), span(hits, 2, "9%", 4.0)]
    weights = Weights(min_margin=-8.0, sure_overlap=12.0, overlap=0.0, dense_weight=0.0, agreement=0.5, age=16.0)
    reading = Reading("What is the levy on Halden salmon?", hits, spans, [-1.0, 1.0, 0.0], as_of=PUBLISHED)
    found, _ = supported(reading.question, reading, weights)
    twelve = [c for c in found if c.value == "12%"]
    nine = [c for c in found if c.value == "9%"]
    assert nine[0].aged == pytest.approx(16.0 * 740 / 365.25)
    f = features(twelve, 4.0 + 0.5, [nine[0].score], reading)
    assert set(f) == set(FEATURES)
    # The surest reading (margin 5 - 1 = 4, passage b, ranked second) speaks for the answer.
    assert (f["margin"], f["null"], f["dense"], f["rank"]) == (4.0, 1.0, 0.4, pytest.approx(math.log(2)))
    assert f["articles"] == pytest.approx(math.log(2)) and f["answers"] == pytest.approx(math.log(2))
    assert f["lead"] == LEAD_CAP and f["words"] == 1.0  # 4.5 - (4 - 32.5): at most 20
    behind = features(nine, nine[0].score, [4.5], reading)
    assert behind["lead"] == pytest.approx(nine[0].score - 4.5) and "aged" not in behind  # the age reorders only


def test_a_model_whose_features_are_not_this_codes_is_an_error(tmp_path):
    path = tmp_path / "sureness.json"
    path.write_text(json.dumps({"weights": {"margin": 1.0}, "bias": 0.0, "threshold": 0.5}), encoding="utf-8")
    with pytest.raises(ValueError, match="remove it and refit it"):
        Sureness.load(path)
    assert Sureness.load(tmp_path / "absent.json") is None


def test_the_shipped_model_decides_and_says_where_it_was_fitted():
    data = json.loads(SURENESS_FILE.read_text(encoding="utf-8"))
    assert WEIGHTS.sureness == Sureness.load() and hash(WEIGHTS)  # the shipped weights carry it (and hash)
    assert "2020-2021" in data["fitted"]["on"] and "never 2022-2024" in data["fitted"]["on"]
    learned, rule = data["fitted"]["cross_validated"]["model"], data["fitted"]["cross_validated"]["margin rule"]
    assert learned["abstain (unanswerable)"] >= rule["abstain (unanswerable)"]  # where we stand
    # It reads what it was fitted to read: a sure reading of a passage like the question, at the top, answers;
    # the same words from a passage unlike the question, ranked last among many answers, do not.
    sure = {"margin": 6.0, "share": 0.6, "dense": 0.7, "null": 2.0, "rank": 0.0, "articles": math.log(2)}
    sure |= {"lead": 8.0, "answers": math.log(2), "title": 0.0, "words": 2.0, "margin_above": 6.0}
    unsure = sure | {"margin": -12.0, "margin_above": 0.0, "share": 0.0, "dense": 0.2, "rank": math.log(8)}
    unsure |= {"articles": 0.0, "lead": -3.0, "answers": math.log(8), "words": 7.0}
    assert WEIGHTS.sureness.probability(sure) >= WEIGHTS.sureness.threshold
    assert WEIGHTS.sureness.probability(unsure) < WEIGHTS.sureness.threshold


def _rows(n: int = 200):
    """Questions whose right answers have a larger margin and a larger share of the question's words, made up,
    with a seed."""
    import numpy as np

    from bench.sureness import Row

    rng = np.random.default_rng(3)
    rows = []
    for i in range(n):
        answerable = i % 2 == 0
        right = answerable and rng.random() < 0.6
        f = {name: float(rng.normal()) for name in FEATURES}
        f["margin"] += 2.0 if right else 0.0
        f["share"] += 1.0 if right else 0.0
        rows.append(Row(f, right, answerable, right and f["margin"] > 1.5, f["margin"] > 1.5))
    return rows


def test_the_fitted_weights_give_the_fitted_models_probabilities():
    import numpy as np

    from bench.sureness import _model, fit

    rows = _rows()
    weights, bias = fit(rows, 1.0)
    assert weights["margin"] > 0 and weights["share"] > 0
    x = np.array([[r.features[f] for f in FEATURES] for r in rows])
    expected = _model(1.0).fit(x, [r.right for r in rows]).predict_proba(x)[:, 1]
    model = Sureness(weights, bias, 0.5)
    assert np.allclose([model.probability(r.features) for r in rows], expected, atol=1e-4)


def test_where_we_stand_abstains_on_unanswerable_questions_as_often_as_the_rule():
    import numpy as np

    from bench.sureness import cross_validate, stand

    rows = _rows()
    p = cross_validate(rows, 1.0)
    threshold, learned, rule = stand(rows, p)
    assert learned["abstain (unanswerable)"] >= rule["abstain (unanswerable)"]
    # ... and of such thresholds, none answers more right: one step lower abstains less than the rule.
    lower = [t for t in sorted(set(p)) if t < threshold]
    if lower:
        answered = p >= lower[-1]
        unanswerable = np.array([not r.answerable for r in rows])
        assert 1 - (answered & unanswerable).sum() / unanswerable.sum() < rule["abstain (unanswerable)"]
