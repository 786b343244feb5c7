"""Steps that can take a while announce themselves here; a front end may show them. The CLI shows a status line
on a terminal for a step that lasts more than a second (bot/cli.py); by default nothing is shown."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

Shower = Callable[[str], AbstractContextManager[None]]
_shower: Shower | None = None


def show_with(shower: Shower | None) -> None:
    """Show steps with `shower(label)` (a context manager around the step), or not at all (None)."""
    global _shower
    _shower = shower


@contextmanager
def step(label: str) -> Iterator[None]:
    """Run the block as a step named `label` ("loading the embedding model")."""
    with (_shower or (lambda _label: nullcontext()))(label):
        yield
