"""What the CLI shows on a terminal while it works: a status line for slow steps (see embeddings.status)."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


def interactive(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # replaced or closed streams
        return False


def terminal_size(stream: TextIO) -> tuple[int, int]:
    """(columns, rows) of the terminal `stream` writes to; zeros when it is not one or does not say."""
    try:
        size = os.get_terminal_size(stream.fileno())
    except (AttributeError, ValueError, OSError):
        return 0, 0
    return size.columns, size.lines


class StatusLine:
    """A step that runs for more than `delay` seconds shows "⠹ loading the embedding model… 2s" on `stream` (a
    terminal), redrawn ten times a second, and is wiped when the step ends. Nested steps show the innermost."""

    def __init__(self, stream: TextIO | None = None, delay: float = 1.0):
        self.stream = stream or sys.stderr
        self.delay = delay
        self._steps: list[tuple[str, float]] = []
        self._lock = threading.Lock()
        self._shown = False
        self._thread: threading.Thread | None = None

    @contextmanager
    def __call__(self, label: str) -> Iterator[None]:
        with self._lock:
            self._steps.append((label, time.monotonic()))
            if self._thread is None:
                self._thread = threading.Thread(target=self._draw, name="tradewire-status", daemon=True)
                self._thread.start()
        try:
            yield
        finally:
            with self._lock:
                self._steps.pop()
                if not self._steps and self._shown:
                    self._write("\r\x1b[K")
                    self._shown = False

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # the terminal went away: the work goes on without a status line
            pass

    def _draw(self) -> None:
        frame = 0
        while True:
            time.sleep(0.1)
            with self._lock:
                if not self._steps or time.monotonic() - self._steps[0][1] < self.delay:
                    continue
                label, started = self._steps[-1]
                self._write(f"\r\x1b[K{FRAMES[frame % len(FRAMES)]} {label}… {time.monotonic() - started:.0f}s")
                self._shown = True
                frame += 1
