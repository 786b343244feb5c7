"""Leases (migration m005): a name held by one owner (a process) for a while, so that with several processes on one
store one of them does a job: a feed's polling (`feed:<id>`), the round of standing questions (`watches`). The
holder renews its lease while the job lasts; a lease whose process died runs out and another takes it."""

from __future__ import annotations

import time

from embeddings.store.base import Records


class Leases(Records):
    """The leases table."""

    def claim(self, name: str, owner: str, seconds: float) -> bool:
        """Hold `name` for `seconds`: True when no other owner holds it, or its lease has run out (its process
        died); renews the caller's own lease."""
        now = time.time()
        with self.store.transaction():
            row = self.db.execute(
                """INSERT INTO leases(name, owner, until_ts) VALUES (?,?,?)
                   ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, until_ts = excluded.until_ts
                   WHERE leases.owner = excluded.owner OR leases.until_ts <= ?
                   RETURNING owner""",
                (name, owner, now + seconds, now),
            ).fetchone()
        return row is not None

    def release(self, name: str, owner: str) -> None:
        """Give `name` up at once (a no-op unless `owner` holds it)."""
        with self.store.transaction():
            self.db.execute("DELETE FROM leases WHERE name = ? AND owner = ?", (name, owner))
