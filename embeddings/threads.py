"""One search or one short encode is fastest on a single thread: spin-waiting intra-op threads cost more than
they give, and on a busy machine far more (bench/speed.py measured 20x for a question's encode)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def one_thread(get_threads: Callable[[], int], set_threads: Callable[[int], None]) -> Iterator[None]:
    """Run the block with a library's thread pool at one thread (torch, FAISS), then restore it."""
    before = get_threads()
    set_threads(1)
    try:
        yield
    finally:
        set_threads(before)
