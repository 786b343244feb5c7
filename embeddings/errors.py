"""The one error type a person can act on; adapters turn it into a one-line message."""

from __future__ import annotations


class TradewireError(Exception):
    """An error the user can fix (bad path, wrong model for this index, bad date...)."""


class SourceError(TradewireError):
    """One input item could not be read; carries the item's name and a one-line reason."""

    def __init__(self, item: str, reason: str):
        super().__init__(f"{item}: {reason}")
        self.item = item
        self.reason = reason

    @classmethod
    def unexpected(cls, item: str, exc: Exception, what: str = "") -> SourceError:
        """A reader's surprise about one item (a library raising on odd input), as that item's one-line error."""
        return cls(item, f"unreadable{f' {what}' if what else ''} ({type(exc).__name__}: {str(exc)[:80]})")


class IndexBusy(TradewireError):
    """Another process holds the index's write lock (an ingest is running)."""
