"""Continue the shipped reader with shared normalisation: several passages of one question scored together.

The shipped reader (training/train_reader.py) learned each window on its own: one softmax over one window's
positions. `ask` reads eight passages and compares spans across them, so a span's score must mean the same in
every passage. This continues the shipped weights on *episodes*: a SQuAD train question with its own paragraph
and the other paragraphs of its article that are most like the question by the project's own lexical analysis
(embeddings/analysis.py, as retrieval would hand them over), the answer's positions scored against every
position of every window of the episode (one softmax), beside each window's own softmax as before (its answer,
or [CLS] for "not here", so the no-answer score `ask` abstains on keeps its meaning). Near misses stay: an
episode of the paragraph without the answer's sentence, or of the question about another subject
(training/negatives.py), has no answer in any window.

    python -m training.continue_reader check       # the dequantised weights against the shipped int8 graph
    python -m training.continue_reader train       # resumes from --out/checkpoint.pt; --stop-after N, Ctrl-C
    python -m training.train_reader export --out runs/reader-shared --model-dir DIR   # -> an int8 graph

The starting point is the shipped int8 graph itself (answering/model/reader-int8.onnx), dequantised: each int8
weight times its scale (per output channel for the matrices, one per table for the embeddings); biases and
LayerNorm are stored in float. Data: SQuAD 1.1 train only, read from ../shared/bench/squad at run time.
Everything is seeded; a rerun with the same arguments makes the same episodes in the same order.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import signal
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from training.negatives import Swapper, _norm, without_answer
from training.train_reader import (
    MODEL_DIR,
    SQUAD_DIR,
    adamw,
    bundled_model_path,
    close_log,
    optimise,
    read_ambiguous,
    read_squad,
    resume,
    run_options,
    save_checkpoint,
)


@dataclass
class Recipe:
    seed: int = 29
    start: str = "answering/model/reader-int8.onnx"  # the weights continued (dequantised)
    max_len: int = 256
    stride: int = 64
    others: int = 3  # other paragraphs of the article read with the question's own
    episodes_per_step: int = 6
    steps: int = 1500
    lr: float = 2e-5
    warmup: int = 60
    weight_decay: float = 0.01
    removed: float = 0.2  # share of questions also read as an episode without the answer's sentence
    swapped: float = 0.15  # ... and about another subject of the same kind
    shared_weight: float = 0.5  # the loss: this much the episode's one softmax, the rest each window's own
    freeze_embeddings: bool = True
    notes: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Episode:
    question: str
    title: str
    passages: tuple[str, ...]  # the question's own paragraph (or what is left of it) first
    answer: str  # "" when no passage answers
    start: int  # in passages[0]; -1 when no passage answers
    kind: str  # plain, removed, swapped


# ---------------------------------------------------------------------------------------------- dequantise
def dequantised(onnx_path: Path):
    """The int8 ONNX reader as a PyTorch BertForQuestionAnswering in float32: each quantised initializer's int8
    values less their zero point, times their scale; the matrices are traced from their MatMulInteger node to
    the Add of the bias that names them."""
    import onnx
    import torch
    from onnx import numpy_helper
    from transformers import BertForQuestionAnswering

    graph = onnx.load(str(onnx_path)).graph
    init = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    consumers: dict[str, list] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)

    def value(base: str) -> np.ndarray:
        q = init[f"{base}_quantized"].astype(np.float32)
        scale, zero = init[f"{base}_scale"], init[f"{base}_zero_point"].astype(np.float32)
        return (q - zero) * scale  # per column (output channel) for a [in, out] matrix; one scalar for a table

    state = {}
    for name in init:
        if name.startswith("qa.") and not name.endswith(("_quantized", "_scale", "_zero_point")):
            state[name[3:]] = init[name]
        elif name.startswith("qa.") and name.endswith("_quantized"):
            state[name[3 : -len("_quantized")]] = value(name[: -len("_quantized")])
        elif name.endswith("_quantized"):  # a matrix: follow its product to the bias it is added to
            base = name[: -len("_quantized")]
            frontier, bias = [name], None
            for _ in range(8):
                nxt = []
                for out in frontier:
                    for node in consumers.get(out, []):
                        if node.op_type == "Add":
                            bias = next((i for i in node.input if i.startswith("qa.") and i.endswith(".bias")), None)
                        nxt.extend(node.output)
                    if bias:
                        break
                if bias:
                    break
                frontier = nxt
            if bias is None:
                raise SystemExit(f"cannot tell which layer {base} is")
            state[bias[3 : -len(".bias")] + ".weight"] = value(base).T
    model = BertForQuestionAnswering.from_pretrained(bundled_model_path(), attention_probs_dropout_prob=0.0)
    expected = {k for k in model.state_dict() if not k.endswith("position_ids")}
    missing = expected - set(state)
    if missing:
        raise SystemExit(f"the graph lacks {sorted(missing)[:4]}")
    model.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()}, strict=False)
    return model


def check(args) -> None:
    """The dequantised model's logits beside the int8 graph's, on SQuAD dev questions."""
    import onnxruntime as ort
    import torch
    from transformers import AutoTokenizer

    model = dequantised(Path(args.start)).eval()
    tokenizer = AutoTokenizer.from_pretrained(bundled_model_path())
    session = ort.InferenceSession(args.start, providers=["CPUExecutionProvider"])
    items = []
    for article in read_squad(Path(args.squad) / "dev-v1.1.json.xz")[:3]:
        for p in article["paragraphs"][:4]:
            items.append((p["qas"][0]["question"], f"{article['title']} {p['context']}"))
    ours, theirs, agree = [], [], 0
    for q, c in items:
        enc = tokenizer(q, c, truncation="only_second", max_length=256, return_tensors="pt")
        with torch.no_grad():
            out = model(**enc)
        feed = {k: enc[k].numpy() for k in ("input_ids", "attention_mask", "token_type_ids")}
        start, end = session.run(None, feed)
        a, b = out.start_logits[0].numpy(), start[0]
        ours.extend([a, out.end_logits[0].numpy()])
        theirs.extend([b, end[0]])
        agree += int(a.argmax() == b.argmax())
    x, y = np.concatenate(ours), np.concatenate(theirs)
    print(
        f"{len(items)} windows: logit correlation {np.corrcoef(x, y)[0, 1]:.4f}, mean |difference| "
        f"{np.abs(x - y).mean():.3f}, best start the same in {agree}/{len(items)}"
    )


# ------------------------------------------------------------------------------------------------ episodes
def _weights(texts: list[str]) -> tuple[list[set[str]], dict[str, float]]:
    from embeddings.analysis import terms

    bags = [set(terms(t)) for t in texts]
    counts: dict[str, int] = {}
    for bag in bags:
        for t in bag:
            counts[t] = counts.get(t, 0) + 1
    return bags, {t: math.log(1 + len(texts) / n) for t, n in counts.items()}


def make_episodes(articles: list[dict], ambiguous: set[str], recipe: Recipe, rng: random.Random) -> list[Episode]:
    """Each question with its paragraph and the `others` paragraphs of its article most like it (the question's
    words each weighed by how few of the article's paragraphs hold it), leaving out any that says the answer;
    some questions also as a near miss (its paragraph less the answer's sentence, or about another subject)."""
    from embeddings.analysis import terms

    swapper = Swapper(rng)
    for article in articles:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                swapper.learn(qa["question"])
    episodes = []
    for article in articles:
        title = article["title"].replace("_", " ")
        contexts = [p["context"] for p in article["paragraphs"]]
        bags, idf = _weights(contexts)
        normed = [f" {_norm(c)} " for c in contexts]
        for i, paragraph in enumerate(article["paragraphs"]):
            for qa in paragraph["qas"]:
                if qa["id"] in ambiguous or not qa["answers"]:
                    continue
                q, a = qa["question"], qa["answers"][0]
                words = set(terms(q))
                said = f" {_norm(a['text'])} "
                ranked = sorted(
                    (j for j in range(len(contexts)) if j != i and said not in normed[j]),
                    key=lambda j: -sum(idf[t] for t in words & bags[j]),
                )
                others = tuple(contexts[j] for j in ranked[: recipe.others])
                episodes.append(
                    Episode(q, title, (paragraph["context"], *others), a["text"], a["answer_start"], "plain")
                )
                split = without_answer(paragraph["context"], a["answer_start"], a["text"])
                if split and rng.random() < recipe.removed:
                    episodes.append(Episode(q, title, (split[1], *others), "", -1, "removed"))
                if rng.random() < recipe.swapped:
                    every = " ".join([title, paragraph["context"], *others])
                    if other_q := swapper.swap(q, every, a["text"]):
                        episodes.append(Episode(other_q, title, (paragraph["context"], *others), "", -1, "swapped"))
    rng.shuffle(episodes)
    return episodes


def windows(tokenizer, episode: Episode, recipe: Recipe):
    """The episode's windows as the reader reads them ([CLS] question [SEP] title passage [SEP], long passages
    in overlapping parts), and per window the (start, end) token positions of the answer, if it holds it."""
    enc = tokenizer(
        [episode.question.strip()[:400]] * len(episode.passages),
        [f"{episode.title} {p}" for p in episode.passages],
        truncation="only_second",
        max_length=recipe.max_len,
        stride=recipe.stride,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
    )
    out = []
    for w, passage in enumerate(enc["overflow_to_sample_mapping"]):
        seq, offsets = enc.sequence_ids(w), enc["offset_mapping"][w]
        ctx = [k for k, s in enumerate(seq) if s == 1]
        target = None
        if passage == 0 and episode.start >= 0:
            a = len(episode.title) + 1 + episode.start
            b = a + len(episode.answer)
            if offsets[ctx[0]][0] <= a and offsets[ctx[-1]][1] >= b:
                target = (
                    next(k for k in ctx if offsets[k][1] > a),
                    next(k for k in reversed(ctx) if offsets[k][0] < b),
                )
        out.append((enc["input_ids"][w], enc["token_type_ids"][w], target))
    return out


def loss_of(torch, start_logits, end_logits, mask, groups, targets, shared_weight: float):
    """Per episode (its rows of the batch, `groups`): one softmax over every position of all its windows, the
    answer's positions the target (every [CLS] when no window holds it); and each window's own softmax (its
    answer, else its [CLS]), as the reader was trained."""
    start_logits = start_logits.float().masked_fill(mask == 0, -1e4)
    end_logits = end_logits.float().masked_fill(mask == 0, -1e4)
    own = []
    shared = []
    for rows in groups:
        for logits, which in ((start_logits, 0), (end_logits, 1)):
            part = logits[rows]  # windows x positions
            gold = torch.full_like(part, -1e4)
            held = False
            for r, row in enumerate(rows):
                t = targets[row]
                pos = t[which] if t else 0
                gold[r, pos] = 0.0
                held = held or t is not None
                own.append(torch.logsumexp(part[r], 0) - part[r, pos])
            if held:  # only the answer's positions; a [CLS] of another window is not the answer
                for r, row in enumerate(rows):
                    if targets[row] is None:
                        gold[r, 0] = -1e4
            shared.append(torch.logsumexp(part.flatten(), 0) - torch.logsumexp((part + gold).flatten(), 0))
    return shared_weight * torch.stack(shared).mean() + (1 - shared_weight) * torch.stack(own).mean()


# --------------------------------------------------------------------------------------------------- train
def train(args) -> None:
    import torch
    from tqdm import tqdm
    from transformers import AutoTokenizer, get_linear_schedule_with_warmup

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    recipe_file = out / "recipe.json"
    if recipe_file.exists():
        recipe = Recipe(**json.loads(recipe_file.read_text()))
    else:
        recipe = Recipe(seed=args.seed, start=args.start, steps=args.steps, lr=args.lr, others=args.others)
        if args.smoke:
            recipe.steps, recipe.episodes_per_step = 3, 2
        recipe.notes = {"continues": "the shipped int8 reader (training/train_reader.py recipe), dequantised"}
        recipe_file.write_text(json.dumps(asdict(recipe), indent=2))
    torch.manual_seed(recipe.seed)
    torch.set_num_threads(args.threads)
    tokenizer = AutoTokenizer.from_pretrained(bundled_model_path())
    ambiguous = read_ambiguous(Path(args.squad))
    articles = read_squad(Path(args.squad) / "train-v1.1-reconstructed.json.xz")
    if args.smoke:
        articles = articles[:2]
    episodes = make_episodes(articles, ambiguous, recipe, random.Random(recipe.seed))
    kinds: dict[str, int] = {}
    for e in episodes:
        kinds[e.kind] = kinds.get(e.kind, 0) + 1
    print("episodes: " + ", ".join(f"{k} {n:,}" for k, n in sorted(kinds.items())), file=sys.stderr)

    model = dequantised(Path(recipe.start))
    optimizer = adamw(model, recipe.lr, recipe.weight_decay, recipe.freeze_embeddings)
    scheduler = get_linear_schedule_with_warmup(optimizer, recipe.warmup, recipe.steps)
    checkpoint = out / "checkpoint.pt"
    step = resume(checkpoint, model, optimizer, scheduler)

    def save() -> None:
        save_checkpoint(checkpoint, model, optimizer, scheduler, step)

    stop = {"now": False}
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.update(now=True))
    model.train()
    started, done_before = time.monotonic(), step
    log = open(out / "train.log", "a")
    bar = tqdm(total=recipe.steps, initial=step, desc="reader (shared)", unit="step", mininterval=10)
    loss_avg = None
    try:
        while step < recipe.steps and not stop["now"]:
            if args.stop_after and step - done_before >= args.stop_after:
                break
            at = step * recipe.episodes_per_step % len(episodes)
            batch = episodes[at : at + recipe.episodes_per_step]
            rows, groups, targets = [], [], []
            for e in batch:
                group = []
                for ids, types, target in windows(tokenizer, e, recipe):
                    group.append(len(rows))
                    rows.append((ids, types))
                    targets.append(target)
                groups.append(group)
            width = -(-max(len(r[0]) for r in rows) // 16) * 16
            ids = torch.zeros((len(rows), width), dtype=torch.long)
            types, mask = torch.zeros_like(ids), torch.zeros_like(ids)
            for r, (i, t) in enumerate(rows):
                ids[r, : len(i)], types[r, : len(t)], mask[r, : len(i)] = torch.tensor(i), torch.tensor(t), 1
            output = model(input_ids=ids, attention_mask=mask, token_type_ids=types)
            loss = loss_of(torch, output.start_logits, output.end_logits, mask, groups, targets, recipe.shared_weight)
            params = [p for p in model.parameters() if p.requires_grad]
            loss_avg = optimise(torch, loss, params, optimizer, scheduler, loss_avg)
            step += 1
            bar.update(1)
            bar.set_postfix(loss=f"{loss_avg:.3f}", windows=len(rows))
            if step % 25 == 0:
                elapsed = time.monotonic() - started
                entry = {"step": step, "loss": round(loss_avg, 4), "elapsed_s": round(elapsed)}
                log.write(json.dumps({**entry, "s_per_step": round(elapsed / (step - done_before), 2)}) + "\n")
                log.flush()
            if step % args.checkpoint_every == 0:
                save()
    finally:
        bar.close()
        save()
    close_log(log, step - done_before, started)
    final = out / "final"
    model.save_pretrained(final)  # also when stopped early: the weights so far, to export and measure
    tokenizer.save_pretrained(final)
    state = "done" if step >= recipe.steps else "stopped; run the same command again to continue"
    print(f"step {step:,}/{recipe.steps:,} ({state}); weights in {final}", file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m training.continue_reader", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["check", "train"])
    parser.add_argument("--squad", default=str(SQUAD_DIR), help="folder with the SQuAD files")
    parser.add_argument("--out", default="runs/reader-shared", help="checkpoints and the weights")
    parser.add_argument("--start", default=str(MODEL_DIR / "reader-int8.onnx"), help="the int8 graph continued")
    parser.add_argument("--seed", type=int, default=Recipe.seed)
    parser.add_argument("--steps", type=int, default=Recipe.steps)
    parser.add_argument("--lr", type=float, default=Recipe.lr)
    parser.add_argument("--others", type=int, default=Recipe.others, help="other paragraphs read with the question's")
    run_options(parser, checkpoint_every=50, smoke="3 steps on two articles")
    args = parser.parse_args(argv)
    check(args) if args.command == "check" else train(args)


if __name__ == "__main__":
    main()
