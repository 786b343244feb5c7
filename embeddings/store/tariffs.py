"""The tariff board's records (migration m010): the tariff facts read from each passage, which passages have been
read (by which version of the rules), and the channels that watch the board with their outbox. What a fact is
and what the board shows are answering/tariffs.py's and answering/board.py's; this class only reads and writes
the rows. A passage's facts go with it when it is removed (Store.delete_passages)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from embeddings.store.base import Records, chunks

VERSION_KEY = "tariffs_version"


@dataclass
class UnreadPassage:
    id: int
    article_id: str
    position: int
    start: int  # the passage's offset in its article's text
    sentences: list[tuple[int, int]]  # offsets in the article's text
    body: str
    title: str
    title_derived: bool
    published: datetime | None


@dataclass
class TariffWatch:
    id: int
    guild: str
    channel: str
    filters: dict[str, str]
    created_by: str
    created_at: datetime
    lines: dict[str, dict] | None  # each line's key -> its state as last posted; None before the first round


@dataclass
class TariffUpdate:
    id: int
    watch: TariffWatch
    line: dict
    change: str  # new | rate | status
    created_at: datetime


class TariffRecords(Records):
    """The tariff_passages, tariff_facts, tariff_watches and tariff_updates tables."""

    # --- what has been read ---------------------------------------------------------------------------
    def version(self) -> int | None:
        value = self.store.get_meta(VERSION_KEY)
        return int(value) if value else None

    def start_over(self, version: int) -> None:
        """Forget every fact read (by another version of the rules): the passages are read again."""
        with self.transaction():
            self.db.execute("DELETE FROM tariff_facts")
            self.db.execute("DELETE FROM tariff_passages")
            self.store.set_meta(VERSION_KEY, str(version))

    def unread(self, limit: int) -> list[UnreadPassage]:
        """Up to `limit` passages not read yet, oldest first."""
        rows = self.db.execute(
            """SELECT p.id, p.article_id, p.position, p.char_start, p.sentences,
                      substr(a.text, p.char_start + 1, p.char_end - p.char_start) AS body,
                      a.title, a.title_derived, a.published
               FROM passages p JOIN articles a ON a.id = p.article_id
               WHERE NOT EXISTS (SELECT 1 FROM tariff_passages t WHERE t.passage_id = p.id)
               ORDER BY p.id LIMIT ?""",
            (limit,),
        ).fetchall()
        return [
            UnreadPassage(
                int(r["id"]),
                r["article_id"],
                int(r["position"]),
                int(r["char_start"]),
                [tuple(s) for s in json.loads(r["sentences"])],
                r["body"],
                r["title"],
                bool(r["title_derived"]),
                datetime.fromisoformat(r["published"]) if r["published"] else None,
            )
            for r in rows
        ]

    def add(self, passage_id: int, candidates: int, facts: Sequence[dict]) -> bool:
        """A passage read, with its facts (dicts of tariff_facts' columns), inside the caller's transaction;
        False when another process read it first (its facts are then not written again)."""
        claimed = self.db.execute(
            "INSERT INTO tariff_passages(passage_id, candidates, used) VALUES (?, ?, ?)"
            " ON CONFLICT(passage_id) DO NOTHING",
            (passage_id, candidates, len({f["sentence"] for f in facts})),
        ).rowcount
        if not claimed:
            return False
        for f in facts:
            self.db.execute(
                f"INSERT INTO tariff_facts({', '.join(f)}) VALUES ({', '.join('?' * len(f))})", list(f.values())
            )
        return True

    def read_counts(self) -> tuple[int, int, int]:
        """(passages read, their sentences with a duty and a rate, of which gave a fact)."""
        row = self.db.execute(
            "SELECT count(*), coalesce(sum(candidates), 0), coalesce(sum(used), 0) FROM tariff_passages"
        ).fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    def facts(self, until_ts: float | None) -> list:
        """Every fact of a dated article published by `until_ts` (None: all), with its article, oldest first."""
        where, params = ("WHERE f.published_ts IS NOT NULL", [])
        if until_ts is not None:
            where, params = ("WHERE f.published_ts <= ?", [until_ts])
        return self.db.execute(
            f"""SELECT f.*, a.title, a.source, a.url, a.origin, a.published, a.story_id
                FROM tariff_facts f JOIN articles a ON a.id = f.article_id
                {where} ORDER BY f.published_ts, f.article_id, f.id""",
            params,
        ).fetchall()

    def version_of(self, until_ts: float) -> tuple[int, int, int]:
        """What the facts published by `until_ts` are built from, cheaply: (all facts, the newest fact's id, those
        published by then). It changes when a fact is added, removed or comes into the period."""
        row = self.db.execute(
            "SELECT count(*), coalesce(max(id), 0), coalesce(sum(CASE WHEN published_ts <= ? THEN 1 ELSE 0 END), 0)"
            " FROM tariff_facts",
            (until_ts,),
        ).fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    def articles(self, article_ids: set[str]) -> dict[str, dict]:
        """What a citation needs of each article (title, source, url, origin, published, story_id), by id."""
        out: dict[str, dict] = {}
        for chunk in chunks(sorted(article_ids), 500):
            rows = self.db.execute(
                "SELECT id, title, source, url, origin, published, story_id FROM articles"
                f" WHERE id IN ({','.join('?' * len(chunk))})",
                chunk,
            ).fetchall()
            out.update({r["id"]: {k: r[k] for k in ("title", "source", "url", "origin", "published", "story_id")}
                        for r in rows})  # fmt: skip
        return out

    def story_sources(self, story_ids: Sequence[str]):
        return self.store.story_sources(story_ids)

    def names(self, column: str, typed: str = "", limit: int = 25) -> list[str]:
        """The distinct countries that charge (`charged_by`), that are charged (`charged_on`) or the goods (`goods`)
        of the facts read, the most reported first, those containing `typed` (any case): for autocompletion."""
        if column not in ("charged_by", "charged_on", "goods"):
            raise ValueError(f"no such column: {column!r}")
        pattern = "%" + typed.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self.db.execute(
            f"""SELECT {column} AS name, count(*) AS n FROM tariff_facts
                WHERE {column} != '' AND lower({column}) LIKE ? ESCAPE '\\'
                GROUP BY {column} ORDER BY n DESC, {column} LIMIT ?""",
            (pattern, limit),
        ).fetchall()
        return [r["name"] for r in rows]

    # --- the channels that watch the board ---------------------------------------------------------------
    @staticmethod
    def _watch(row) -> TariffWatch:
        return TariffWatch(
            int(row["id"]),
            row["guild"],
            row["channel"],
            json.loads(row["filters"]),
            row["created_by"],
            datetime.fromisoformat(row["created_at"]),
            json.loads(row["lines"]) if row["lines"] is not None else None,
        )

    def add_watch(self, filters: dict[str, str], *, guild: str, channel: str, by: str, at: datetime) -> int | None:
        """A new watch (inside the caller's transaction); None when the channel already watches those filters."""
        row = self.db.execute(
            "INSERT INTO tariff_watches(guild, channel, filters, created_by, created_at) VALUES (?,?,?,?,?)"
            " ON CONFLICT DO NOTHING RETURNING id",
            (guild, channel, json.dumps(filters, sort_keys=True), by, at.isoformat()),
        ).fetchone()
        return int(row[0]) if row else None

    def get_watch(self, watch_id: int) -> TariffWatch | None:
        row = self.db.execute("SELECT * FROM tariff_watches WHERE id = ?", (watch_id,)).fetchone()
        return self._watch(row) if row else None

    def lock_watch(self, watch_id: int) -> TariffWatch | None:
        """A watch read again with its row locked until the caller's transaction ends (a round's changes are
        decided against it: another process's round waits, then sees what this one wrote)."""
        row = self.db.execute(
            "UPDATE tariff_watches SET lines = lines WHERE id = ? RETURNING *", (watch_id,)
        ).fetchone()
        return self._watch(row) if row else None

    def watches(self, guild: str | None = None) -> list[TariffWatch]:
        """A guild's watches ('' for the command line's), or all of them."""
        return [self._watch(r) for r in self._of_guild("tariff_watches", guild)]

    def remove_watch(self, watch_id: int, guild: str | None = None) -> bool:
        sql, params = "DELETE FROM tariff_watches WHERE id = ?", [watch_id]
        if guild is not None:
            sql, params = sql + " AND guild = ?", [watch_id, guild]
        with self.transaction():
            return self.db.execute(sql, params).rowcount > 0

    def set_lines(self, watch_id: int, lines: dict[str, dict]) -> None:
        """The lines a watch has posted (inside the caller's transaction, with their updates)."""
        self.db.execute("UPDATE tariff_watches SET lines = ? WHERE id = ?", (json.dumps(lines), watch_id))

    def add_update(self, watch: TariffWatch, line: dict, change: str, at: datetime) -> TariffUpdate:
        row = self.db.execute(
            "INSERT INTO tariff_updates(watch_id, line, change, created_at) VALUES (?,?,?,?) RETURNING id",
            (watch.id, json.dumps(line), change, at.isoformat()),
        ).fetchone()
        return TariffUpdate(int(row[0]), watch, line, change, at)

    def pending(self, guild: str | None = None) -> list[TariffUpdate]:
        """Updates not posted yet, oldest first."""
        sql = "SELECT u.* FROM tariff_updates u JOIN tariff_watches w ON w.id = u.watch_id WHERE u.status = 'pending'"
        params: list[object] = []
        if guild is not None:
            sql += " AND w.guild = ?"
            params.append(guild)
        out = []
        watches: dict[int, TariffWatch | None] = {}
        for r in self.db.execute(sql + " ORDER BY u.id", params).fetchall():
            wid = int(r["watch_id"])
            if wid not in watches:
                watches[wid] = self.get_watch(wid)
            if (watch := watches[wid]) is not None:
                out.append(
                    TariffUpdate(
                        int(r["id"]), watch, json.loads(r["line"]), r["change"], datetime.fromisoformat(r["created_at"])
                    )
                )
        return out

    def delivered(self, update: TariffUpdate, message: str | None, failed: str = "") -> None:
        """The update was posted (as `message`) or printed, or cannot be posted (`failed`, with the reason)."""
        with self.transaction():
            status = f"failed: {failed}" if failed else "posted"
            self.db.execute(
                "UPDATE tariff_updates SET status = ?, message = ? WHERE id = ?", (status, message, update.id)
            )
