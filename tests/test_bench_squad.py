"""bench.squad's multi-paragraph reading: each question with the paragraphs of its article most like it, none
that says its answer, as retrieval hands the reader several passages of one subject."""

import json
import lzma

from bench.squad import with_others


def test_a_question_is_read_with_the_paragraphs_most_like_it_and_none_that_says_its_answer(tmp_path):
    paragraphs = [
        "The harbour of Tarnow opened in 1871 after the river was dredged.",  # the question's own
        "Tarnow's harbour handled grain and timber for the river trade.",  # like the question, no answer
        "The harbour master of Tarnow said 1871 was a hard winter.",  # says the answer: left out
        "Bees are kept on the hills above the town.",  # unlike it
    ]
    qa = {
        "id": "q1",
        "question": "When did the harbour of Tarnow open?",
        "answers": [{"text": "1871", "answer_start": 37}],
    }
    data = {"data": [{"title": "Tarnow", "paragraphs": [{"context": paragraphs[0], "qas": [qa]}]
                      + [{"context": p, "qas": []} for p in paragraphs[1:]]}]}  # fmt: skip
    path = tmp_path / "dev.json.xz"
    with lzma.open(path, "wt", encoding="utf-8") as fh:
        json.dump(data, fh)
    [(qid, question, read, golds)] = with_others(path, 2)
    assert (qid, golds) == ("q1", ["1871"])
    assert read == [paragraphs[0], paragraphs[1], paragraphs[3]]  # its own first, the most alike next
    assert with_others(path, 1)[0][2] == paragraphs[:2]
