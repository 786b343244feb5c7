"""The library behind one worker thread: SQLite and FAISS are used from one thread at a time, so a feed
ingest, a vote and fifty questions never touch the store together, and the event loop never blocks on them."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from embeddings import Library

T = TypeVar("T")


class Engine:
    def __init__(self, library: Library):
        self.library = library
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tradewire-library")

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `fn(*args, **kwargs)` in the library thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    async def close(self) -> None:
        await self.run(self.library.close)
        self._executor.shutdown(wait=True)
