"""The reader's training command on a tiny SQuAD-format file of our own: it trains, stops and resumes where it
stopped, and exports a graph the shipped Reader class loads and reads with. A smoke run, never real training."""

from __future__ import annotations

import json
import lzma

import pytest

from answering.reader import Reader, Window

PARAGRAPHS = [
    (
        "The harbour authority said container traffic rose 12% in May. Most of the growth came from car carriers "
        "arriving from Korea, and the new terminal opened on June 3.",
        [("How much did container traffic rise?", "12%"), ("When did the new terminal open?", "June 3")],
    ),
    (
        "Finance minister Lena Ortiz will lead the delegation to Brussels. The talks cover steel quotas and "
        "dairy access, and are expected to last two weeks.",
        [("Who will lead the delegation?", "Lena Ortiz"), ("What do the talks cover?", "steel quotas and dairy")],
    ),
    (
        "A 40% levy on imported bicycles takes effect next month, the trade office announced. Retailers warned "
        "that prices would climb before the holiday season.",
        [("What levy will bicycles face?", "40%"), ("Who warned about prices?", "Retailers")],
    ),
]


def write_squad(folder) -> None:
    paragraphs = []
    for p, (context, qas) in enumerate(PARAGRAPHS):
        items = [
            {"id": f"t{p}-{i}", "question": q, "answers": [{"text": a, "answer_start": context.index(a)}]}
            for i, (q, a) in enumerate(qas)
        ]
        paragraphs.append({"context": context, "qas": items})
    data = {"version": "1.1", "data": [{"title": "Ports and trade", "paragraphs": paragraphs}]}
    with lzma.open(folder / "train-v1.1-reconstructed.json.xz", "wt", encoding="utf-8") as fh:
        json.dump(data, fh)


@pytest.mark.slow
def test_training_smoke_run_stops_resumes_and_exports_a_readable_model(tmp_path):
    pytest.importorskip("torch")
    from training import train_reader

    write_squad(tmp_path)
    out, model_dir = tmp_path / "run", tmp_path / "model"
    common = ["--squad", str(tmp_path), "--out", str(out), "--threads", "1", "--smoke"]
    train_reader.main(["train", *common, "--stop-after", "1"])
    assert (out / "checkpoint.pt").exists() and not (out / "final").exists()  # stopped early: no final weights
    recipe = json.loads((out / "recipe.json").read_text())
    assert recipe["seed"] == 13 and recipe["batch"] == 2 and recipe["base"] == ""
    with pytest.raises(SystemExit, match="resume it with the same --base"):  # another model cannot resume this run
        train_reader.main(["train", *common, "--base", str(tmp_path / "another-model")])

    train_reader.main(["train", *common])  # continues from the checkpoint to the end
    log = [json.loads(line) for line in (out / "train.log").read_text().splitlines()]
    sessions = [entry["session_steps"] for entry in log if "session_steps" in entry]
    assert sessions[0] == 1 and len(sessions) == 2 and sessions[1] >= 1  # the second run did not start over
    assert (out / "final" / "config.json").exists()

    train_reader.main(["export", "--out", str(out), "--model-dir", str(model_dir)])
    reader = Reader(model_dir)
    assert reader.available()
    text = PARAGRAPHS[1][0]
    spans, nulls = reader.read("Who will lead the delegation?", [Window(text, "Trade talks")])
    assert len(nulls) == 1 and spans
    assert all(text[s.start : s.end] == s.text and s.text for s in spans)  # offsets index the passage exactly


@pytest.mark.slow
def test_windows_do_not_depend_on_the_number_of_worker_processes(tmp_path):
    """Cutting examples into windows runs in worker processes, each block with its own seeded generator: one
    worker or two give the same windows, targets included."""
    pytest.importorskip("transformers")
    import numpy as np

    from training import train_reader
    from training.negatives import Example

    long = " ".join(PARAGRAPHS[i % 3][0] for i in range(12))  # several windows, some without the answer
    examples = [Example(q, "Ports and trade", ctx, ctx.index(a), a, "plain") for ctx, qas in PARAGRAPHS for q, a in qas]
    examples += [Example("How much did container traffic rise?", "Ports", long, long.index("12%"), "12%", "plain")]
    examples = examples * 700  # past one block of 2,000, so two workers both work
    recipe = train_reader.Recipe(max_len=64, stride=16)
    base = train_reader.bundled_model_path()
    one = train_reader.featurize(examples, base, recipe, workers=1)
    two = train_reader.featurize(examples, base, recipe, workers=2)
    assert all(np.array_equal(one[k], two[k]) for k in one)
    assert (one["start"] > 0).any() and (one["start"] == 0).any()  # answers found, answerless windows kept too
