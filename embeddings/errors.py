"""The one error type a person can act on; adapters turn it into a one-line message."""


class TradewireError(Exception):
    """An error the user can fix (bad path, wrong model for this index, bad date...)."""


class SourceError(TradewireError):
    """One input item could not be read; carries the item's name and a one-line reason."""

    def __init__(self, item: str, reason: str):
        super().__init__(f"{item}: {reason}")
        self.item = item
        self.reason = reason


class IndexBusy(TradewireError):
    """Another process holds the index's write lock (an ingest is running)."""
