"""The tradewire knowledge base: raw news in, searchable passages out."""

from typing import TYPE_CHECKING

from embeddings.errors import TradewireError

if TYPE_CHECKING:
    from embeddings.library import Library

__all__ = ["Library", "TradewireError"]


def __getattr__(name: str) -> object:
    """`Library` is imported on first use: its FAISS, NumPy and SQLite layers are not needed to print an error."""
    if name == "Library":
        from embeddings.library import Library

        return Library
    raise AttributeError(f"module 'embeddings' has no attribute {name!r}")
