"""Channels that watch the tariff board (answering/board.py): a watch is the board with its filters (on, by,
product, status), computed again each round; a change of one of its lines is recorded as an update, which the bot
posts once:

- a line whose key (who charges, on whom, on what) was not on the watch's board is "new";
- a line whose rate differs from the one posted is "rate";
- a line whose status or its day differs is "status": an announced rate becomes "in effect" on its day, so the
  round of that day posts it, whether or not any news came in;
- a line that leaves the board (a threat carried out, a filter it no longer meets) is dropped silently.

A new watch starts from the board as it stands (its lines are not posted as changes: the command's reply shows
the board). Each watch's updates and its new state are written in one transaction, after its row is locked and
read again, so a crash between them neither loses nor doubles a change, and two processes that run a round at
once (the bot runs it under the lease LEASE) record each change once. Updates wait in an outbox (tariff_updates)
until posted, as the standing questions' do (answering/watch.py).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from datetime import UTC, datetime

from answering.board import Board, Line, board
from answering.subjects import countries_in
from answering.tariffs import read_news
from embeddings.errors import TradewireError
from embeddings.store.tariffs import TariffUpdate, TariffWatch

LEASE = "tariff-watches"  # the round's lease (embeddings/store/leases.py): one process runs it at a time
MAX_WATCHES_PER_GUILD = 25
FILTERS = ("on", "by", "product", "status")
SIGNATURE = ("rate", "status", "day")  # what a change is a change of (Line.signature)

log = logging.getLogger("tradewire.tariffs")


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def state(line: Line) -> dict[str, str | None]:
    """What a watch remembers of a line: its signature, and its rate and status as the board said them (for "was
    25%", "was announced, from June 1, 2026")."""
    return {**line.signature(), "shown": line.now.rate, "when": line.when()}


def change(before: dict | None, now: dict) -> str | None:
    """new | rate | status, or None when the line is as it was posted."""
    if before is None:
        return "new"
    if before.get("rate") != now["rate"]:
        return "rate"
    if any(before.get(k) != now[k] for k in SIGNATURE):
        return "status"
    return None


class TariffWatches:
    """The board's watches over a library: its records (embeddings/store/tariffs.py) and what counts as a change.
    Use from the library's thread, like the library."""

    def __init__(self, library):
        self.library = library
        self.records = library.records.tariffs
        self._quiet: tuple | None = None  # what the news was at the last round that found every watch as posted

    # --- the watches ------------------------------------------------------------------------------------
    def add(
        self, filters: dict[str, str], *, guild: str = "", channel: str = "", by: str = "", now: datetime | None = None
    ) -> tuple[TariffWatch, Board]:
        """Watch the board with `filters` (on, by, product, status; a bad one is a TradewireError), from the
        board as it stands `now`: its lines are the watch's state, not changes. Returns the watch and that board."""
        unknown = sorted(set(filters) - set(FILTERS))
        if unknown:
            raise TradewireError(f"unknown filter {unknown[0]!r}: one of {', '.join(FILTERS)}")
        wanted = {k: " ".join(v.split()) for k, v in filters.items() if v and v.strip()}
        if guild and len(self.list(guild)) >= MAX_WATCHES_PER_GUILD:
            raise TradewireError(f"a server can watch the tariff board {MAX_WATCHES_PER_GUILD} times; remove one first")
        now = now or _now()
        shown = board(self.library, as_of=now, **wanted)  # reads the filters: a bad country or status raises
        with self.records.transaction():
            watch_id = self.records.add_watch(_canonical(wanted), guild=guild, channel=channel, by=by, at=now)
            if watch_id is None:
                raise TradewireError("that channel already watches the tariff board with those filters")
            self.records.set_lines(watch_id, {line.key: state(line) for line in shown.lines})
        watch = self.records.get_watch(watch_id)
        assert watch is not None
        return watch, shown

    def list(self, guild: str | None = None) -> list[TariffWatch]:
        """A guild's watches ('' for the command line's), or all of them."""
        return self.records.watches(guild)

    def get(self, watch_id: int) -> TariffWatch | None:
        return self.records.get_watch(watch_id)

    def remove(self, watch_id: int, guild: str | None = None) -> bool:
        return self.records.remove_watch(watch_id, guild)

    # --- rounds --------------------------------------------------------------------------------------
    def check(self, now: datetime | None = None) -> list[TariffUpdate]:
        """Compute each watch's board as of `now` (the clock by default) and record its lines' changes as pending
        updates; returns them. A round with the same news, the same day and the same watches as the last quiet
        one is skipped (nothing it could find)."""
        now = now or _now()
        read_news(self.library)
        watches = self.list()
        quiet = (self.records.version_of(now.timestamp()), now.date(), tuple(w.id for w in watches))
        if quiet == self._quiet and all(w.lines is not None for w in watches):
            return []
        boards: dict[str, Board | None] = {}
        updates: list[TariffUpdate] = []
        for watch in watches:
            key = json.dumps(watch.filters, sort_keys=True)
            if key not in boards:
                try:
                    boards[key] = board(self.library, as_of=now, **watch.filters)
                except TradewireError as exc:  # filters that no longer read (a country renamed): skip, say why
                    log.warning("tariff watch %d: %s", watch.id, exc)
                    boards[key] = None
            if (shown := boards[key]) is not None:
                updates += self._record(watch, shown, now)
        self._quiet = quiet
        return updates

    def _record(self, seen: TariffWatch, shown: Board, now: datetime) -> list[TariffUpdate]:
        """One watch's changes and its new state, in one transaction, against its row as locked there."""
        lines = {line.key: state(line) for line in shown.lines}
        if seen.lines == lines:
            return []  # as posted (read outside the lock: nothing to write, so nothing to race)
        with self.records.transaction():
            watch = self.records.lock_watch(seen.id)  # another process's round may have recorded these meanwhile
            if watch is None:
                return []  # removed meanwhile
            updates = []
            if watch.lines is not None:  # before its first round (a watch added without a state): nothing to post
                for line in shown.lines:
                    before = watch.lines.get(line.key)
                    if kind := change(before, lines[line.key]):
                        updates.append(self.records.add_update(watch, _posted(line, shown, before), kind, now))
            if watch.lines != lines:
                self.records.set_lines(watch.id, lines)
        return updates

    # --- the outbox ----------------------------------------------------------------------------------
    def pending(self, guild: str | None = None, *, servers: bool = False) -> list[TariffUpdate]:
        """Updates not posted yet, oldest first (of `guild`'s watches, of every server's, or all)."""
        found = self.records.pending(guild)
        return [u for u in found if u.watch.guild] if servers else found

    def delivered(self, update: TariffUpdate, message: str | None = None, failed: str = "") -> None:
        """The update was posted (as `message`) or printed, or cannot be posted (`failed`, with the reason)."""
        self.records.delivered(update, message, failed)


def _canonical(filters: dict[str, str]) -> dict[str, str]:
    """Filters as stored (after the board has read them): countries by their names, a product in lower case, so
    that "china" and "China" are the same watch."""
    out = dict(filters)
    for k in ("on", "by"):
        if k in out:
            out[k] = next(iter({m.country for m in countries_in(out[k])}))
    if "product" in out:
        out["product"] = out["product"].lower()
    return out


def _posted(line: Line, shown: Board, before: dict | None) -> dict:
    """An update's line: the line as the board gives it, the citations of its rate (`cited`, numbered as in the
    board), what the watch had posted of it (`previous`), and the board's day."""
    numbers = {c.n: c for c in shown.citations}
    step = line.now
    cited = [asdict(numbers[n]) for n in [*step.citations, *(n for _, ns in step.differ for n in ns)]]
    return {**line.to_json(), "cited": cited, "previous": before, "as_of": shown.as_of.isoformat()}
