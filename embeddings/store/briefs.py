"""Daily briefs' records (migration m007): which channel gets one, at what hour of which time zone, about what,
and which day was posted last. Posting is claimed per day, so a brief goes out once a day per channel across a
restart and several processes; a claim whose process died runs out and is taken over."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from embeddings.store.base import Records

LATE_AFTER = timedelta(minutes=30)  # a brief posted this long after its hour says it is late


@dataclass
class BriefSchedule:
    id: int
    guild: str
    channel: str
    hour: int
    timezone: str
    topic: str
    last_day: str | None

    def due(self, now: datetime) -> tuple[date, datetime] | None:
        """(the local day, its scheduled time) when today's brief is due and not yet posted, else None."""
        local = now.astimezone(ZoneInfo(self.timezone))
        scheduled = local.replace(hour=self.hour, minute=0, second=0, microsecond=0)
        if local < scheduled or (self.last_day is not None and self.last_day >= local.date().isoformat()):
            return None
        return local.date(), scheduled


class BriefRecords(Records):
    """The briefs table."""

    @staticmethod
    def _schedule(row) -> BriefSchedule:
        return BriefSchedule(
            int(row["id"]),
            row["guild"],
            row["channel"],
            int(row["hour"]),
            row["timezone"],
            row["topic"],
            row["last_day"],
        )

    def add(
        self, guild: str, channel: str, hour: int, *, timezone: str = "UTC", topic: str = "", by: str = "", now=None
    ) -> BriefSchedule:
        """Post a brief in `channel` every day at `hour` (replacing the channel's earlier one). Today's is not
        posted if the hour has already passed when it is set: the first is tomorrow's."""
        now = now or datetime.now(UTC)
        local = now.astimezone(ZoneInfo(timezone))
        last = local.date().isoformat() if local.hour >= hour else None
        with self.store.transaction():
            self.db.execute(
                """INSERT INTO briefs(guild, channel, hour, timezone, topic, created_by, created_at, last_day)
                   VALUES (?,?,?,?,?,?,?,?)
                   ON CONFLICT(channel) DO UPDATE SET hour = excluded.hour, timezone = excluded.timezone,
                       topic = excluded.topic, created_by = excluded.created_by, last_day = excluded.last_day""",
                (guild, channel, hour, timezone, topic.strip(), by, now.isoformat(timespec="seconds"), last),
            )
        row = self.db.execute("SELECT * FROM briefs WHERE channel = ?", (channel,)).fetchone()
        return self._schedule(row)

    def list(self, guild: str | None = None) -> list[BriefSchedule]:
        return [self._schedule(r) for r in self._of_guild("briefs", guild)]

    def remove(self, guild: str, channel: str) -> bool:
        with self.store.transaction():
            return self.db.execute("DELETE FROM briefs WHERE guild = ? AND channel = ?", (guild, channel)).rowcount > 0

    def due(self, now: datetime) -> list[tuple[BriefSchedule, date, datetime]]:
        """The briefs whose hour has come today (in their time zone) and that were not posted today."""
        out = []
        for schedule in self.list():
            if when := schedule.due(now):
                out.append((schedule, *when))
        return out

    def claim(self, schedule: BriefSchedule, day: date, owner: str, seconds: float) -> bool:
        """Take the posting of `day`'s brief, unless it is posted or another live process has it."""
        now = time.time()
        with self.store.transaction():
            row = self.db.execute(
                """UPDATE briefs SET claimed_day = ?, claimed_by = ?, claimed_until = ?
                   WHERE id = ? AND (last_day IS NULL OR last_day < ?)
                     AND (claimed_day IS NULL OR claimed_day != ? OR claimed_until < ? OR claimed_by = ?)
                   RETURNING id""",
                (day.isoformat(), owner, now + seconds, schedule.id, day.isoformat(), day.isoformat(), now, owner),
            ).fetchone()
        return row is not None

    def delivered(self, schedule: BriefSchedule, day: date, message: str | None) -> None:
        """`day`'s brief is out (or cannot go out: `message` None); it is not posted again that day."""
        with self.store.transaction():
            self.db.execute(
                """UPDATE briefs SET last_day = ?, last_message = ?, claimed_day = NULL, claimed_by = NULL,
                       claimed_until = NULL WHERE id = ?""",
                (day.isoformat(), message, schedule.id),
            )

    def release(self, schedule: BriefSchedule, owner: str) -> None:
        """The channel could not take it now: let the next round try again."""
        with self.store.transaction():
            self.db.execute("UPDATE briefs SET claimed_until = 0 WHERE id = ? AND claimed_by = ?", (schedule.id, owner))
