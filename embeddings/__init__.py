"""The tradewire knowledge base: raw news in, searchable passages out."""

from embeddings.errors import TradewireError
from embeddings.library import Library

__all__ = ["Library", "TradewireError"]
