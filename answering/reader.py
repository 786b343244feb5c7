"""The trained extractive reader: a question and passages in; for each passage, its best answer spans with
their scores and a no-answer score out.

The model is all-MiniLM-L6-v2 fine-tuned on SQuAD 1.1 (training/train_reader.py), shipped beside this file as
an int8 ONNX graph with its tokenizer (MODEL_CARD.md says how it was made and how well it reads). Reading
needs ONNX Runtime, the tokenizers library and numpy: no PyTorch, no download.

A span's `score` is its start logit plus its end logit; `null` is the same for the [CLS] token, the model's
"the answer is not here". `margin = score - null` is how sure the reader is that the passage answers.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from embeddings.threads import side_by_side, single_thread_session

MODEL_DIR = Path(__file__).resolve().parent / "model"
MODEL_FILE = "reader-int8.onnx"
MAX_TOKENS = 256  # question + context word pieces per window
MAX_QUESTION_TOKENS = 48
MAX_TITLE_TOKENS = 32
STRIDE = 64  # word pieces consecutive windows of a long passage share
MAX_ANSWER_TOKENS = 24
TOP_STARTS = 20  # start and end positions considered per window


@dataclass
class Window:
    """One passage as the reader sees it: its `title` (the headline) and `text`; an answer is a span of
    either (a headline span has `in_title`)."""

    text: str
    title: str = ""


@dataclass
class Span:
    window: int  # index into the windows read
    start: int  # character offsets in that window's text (its title when in_title)
    end: int
    text: str
    score: float
    null: float
    in_title: bool = False

    @property
    def margin(self) -> float:
        return self.score - self.null


class Reader:
    """Loads lazily, once; `read` is safe to call from several threads."""

    def __init__(self, model_dir: Path | str = MODEL_DIR):
        self.model_dir = Path(model_dir)
        self._lock = threading.Lock()
        self._session = None
        self._tokenizer = None

    def available(self) -> bool:
        return (self.model_dir / MODEL_FILE).is_file() and (self.model_dir / "tokenizer.json").is_file()

    def load(self) -> None:
        if self._session is not None:
            return
        with self._lock:
            if self._session is not None:
                return
            if not self.available():
                from embeddings.errors import TradewireError

                raise TradewireError(f"the reader model is missing from {self.model_dir}; reinstall tradewire")
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
            tokenizer.no_truncation()
            tokenizer.no_padding()
            self._tokenizer = tokenizer
            self._session = single_thread_session(self.model_dir / MODEL_FILE)  # one window per run

    def read(self, question: str, windows: Sequence[Window], top: int = 3) -> tuple[list[Span], list[float]]:
        """The `top` best spans of each window (best first overall) and each window's no-answer score. A
        window too long for the model is read in overlapping parts; its null is the most confident part's."""
        self.load()
        q_ids = self._tokenizer.encode(question, add_special_tokens=False).ids[:MAX_QUESTION_TOKENS]
        parts = []  # (window index, ids, type ids, context token offsets, first context token, headline tokens)
        for w, window in enumerate(windows):
            parts.extend((w, *part) for part in self._parts(q_ids, window))
        if not parts:
            return [], [0.0] * len(windows)
        logits = side_by_side(lambda p: self._run(p[1], p[2]), parts)
        nulls = [float("-inf")] * len(windows)  # a window read in parts: its most confident "not here"
        spans: list[Span] = []
        for (w, _ids, _types, offsets, first, n_title), (start_logits, end_logits) in zip(parts, logits, strict=True):
            null = float(start_logits[0] + end_logits[0])
            nulls[w] = max(nulls[w], null)
            window = windows[w]
            spans.extend(
                self._spans(w, window.title, window.text, offsets, first, n_title, start_logits, end_logits, null, top)
            )
        best: dict[tuple[int, int, int, bool], Span] = {}
        for s in spans:  # the same span from two overlapping parts: keep its better reading
            key = (s.window, s.start, s.end, s.in_title)
            if key not in best or s.margin > best[key].margin:
                best[key] = s
        per_window: dict[int, list[Span]] = {}
        for s in sorted(best.values(), key=lambda s: s.margin, reverse=True):
            if len(per_window.setdefault(s.window, [])) < top:
                per_window[s.window].append(s)
        ranked = sorted((s for group in per_window.values() for s in group), key=lambda s: s.margin, reverse=True)
        return ranked, nulls

    def _parts(self, q_ids: list[int], window: Window):
        """[CLS] question [SEP] headline context [SEP], split into overlapping parts when too long."""
        headline = self._tokenizer.encode(window.title, add_special_tokens=False) if window.title else None
        title = headline.ids[:MAX_TITLE_TOKENS] if headline else []
        title_offsets = headline.offsets[:MAX_TITLE_TOKENS] if headline else []
        body = self._tokenizer.encode(window.text, add_special_tokens=False)
        cls, sep = self._tokenizer.token_to_id("[CLS]"), self._tokenizer.token_to_id("[SEP]")
        head = [cls, *q_ids, sep, *title]
        room = MAX_TOKENS - len(head) - 1
        ids, offsets = body.ids, body.offsets
        at = 0
        while True:
            piece = ids[at : at + room]
            context = [*title, *piece]
            all_ids = [cls, *q_ids, sep, *context, sep]
            types = [0] * (len(q_ids) + 2) + [1] * (len(context) + 1)
            yield all_ids, types, [*title_offsets, *offsets[at : at + room]], len(q_ids) + 2, len(title)
            if at + room >= len(ids):
                break
            at += room - STRIDE

    def _run(self, ids: list[int], types: list[int]) -> tuple[np.ndarray, np.ndarray]:
        feed = {
            "input_ids": np.asarray([ids], dtype=np.int64),
            "attention_mask": np.ones((1, len(ids)), dtype=np.int64),
            "token_type_ids": np.asarray([types], dtype=np.int64),
        }
        start, end = self._session.run(None, feed)
        return start[0], end[0]

    @staticmethod
    def _spans(w, title, text, offsets, first, n_title, start_logits, end_logits, null, top) -> list[Span]:
        """The best spans of one part: of the headline (its first `n_title` tokens) or of the passage, never
        across the two."""
        n = len(offsets)
        if not n:
            return []
        starts = start_logits[first : first + n]
        ends = end_logits[first : first + n]
        out = []
        for i in np.argsort(-starts)[:TOP_STARTS]:
            in_title = bool(i < n_title)
            stop = min(n_title if in_title else n, i + MAX_ANSWER_TOKENS)
            j = i + int(np.argmax(ends[i:stop]))
            a, b = offsets[i][0], offsets[j][1]
            source = title if in_title else text
            while a > 0 and source[a - 1].isalnum() and source[a].isalnum():  # whole words: "Whitfield", not "Whit"
                a -= 1
            while b < len(source) and source[b].isalnum() and source[b - 1].isalnum():
                b += 1
            out.append(Span(w, a, b, source[a:b], float(starts[i] + ends[j]), null, in_title))
        out.sort(key=lambda s: s.score, reverse=True)
        return out[: top * 3]
