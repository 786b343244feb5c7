"""The feeds' records, kept in the knowledge base's store (SQLite or PostgreSQL): polled feeds and the items
they brought, channel subscriptions and what was delivered to each. A feed is polled by the process holding its
lease (leases.py) when several processes share the store.

Channels, guilds and users are opaque strings here (Discord snowflakes in practice); nothing in this module
knows about Discord. Delivery is decided from these tables alone, so a restart neither reposts an item nor
loses one that arrived while the bot was down; with several bot processes on one PostgreSQL store, leases give
each feed one poller and delivery claims give each item one post per channel.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from embeddings.store.base import Records, from_iso, now_iso
from embeddings.store.leases import Leases

MAX_BACKOFF_SECONDS = 6 * 3600


@dataclass
class Feed:
    id: int
    url: str
    title: str
    primed: bool
    failures: int
    last_error: str | None
    last_ok: datetime | None
    next_poll_ts: float
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class Subscription:
    channel: str
    guild: str
    topic: str
    after_seq: int
    problem: str = ""  # why posts are held back, when they are


@dataclass
class NewItem:
    """A feed item not yet delivered to a channel."""

    seq: int
    article_id: str
    story_id: str
    title: str
    source: str
    url: str
    published: datetime | None
    lead: str  # the start of the article text


class FeedRecords(Records):
    """The feeds, guild_feeds, feed_items, subscriptions and deliveries tables (migration m002)."""

    # --- feeds -------------------------------------------------------------------------------------
    def _feed(self, row) -> Feed:
        return Feed(
            row["id"],
            row["url"],
            row["title"],
            bool(row["primed"]),
            row["failures"],
            row["last_error"],
            from_iso(row["last_ok"]),
            row["next_poll_ts"],
            row["etag"],
            row["last_modified"],
        )

    def _max_seq(self) -> int:
        return int(self.db.execute("SELECT coalesce(max(seq), 0) FROM feed_items").fetchone()[0])

    def add(self, guild: str, url: str, added_by: str = "") -> tuple[Feed, bool]:
        """Follow `url` for `guild`; (feed, False) when the guild already follows it."""
        with self.store.transaction():
            self.db.execute("INSERT INTO feeds(url) VALUES (?) ON CONFLICT DO NOTHING", (url,))
            feed = self.get(url)
            assert feed is not None  # inserted just above
            cur = self.db.execute(
                "INSERT INTO guild_feeds(guild, feed_id, after_seq, added_by, added_at) VALUES (?,?,?,?,?)"
                " ON CONFLICT DO NOTHING",
                (guild, feed.id, self._max_seq(), added_by, now_iso()),
            )
        return feed, cur.rowcount > 0

    def get(self, url: str) -> Feed | None:
        row = self.db.execute("SELECT * FROM feeds WHERE url = ?", (url,)).fetchone()
        return self._feed(row) if row else None

    def remove(self, guild: str, url: str) -> bool:
        """Stop following `url` for `guild`; the feed is forgotten when no guild follows it any more.
        Articles already indexed stay: they are news like any other."""
        with self.store.transaction():
            row = self.db.execute("SELECT id FROM feeds WHERE url = ?", (url,)).fetchone()
            if row is None:
                return False
            cur = self.db.execute("DELETE FROM guild_feeds WHERE guild = ? AND feed_id = ?", (guild, row["id"]))
            self.db.execute(
                "DELETE FROM feeds WHERE id = ? AND NOT EXISTS (SELECT 1 FROM guild_feeds WHERE feed_id = ?)",
                (row["id"], row["id"]),
            )
        return cur.rowcount > 0

    def list(self, guild: str | None = None) -> list[Feed]:
        if guild is None:
            rows = self.db.execute("SELECT * FROM feeds ORDER BY id")
        else:
            rows = self.db.execute(
                "SELECT f.* FROM feeds f JOIN guild_feeds g ON g.feed_id = f.id WHERE g.guild = ? ORDER BY f.id",
                (guild,),
            )
        return [self._feed(r) for r in rows]

    def due(self, now_ts: float | None = None) -> list[Feed]:
        now_ts = time.time() if now_ts is None else now_ts
        rows = self.db.execute("SELECT * FROM feeds WHERE next_poll_ts <= ? ORDER BY next_poll_ts", (now_ts,))
        return [self._feed(r) for r in rows]

    def claim(self, feed: Feed, owner: str, seconds: float) -> Feed | None:
        """The feed, leased to `owner` for polling (the lease `feed:<id>`), if it is still due and no other process
        holds it."""
        leases = Leases(self.store)
        if not leases.claim(f"feed:{feed.id}", owner, seconds):
            return None
        row = self.db.execute(
            "SELECT * FROM feeds WHERE id = ? AND next_poll_ts <= ?", (feed.id, time.time())
        ).fetchone()
        if row is None:  # polled by another process since it was listed, or removed
            leases.release(f"feed:{feed.id}", owner)
            return None
        return self._feed(row)

    def known_urls(self, feed: Feed) -> set[str]:
        """Links of the articles a feed has brought: their pages need not be fetched again (but for those kept
        with their summary only: their pages are tried again)."""
        rows = self.db.execute(
            "SELECT a.url FROM feed_items fi JOIN articles a ON a.id = fi.article_id"
            " WHERE fi.feed_id = ? AND a.teaser = ''",
            (feed.id,),
        )
        return {r[0] for r in rows if r[0]}

    def polled(
        self,
        feed: Feed,
        article_ids: Iterable[str],
        *,
        title: str,
        etag: str | None,
        last_modified: str | None,
        interval: float,
        item_errors: int = 0,
    ) -> int:
        """Remember a successful poll and the articles the feed holds; returns how many are new to it.
        Items of a feed's first successful poll are its back catalogue: indexed, never announced."""
        with self.store.transaction():
            new = 0
            for article_id in dict.fromkeys(article_ids):
                cur = self.db.execute(
                    "INSERT INTO feed_items(feed_id, article_id, seen_at, announce) VALUES (?,?,?,?)"
                    " ON CONFLICT DO NOTHING",
                    (feed.id, article_id, now_iso(), int(feed.primed)),
                )
                new += cur.rowcount
            self.db.execute(
                """UPDATE feeds SET title = CASE WHEN ? != '' THEN ? ELSE title END, etag = ?, last_modified = ?,
                       primed = 1, failures = 0, last_error = ?, last_polled = ?, last_ok = ?, next_poll_ts = ?
                   WHERE id = ?""",
                (
                    title,
                    title,
                    etag,
                    last_modified,
                    f"{item_errors} entries could not be read" if item_errors else None,
                    now_iso(),
                    now_iso(),
                    time.time() + interval,
                    feed.id,
                ),
            )
        return new

    def poll_failed(self, feed: Feed, error: str, *, interval: float) -> float:
        """Remember a failed poll; the next one backs off exponentially. Returns the delay in seconds."""
        failures = feed.failures + 1
        delay = min(interval * 2 ** min(failures, 16), max(interval, MAX_BACKOFF_SECONDS))
        with self.store.transaction():
            self.db.execute(
                "UPDATE feeds SET failures = ?, last_error = ?, last_polled = ?, next_poll_ts = ? WHERE id = ?",
                (failures, error, now_iso(), time.time() + delay, feed.id),
            )
        return delay

    # --- subscriptions and deliveries ----------------------------------------------------------------
    def subscribe(self, channel: str, guild: str, topic: str = "", by: str = "") -> None:
        """Post new feed items to `channel` (only those about `topic`, if given); replaces an earlier one."""
        with self.store.transaction():
            self.db.execute(
                """INSERT INTO subscriptions(channel, guild, topic, after_seq, created_by, created_at)
                   VALUES (?,?,?,?,?,?)
                   ON CONFLICT(channel) DO UPDATE SET topic = excluded.topic, created_by = excluded.created_by""",
                (channel, guild, topic.strip(), self._max_seq(), by, now_iso()),
            )

    def unsubscribe(self, channel: str) -> bool:
        with self.store.transaction():
            return self.db.execute("DELETE FROM subscriptions WHERE channel = ?", (channel,)).rowcount > 0

    def subscriptions(self, guild: str | None = None) -> list[Subscription]:
        sql, params = "SELECT * FROM subscriptions", ()
        if guild is not None:
            sql, params = sql + " WHERE guild = ?", (guild,)
        return [
            Subscription(r["channel"], r["guild"], r["topic"], r["after_seq"], r["problem"])
            for r in self.db.execute(sql, params)
        ]

    def set_problem(self, channel: str, problem: str) -> None:
        """Note why posts to a channel are held back ('' when they flow again)."""
        with self.store.transaction():
            self.db.execute("UPDATE subscriptions SET problem = ? WHERE channel = ?", (problem, channel))

    def undelivered(self, sub: Subscription, limit: int) -> list[NewItem]:
        """Items of the guild's feeds that are news to this channel: seen after both the subscription and
        the guild's adding of the feed, one per story (its first item), not yet delivered nor being posted by
        another process (a claim that has expired does not count); oldest first."""
        rows = self.db.execute(
            """SELECT fi.seq, a.story_id, fi.article_id, a.title, a.source, a.url, a.published,
                      substr(a.text, 1, 400) AS lead
               FROM (SELECT min(fi.seq) AS seq
                     FROM feed_items fi
                     JOIN guild_feeds g ON g.feed_id = fi.feed_id AND g.guild = ?
                     JOIN articles a ON a.id = fi.article_id
                     WHERE fi.announce = 1 AND fi.seq > ? AND fi.seq > g.after_seq
                       AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.channel = ? AND d.story_id = a.story_id
                                       AND (d.status != 'claimed' OR d.claimed_until > ?))
                     GROUP BY a.story_id) firsts
               JOIN feed_items fi ON fi.seq = firsts.seq
               JOIN articles a ON a.id = fi.article_id
               ORDER BY a.published_ts IS NULL, a.published_ts, fi.seq
               LIMIT ?""",
            (sub.guild, sub.after_seq, sub.channel, time.time(), limit),
        ).fetchall()
        return [
            NewItem(
                r["seq"],
                r["article_id"],
                r["story_id"],
                r["title"],
                r["source"],
                r["url"],
                from_iso(r["published"]),
                r["lead"],
            )
            for r in rows
        ]

    def claim_delivery(self, channel: str, item: NewItem, owner: str, seconds: float) -> bool:
        """Take the right to post `item` to `channel` for `seconds`: True for exactly one of the processes that
        ask, until the item is recorded as delivered, or the claim expires (its owner died) and another takes it."""
        now = time.time()
        with self.store.transaction():
            row = self.db.execute(
                """INSERT INTO deliveries(channel, story_id, article_id, status, at, claimed_by, claimed_until)
                   VALUES (?,?,?,'claimed',?,?,?)
                   ON CONFLICT(channel, story_id) DO UPDATE SET claimed_by = excluded.claimed_by,
                       claimed_until = excluded.claimed_until, at = excluded.at
                   WHERE deliveries.status = 'claimed' AND deliveries.claimed_until <= ?
                   RETURNING claimed_by""",
                (channel, item.story_id, item.article_id, now_iso(), owner, now + seconds, now),
            ).fetchone()
        return row is not None

    def delivered(self, channel: str, item: NewItem, status: str = "posted", message: str | None = None) -> None:
        """What became of `item` in `channel`: "posted" (as `message`), "off-topic" or "failed: <reason>"; it is
        not news there any more."""
        with self.store.transaction():
            self.db.execute(
                """INSERT INTO deliveries(channel, story_id, article_id, status, message, at)
                   VALUES (?,?,?,?,?,?)
                   ON CONFLICT(channel, story_id) DO UPDATE SET article_id = excluded.article_id,
                       status = excluded.status, message = excluded.message, at = excluded.at,
                       claimed_by = NULL, claimed_until = NULL""",
                (channel, item.story_id, item.article_id, status, message, now_iso()),
            )

    def release_delivery(self, channel: str, item: NewItem, owner: str) -> None:
        """Give up a claim without posting (the channel cannot take posts now): the item stays news."""
        with self.store.transaction():
            self.db.execute(
                "DELETE FROM deliveries WHERE channel = ? AND story_id = ? AND status = 'claimed' AND claimed_by = ?",
                (channel, item.story_id, owner),
            )
