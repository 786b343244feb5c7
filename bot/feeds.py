"""Live feeds: poll the feeds that are due (conditional GETs, backoff on failure), index what they bring,
and deliver new items to subscribed channels — each story once per channel, oldest first, a capped number
per round. The posting itself is handed in, so this runs the same with Discord or without it.

Several processes may share one store (PostgreSQL): a feed is polled by the one process holding its lease, and
an item is posted to a channel by the one process that claimed it; a process that dies loses both once
`lease_seconds` pass, and another carries on where it stopped."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from bot.engine import Engine
from bot.settings import Settings
from embeddings.errors import IndexBusy, SourceError
from embeddings.ingest import IngestReport
from embeddings.sources.feeds import FeedPoll, poll_feed
from embeddings.sources.web import Fetcher
from embeddings.store import Feed, NewItem

log = logging.getLogger("tradewire.feeds")

INGEST_SLICE = 8  # articles per library call, so questions are answered between the slices
FETCH_AT_ONCE = 4  # feeds fetched at the same time in a round

# post(channel, item, topic) -> (outcome, detail):
#   ("posted", message id)  the item is in the channel
#   ("failed", reason)      this item cannot be posted (recorded with the reason, not retried)
#   ("held", reason)        the channel cannot take posts now (outage, missing permissions): retried next round
#   ("gone", reason)        the channel no longer exists: its subscription ends
Post = Callable[[str, NewItem, str], Awaitable[tuple[str, str]]]


class FeedWatcher:
    def __init__(self, engine: Engine, settings: Settings, fetcher: Fetcher):
        self.engine = engine
        self.library = engine.library
        self.records = engine.library.records
        self.settings = settings
        self.fetcher = fetcher
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"  # this process, in leases

    @asynccontextmanager
    async def holding(self, names: list[str]) -> AsyncIterator[None]:
        """Keep the leases `names` (already taken) while the block runs, however long it takes, renewing them every
        third of `lease_seconds`; release them after."""
        seconds = self.settings.lease_seconds

        async def renew() -> None:
            while True:
                await asyncio.sleep(seconds / 3)
                for name in names:
                    await self.engine.run(self.records.leases.claim, name, self.owner, seconds)

        keeper = asyncio.create_task(renew(), name="tradewire-leases")
        try:
            yield
        finally:
            keeper.cancel()
            await asyncio.gather(keeper, return_exceptions=True)
            for name in names:
                await self.engine.run(self.records.leases.release, name, self.owner)

    async def fetch(self, feed: Feed | str) -> FeedPoll:
        """Conditional GET of a feed in a network thread; pages already indexed are not fetched again."""
        if isinstance(feed, str):
            return await asyncio.to_thread(poll_feed, feed, self.fetcher)
        known = await self.engine.run(self.records.feeds.known_urls, feed)
        return await asyncio.to_thread(
            poll_feed, feed.url, self.fetcher, etag=feed.etag, last_modified=feed.last_modified, known_urls=known
        )

    async def ingest(self, feed: Feed, poll: FeedPoll) -> tuple[IngestReport, int]:
        """Index a poll's items a slice at a time, then record them as the feed's; returns the report and
        how many items are new to the feed (news, unless this is the feed's first poll). Raises IndexBusy
        at once, rather than holding up questions, while another process is ingesting."""
        report = IngestReport()
        for start in range(0, len(poll.items), INGEST_SLICE):
            part = poll.items[start : start + INGEST_SLICE]
            report.merge(await self.engine.run(self.library.ingest_articles, part, lock_timeout=0))
        new = await self.engine.run(
            self.records.feeds.polled,
            feed,
            report.article_ids,
            title=poll.title,
            etag=poll.etag,
            last_modified=poll.last_modified,
            interval=self.settings.feed_interval,
            item_errors=len(report.skipped),
        )
        return report, new

    async def poll_due(self) -> None:
        """Poll every feed that is due: up to FETCH_AT_ONCE fetches run at once (one slow server holds up only
        itself), and each feed's items are indexed as its fetch ends. A failing feed backs off and the others
        carry on; while another process is ingesting, the round stops and the feeds stay due for the next one."""
        feeds = []
        for due in await self.engine.run(self.records.feeds.due):  # those another process is not polling
            if feed := await self.engine.run(self.records.feeds.claim, due, self.owner, self.settings.lease_seconds):
                feeds.append(feed)
        if not feeds:
            return
        limit = asyncio.Semaphore(FETCH_AT_ONCE)

        async def fetch(feed: Feed) -> tuple[Feed, FeedPoll | None, Exception | None]:
            async with limit:
                try:
                    return feed, await self.fetch(feed), None
                except Exception as exc:  # noqa: BLE001 - recorded against the feed below
                    return feed, None, exc

        tasks = [asyncio.create_task(fetch(feed)) for feed in feeds]
        async with self.holding([f"feed:{feed.id}" for feed in feeds]):
            await self._index_as_fetched(tasks)

    async def _index_as_fetched(self, tasks: list[asyncio.Task]) -> None:
        try:
            for done in asyncio.as_completed(tasks):
                feed, poll, error = await done
                if poll is not None:
                    try:
                        report, new = await self.ingest(feed, poll)
                    except IndexBusy:
                        log.info("the index is busy with another ingest; feeds wait for the next round")
                        return
                    except Exception as exc:  # noqa: BLE001 - recorded against the feed below
                        error = exc
                if error is not None:
                    await self._failed(feed, error)
                else:
                    for article_id, why in report.teasers:  # stored, but with the feed's summary only
                        log.warning("feed %s: summary only for %s: %s", feed.url, article_id, why)
                    if new or report.skipped or report.teasers:
                        log.info("feed %s: %d new items; %s", feed.url, new, report.summary())
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _failed(self, feed: Feed, exc: Exception) -> None:
        reason = exc.reason if isinstance(exc, SourceError) else f"internal error ({type(exc).__name__})"
        if not isinstance(exc, SourceError):
            log.error("polling %s failed", feed.url, exc_info=exc)
        delay = await self.engine.run(
            self.records.feeds.poll_failed, feed, reason, interval=self.settings.feed_interval
        )
        log.warning("feed %s failed: %s (next try in %.0f s)", feed.url, reason, delay)

    async def deliver(self, post: Post) -> int:
        """Post what is new to each subscribed channel: oldest first, at most `delivery_cap` per channel per
        round (the rest wait for the next round, so nothing is lost). Returns how many were posted."""
        cap = self.settings.delivery_cap
        total = 0
        for sub in await self.engine.run(self.records.feeds.subscriptions):
            posted, blocked = 0, False
            while posted < cap and not blocked:
                items = await self.engine.run(self.records.feeds.undelivered, sub, cap - posted)
                if not items:
                    break
                wanted = None
                if sub.topic:  # a story's id is its first article's, which holds the story's passages
                    wanted = await self.engine.run(self.library.about, sub.topic, [i.story_id for i in items])
                for item in items:
                    if wanted is not None and item.story_id not in wanted:
                        await self.engine.run(self.records.feeds.delivered, sub.channel, item, "off-topic")
                        continue
                    claimed = await self.engine.run(
                        self.records.feeds.claim_delivery, sub.channel, item, self.owner, self.settings.lease_seconds
                    )
                    if not claimed:
                        continue  # another process is posting it
                    outcome, detail = await post(sub.channel, item, sub.topic)
                    if outcome == "posted":
                        await self.engine.run(self.records.feeds.delivered, sub.channel, item, "posted", detail)
                        posted += 1
                        if sub.problem:
                            await self.engine.run(self.records.feeds.set_problem, sub.channel, "")
                            sub.problem = ""
                    elif outcome == "failed":
                        await self.engine.run(self.records.feeds.delivered, sub.channel, item, f"failed: {detail}")
                    else:
                        await self.engine.run(self.records.feeds.release_delivery, sub.channel, item, self.owner)
                        if outcome == "gone":
                            await self.engine.run(self.records.feeds.unsubscribe, sub.channel)
                        else:
                            await self.engine.run(self.records.feeds.set_problem, sub.channel, detail)
                        log.warning("channel %s: %s (%s)", sub.channel, detail, outcome)
                        blocked = True
                        break
            total += posted
        return total
