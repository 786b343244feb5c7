"""Continuing the shipped reader (training/continue_reader.py): its starting point is the shipped int8 graph read
back into PyTorch, and its loss scores the spans of several passages of one question together. Never real
training: the loss on made-up logits, and the dequantised weights against the graph they come from."""

from __future__ import annotations

import pytest

from training.continue_reader import loss_of

torch = pytest.importorskip("torch")


def _logits(rows):
    return torch.tensor(rows, dtype=torch.float32)


def test_one_softmax_over_an_episode_ranks_its_answer_against_every_passage():
    """Two windows of one question, the answer in the first. Each window's own softmax is the same in both
    cases; only the shared one sees that the second window's best span outscores the answer."""
    mask = torch.ones((2, 4), dtype=torch.long)
    targets = [(2, 2), None]  # the answer at position 2 of window 0; window 1 holds none
    calm = _logits([[0.0, 0.0, 5.0, 0.0], [3.0, 0.0, 0.0, 0.0]])  # window 1 says "not here" (its [CLS])
    rival = _logits([[0.0, 0.0, 5.0, 0.0], [10.0, 0.0, 0.0, 7.0]])  # window 1 is surer of another span
    own_only = [loss_of(torch, x, x, mask, [[0, 1]], targets, 0.0) for x in (calm, rival)]
    shared = [loss_of(torch, x, x, mask, [[0, 1]], targets, 1.0) for x in (calm, rival)]
    assert own_only[1] < own_only[0] + 0.01  # per window, the rival window looks right: it says "not here"
    assert shared[1] > shared[0] + 1.0  # together, a window surer of its own spans costs the answer


def test_an_episode_without_an_answer_is_right_when_every_window_says_not_here():
    mask = torch.ones((2, 3), dtype=torch.long)
    sure = _logits([[6.0, 0.0, 0.0], [6.0, 0.0, 0.0]])
    tempted = _logits([[0.0, 6.0, 0.0], [6.0, 0.0, 0.0]])
    losses = [loss_of(torch, x, x, mask, [[0, 1]], [None, None], 0.5) for x in (sure, tempted)]
    assert losses[1] > losses[0] + 1.0


@pytest.mark.slow
def test_the_dequantised_reader_gives_the_shipped_graphs_logits():
    pytest.importorskip("transformers")
    import numpy as np
    import onnxruntime as ort
    from transformers import AutoTokenizer

    from answering.reader import MODEL_DIR, MODEL_FILE
    from training.continue_reader import dequantised
    from training.train_reader import bundled_model_path

    model = dequantised(MODEL_DIR / MODEL_FILE).eval()
    tokenizer = AutoTokenizer.from_pretrained(bundled_model_path())
    session = ort.InferenceSession(str(MODEL_DIR / MODEL_FILE), providers=["CPUExecutionProvider"])
    enc = tokenizer(
        "What levy will imported bicycles face?",
        "Bicycle levy. A 40% levy on imported bicycles takes effect next month, the trade office said.",
        return_tensors="pt",
    )
    with torch.no_grad():
        ours = model(**enc).start_logits[0].numpy()
    theirs = session.run(None, {k: enc[k].numpy() for k in ("input_ids", "attention_mask", "token_type_ids")})[0][0]
    assert np.corrcoef(ours, theirs)[0, 1] > 0.98  # int8 activations only approximate the float weights
    assert ours.argmax() == theirs.argmax()
