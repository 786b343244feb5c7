"""One search or one short encode is fastest on a single thread: spin-waiting intra-op threads cost more than
they give, and on a busy machine far more (bench/speed.py measured 20x for a question's encode). Work of many
such single-threaded runs goes side by side on one shared pool instead."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


@contextmanager
def one_thread(get_threads: Callable[[], int], set_threads: Callable[[int], None]) -> Iterator[None]:
    """Run the block with a library's thread pool at one thread (torch, FAISS), then restore it."""
    before = get_threads()
    set_threads(1)
    try:
        yield
    finally:
        set_threads(before)


def single_thread_session(model: Path | str):
    """An ONNX Runtime session that runs on one thread (its runs go side by side, see `side_by_side`): the int8
    encoder's and the reader's. Dynamic quantisation scales activations over the whole input, so each text or
    window is run on its own rather than padded into a batch, where its result would depend on its neighbours."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])


def side_by_side(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """`fn` over `items` as many at once as there are cores, for single-threaded work that releases the GIL
    (an ONNX Runtime run): the int8 encoder's texts and the reader's windows share one pool. One item runs in
    the calling thread. `fn` must not itself call `side_by_side` (the pool would wait on itself)."""
    global _pool
    if len(items) <= 1:
        return [fn(item) for item in items]
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(os.cpu_count() or 1, thread_name_prefix="tradewire-run")
    return list(_pool.map(fn, items))
