"""bench.quality's scoring of one answer: answer hit beside SQuAD-style EM and F1."""

from types import SimpleNamespace

from bench.quality import Question, outcome, summarise


def _result(answer, quote="", abstained=False):
    citations = [SimpleNamespace(quote=quote, url="https://example.com/a")] if quote else []
    return SimpleNamespace(answer=answer, abstained=abstained, citations=citations, answer_type="PERSON")


def test_a_right_answer_written_another_way_scores_part_of_f1_not_exact():
    q = Question("q1", "2024-01-05", "Who chairs the committee?", "Liz Cheney")
    o = outcome(q, _result("Rep. Liz Cheney", "Rep. Liz Cheney chairs it."), [], True, 0.1)
    assert o.answer_hit and o.exact == 0.0
    assert abs(o.f1 - 0.8) < 1e-9  # two of three words predicted, both of the gold's: 2·(2/3)·1 / (2/3 + 1)


def test_an_abstention_scores_nothing_and_a_same_answer_scores_one():
    q = Question("q2", "2024-01-05", "Which bank?", "The Bank of Japan")
    abstained = outcome(q, _result("Bank of Japan", abstained=True), [], True, 0.1)
    right = outcome(q, _result("bank of Japan"), [], True, 0.1)
    assert (abstained.exact, abstained.f1) == (0.0, 0.0)
    assert (right.exact, right.f1) == (1.0, 1.0)
    unanswerable = outcome(q, _result("Bank of Korea"), [], False, 0.1)
    s = summarise([abstained, right, unanswerable])
    assert s["EM"] == 0.5 and s["F1"] == 0.5  # over the answerable questions only


def test_the_reproduce_line_names_no_folder_of_this_machine():
    from bench.docs import reproduce

    line = reproduce("bench.speed", ["--sizes", "10000", "--workdir", "/home/someone/speedwork", "--write"])
    assert line == "python -m bench.speed --sizes 10000 --workdir WORKDIR --write"
    assert reproduce("bench.quality", ["--workdir=/tmp/x", "--limit", "5"]) == (
        "python -m bench.quality --workdir=WORKDIR --limit 5"
    )
