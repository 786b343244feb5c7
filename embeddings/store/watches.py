"""The standing questions' records (migration m004): each watch with its current answer, the answers it posted
lately (for damping), and an outbox of updates. What counts as a change is decided in answering/watch.py; this
class only reads and writes the rows, inside the caller's transactions where a change spans several."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from embeddings.store.base import Records


@dataclass
class Watch:
    id: int
    guild: str
    channel: str
    question: str
    created_by: str
    created_at: datetime
    answer: dict | None  # Answer.to_json() of the current answer
    answer_key: str
    changed_at: datetime | None
    message: str | None
    history: list[tuple[str, str]]  # (answer key, ISO time) of the last day's posts
    checked_through: int


@dataclass
class Update:
    """An update in the outbox: the watch's new answer, and the one it replaces with the message that posted it."""

    id: int
    watch: Watch
    answer: dict
    previous: dict | None
    previous_message: str | None
    created_at: datetime


class WatchRecords(Records):
    """The watches and watch_updates tables."""

    @staticmethod
    def _watch(row) -> Watch:
        return Watch(
            row["id"],
            row["guild"],
            row["channel"],
            row["question"],
            row["created_by"],
            datetime.fromisoformat(row["created_at"]),
            json.loads(row["answer"]) if row["answer"] else None,
            row["answer_key"],
            datetime.fromisoformat(row["changed_at"]) if row["changed_at"] else None,
            row["message"],
            [tuple(h) for h in json.loads(row["history"])],
            row["checked_through"],
        )

    def get(self, watch_id: int) -> Watch | None:
        row = self.db.execute("SELECT * FROM watches WHERE id = ?", (watch_id,)).fetchone()
        return self._watch(row) if row else None

    def list(self, guild: str | None = None, *, servers: bool = False) -> list[Watch]:
        """A guild's watches ('' for the command line's), every server's (`servers`), or all of them."""
        if servers:
            rows = self.db.execute("SELECT * FROM watches WHERE guild != '' ORDER BY id")
        else:
            rows = self._of_guild("watches", guild)
        return [self._watch(r) for r in rows]

    def add(self, question: str, *, guild: str, channel: str, by: str, at: datetime, through: int) -> int | None:
        """A new watch (inside the caller's transaction); None when that question is already watched there."""
        row = self.db.execute(
            "INSERT INTO watches(guild, channel, question, created_by, created_at, checked_through)"
            " VALUES (?,?,?,?,?,?) ON CONFLICT DO NOTHING RETURNING id",
            (guild, channel, question, by, at.isoformat(), through),
        ).fetchone()
        return int(row[0]) if row else None

    def remove(self, watch_id: int, guild: str | None = None) -> bool:
        sql, params = "DELETE FROM watches WHERE id = ?", [watch_id]
        if guild is not None:
            sql, params = sql + " AND guild = ?", [watch_id, guild]
        with self.store.transaction():
            return self.db.execute(sql, params).rowcount > 0

    def set_checked_through(self, watch_id: int, through: int) -> None:
        self.db.execute("UPDATE watches SET checked_through = ? WHERE id = ?", (through, watch_id))

    def set_current(
        self, watch_id: int, answer: dict, key: str, at: datetime, history: list, message: str | None
    ) -> None:
        self.db.execute(
            "UPDATE watches SET answer = ?, answer_key = ?, changed_at = ?, history = ?, message = ? WHERE id = ?",
            (json.dumps(answer), key, at.isoformat(), json.dumps(history), message, watch_id),
        )

    # --- new passages: what a round considers ----------------------------------------------------------
    def newest_passage(self) -> int:
        return int(self.db.execute("SELECT coalesce(max(id), 0) FROM passages").fetchone()[0])

    def passages_after(self, low: int) -> list[int]:
        return [int(r[0]) for r in self.db.execute("SELECT id FROM passages WHERE id > ? ORDER BY id", (low,))]

    # --- the outbox ------------------------------------------------------------------------------------
    def add_update(self, watch: Watch, answer: dict, at: datetime) -> Update:
        """A pending update replacing the watch's current answer (inside the caller's transaction)."""
        row = self.db.execute(
            "INSERT INTO watch_updates(watch_id, answer, previous, previous_message, created_at) VALUES (?,?,?,?,?)"
            " RETURNING id",
            (
                watch.id,
                json.dumps(answer),
                json.dumps(watch.answer) if watch.answer else None,
                watch.message,
                at.isoformat(),
            ),
        ).fetchone()
        return Update(int(row[0]), watch, answer, watch.answer, watch.message, at)

    def pending(self, guild: str | None = None, *, servers: bool = False) -> list[Update]:
        """Updates not posted yet, oldest first (of `guild`'s watches, of every server's, or all)."""
        sql = "SELECT u.* FROM watch_updates u JOIN watches w ON w.id = u.watch_id WHERE u.status = 'pending'"
        params: list[object] = []
        if servers:
            sql += " AND w.guild != ''"
        elif guild is not None:
            sql += " AND w.guild = ?"
            params.append(guild)
        out = []
        for r in self.db.execute(sql + " ORDER BY u.id", params).fetchall():
            if (watch := self.get(r["watch_id"])) is not None:
                out.append(
                    Update(
                        r["id"],
                        watch,
                        json.loads(r["answer"]),
                        json.loads(r["previous"]) if r["previous"] else None,
                        r["previous_message"],
                        datetime.fromisoformat(r["created_at"]),
                    )
                )
        return out

    def delivered(self, update: Update, key: str, message: str | None, failed: str = "") -> None:
        """The update was posted (as `message`) or printed, or cannot be posted (`failed`, with the reason); a
        posted message becomes the one a later update links back to, if its answer (`key`) is still the current
        one."""
        with self.store.transaction():
            status = f"failed: {failed}" if failed else "posted"
            self.db.execute(
                "UPDATE watch_updates SET status = ?, message = ? WHERE id = ?", (status, message, update.id)
            )
            if message and not failed:
                self.db.execute(
                    "UPDATE watches SET message = ? WHERE id = ? AND answer_key = ?", (message, update.watch.id, key)
                )
