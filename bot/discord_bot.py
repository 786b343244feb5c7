"""The Discord side: the client, with mentions and follow-ups, feed polling and posting, standing questions'
updates, and one error handler for every command. A thin adapter: every command parses, calls the library off the
event loop, renders. The application commands themselves live in bot.commands, one module per group, each with a
`register(tree)` the client calls for every module in GROUPS.

The client sits at the top of bot/ and nothing in bot/ imports it: the command groups, the buttons and pagers
(bot.views) and the answering flow (bot.answerer, which /ask, mentions and follow-ups share) reach it only through
`interaction.client`, as the Client protocol of bot.commands.common describes it.

(Named discord_bot, not discord, so that `import discord` can never resolve to this module.)

Threads: the library runs in one worker thread (bot.engine), network fetches in the default pool; the event
loop only talks to Discord and stays free to answer heartbeats.

One class on purpose: the client's life cycle and its posting loops (feed items, standing questions' updates,
daily briefs, the tariff board's changes) share its claims, nonces and failure handling, so they stay in one
class; the commands do not.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import re
import signal
import weakref
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import discord
import yarl
from discord import app_commands

from answering import parse_when
from answering.brief import brief
from answering.tariff_watch import LEASE as TARIFF_LEASE
from answering.tariff_watch import TariffWatches
from answering.watch import Watches
from bot import embeds
from bot.answerer import Answerer, follow_up_context
from bot.commands import briefs, feeds, questions, tariffs, timeline, watches
from bot.commands.common import UserError
from bot.engine import Engine
from bot.feeds import FeedWatcher
from bot.settings import Settings
from bot.views import Pager, PassageButton, VoteButton
from embeddings import Library, TradewireError
from embeddings.sources.web import Fetcher
from embeddings.store import NewItem
from embeddings.store.briefs import LATE_AFTER

__all__ = ["GROUPS", "TradewireBot", "UserError", "configure_endpoints", "run"]

log = logging.getLogger("tradewire.discord")

GROUPS = (
    questions,
    timeline,
    feeds,
    briefs,
    watches,
    tariffs,
)  # each registers its commands; the order is the order Discord lists them


def configure_endpoints(api_base: str | None, gateway_url: str | None) -> None:
    """Point discord.py at a Discord-compatible server instead of discord.com (process-wide)."""
    if api_base:
        discord.http.Route.BASE = api_base.rstrip("/")
    if gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


class TradewireBot(discord.AutoShardedClient):
    """The bot: one library, one settings object, one command tree."""

    def __init__(self, library: Library, settings: Settings, *, fetcher: Fetcher | None = None, **options: Any):
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False  # a news bot has no voice
        intents = discord.Intents.default()
        intents.message_content = settings.discord_message_content
        options.setdefault("shard_count", settings.discord_shards)
        if settings.shard_ids is not None:  # one of several processes, each running some of the shards
            options.setdefault("shard_ids", settings.shard_ids)
        super().__init__(intents=intents, allowed_mentions=embeds.NO_PINGS, **options)
        self.settings = settings
        self.library = library
        self.engine = Engine(library)
        self.fetcher = fetcher or settings.fetcher()
        self.feeds = FeedWatcher(self.engine, settings, self.fetcher)
        self.watches = Watches(library, k=settings.top_k)
        self.tariff_watches = TariffWatches(library)  # the tariff board's watches (/tariffs watch)
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # the daily briefs' (tests move it)
        self.tree = app_commands.CommandTree(self)
        self.tree.error(self.on_app_command_error)
        for group in GROUPS:
            group.register(self.tree)
        self.answerer = Answerer(self.engine, library, settings)  # /ask, mentions, follow-ups (and /timeline's slot)
        self._poller: asyncio.Task | None = None
        self._stopping: asyncio.Task | None = None
        self._closing: asyncio.Future | None = None
        self.pagers: weakref.WeakSet[Pager] = weakref.WeakSet()  # stopped at shutdown: their timers are tasks
        if settings.discord_gateway_url:
            self._pin_gateway(settings.discord_gateway_url)

    def _pin_gateway(self, url: str) -> None:
        """A sharded client asks GET /gateway/bot where to connect; a configured gateway wins."""
        original = self.http.get_bot_gateway

        async def get_bot_gateway():
            shards, _, limits = await original()
            return shards, url, limits

        self.http.get_bot_gateway = get_bot_gateway  # type: ignore[method-assign]

    # --- lifecycle ---------------------------------------------------------------------------------
    async def setup_hook(self) -> None:
        self.add_dynamic_items(VoteButton, PassageButton)
        with contextlib.suppress(NotImplementedError, RuntimeError):  # `docker stop`: close cleanly, save vectors
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, self._stop_on_signal)
        await asyncio.to_thread(parse_when, "2025-01-01")  # import dateparser now, not inside a command
        guild = discord.Object(id=self.settings.discord_guild) if self.settings.discord_guild else None
        if guild:
            self.tree.copy_global_to(guild=guild)
        if self.settings.shard_ids is not None and 0 not in self.settings.shard_ids:
            log.info("commands are synced by the process that runs shard 0")
        else:
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands %s", len(synced), "to one guild" if guild else "globally")
        if self.settings.feed_interval > 0:
            self._poller = asyncio.create_task(self._poll_forever(), name="tradewire-feeds")

    def _stop_on_signal(self) -> None:
        log.info("stopping (SIGTERM)")
        self._stopping = asyncio.create_task(self.close())

    async def on_ready(self) -> None:
        log.info(
            "connected as %s (id %s) to %d guilds", self.user, self.user.id if self.user else "?", len(self.guilds)
        )

    async def close(self) -> None:
        """Disconnect, then close the library (vectors saved) and the fetcher. Safe to call more than once
        and from a signal: every caller waits for the one shutdown."""
        if self._closing is None:
            self._closing = asyncio.ensure_future(self._shut_down())
        await asyncio.shield(self._closing)

    async def _shut_down(self) -> None:
        if self._poller:
            self._poller.cancel()
        for pager in list(self.pagers):
            pager.stop()
        await super().close()
        await self.engine.close()
        self.fetcher.close()

    # --- mentions and follow-ups -------------------------------------------------------------------
    async def on_message(self, message: discord.Message) -> None:
        """A mention with a question (or any direct message) is answered as a reply; a reply to one of our
        answers follows up on it."""
        if message.author.bot or self.user is None:
            return
        earlier = None
        replied = message.reference.resolved if message.reference else None
        if message.reference and message.reference.message_id and getattr(replied, "author", self.user) == self.user:
            # a reply to one of our messages (or to one Discord did not resolve): is it one of our answers?
            earlier = await self.engine.run(self.library.records.answers.for_message, str(message.reference.message_id))
        direct = isinstance(message.channel, discord.DMChannel)  # in a DM every message is for the bot
        if self.user not in message.mentions and earlier is None and not direct:
            return
        question = re.sub(rf"<@!?{self.user.id}>", " ", message.content)
        question = " ".join(question.split())
        if not question:
            if self.user in message.mentions or direct:
                await message.reply(
                    "Ask me about trade news, e.g. `@tradewire When do the new auto tariffs take effect?`",
                    mention_author=False,
                )
            return
        context = ""
        if earlier is not None:
            context = follow_up_context(earlier.context, earlier.question)

        async def refuse(exc: Exception) -> None:
            if isinstance(exc, (UserError, TradewireError)):
                await message.reply(embeds.message(str(exc)), mention_author=False)
                return
            log.error("answering a mention failed", exc_info=exc)
            await message.reply(
                "Sorry, something went wrong while answering. It has been logged.", mention_author=False
            )

        await self.answerer.respond(
            question,
            send=functools.partial(message.reply, mention_author=False),
            user=message.author.id,
            guild=message.guild.id if message.guild else None,
            channel=message.channel.id,
            context=context,
            refuse=refuse,
        )

    # --- errors ------------------------------------------------------------------------------------
    async def on_app_command_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        """One handler for every command: fixable errors go to the user alone; the rest is logged with its
        traceback and the user still gets a short apology instead of an endless "thinking..."."""
        original = getattr(error, "original", error)
        if isinstance(original, (UserError, TradewireError)):
            message = str(original)
        elif isinstance(error, app_commands.MissingPermissions):
            message = "You need the Manage Server permission for that."
        elif isinstance(error, app_commands.NoPrivateMessage):
            message = "That works in a server, not in direct messages."
        elif isinstance(error, app_commands.CommandOnCooldown):
            message = f"Slow down a little: try again in {error.retry_after:.0f} s."
        elif isinstance(error, app_commands.TransformerError):
            message = f"I could not read {error.value!r}."
        else:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error("/%s failed", command, exc_info=original)
            message = "Sorry, something went wrong on my side. It has been logged."
        try:
            if interaction.response.is_done():
                await interaction.followup.send(embeds.message(message), ephemeral=True)
            else:
                await interaction.response.send_message(embeds.message(message), ephemeral=True)
        except discord.HTTPException:
            log.warning("could not tell the user about an error (interaction expired?)")

    # --- feeds ------------------------------------------------------------------------------------
    async def _poll_forever(self) -> None:
        await self.wait_until_ready()
        while not self.is_closed():
            try:
                await self.poll_once()
            except Exception:
                log.exception("feed poll failed")
            await asyncio.sleep(min(self.settings.feed_interval, 60.0))

    async def poll_once(self) -> int:
        """Poll the feeds that are due, then post what is new; then ask the standing questions that the new
        articles (from feeds, or from `tradewire ingest` meanwhile) could change, and post the changes. Returns
        how many feed items were posted."""
        try:
            await self.feeds.poll_due()
        except Exception:
            log.exception("feed poll failed")
        posted = await self.feeds.deliver(self._post)
        try:
            await self.post_due_briefs()
        except Exception:
            log.exception("daily briefs failed")
        await self.tariff_round()
        if not await self.engine.run(
            self.library.records.leases.claim, "watches", self.feeds.owner, self.settings.lease_seconds
        ):
            return posted  # another process is running this round
        async with self.feeds.holding(["watches"]):
            try:
                await self.engine.run(self.watches.check, servers=True)
                await self.post_watch_updates()
            except Exception:
                log.exception("standing questions failed")
        return posted

    async def post_due_briefs(self, now: datetime | None = None) -> int:
        """Post each channel's daily brief whose hour has come (in its server's time zone) and that is not out
        yet today: once a day per channel, across restarts and processes (a claim per day). A brief that missed
        its hour (the bot was down) goes out late, once, saying so. Returns how many were posted."""
        now = now or self.clock()
        posted = 0
        for schedule, day, scheduled in await self.engine.run(self.library.records.briefs.due, now):
            owner, lease = self.feeds.owner, self.settings.lease_seconds
            if not await self.engine.run(self.library.records.briefs.claim, schedule, day, owner, lease):
                continue
            since = scheduled.astimezone(UTC) - timedelta(days=1)
            result = await self.engine.run(brief, self.library, since=since, until=now, topic=schedule.topic or None)
            late = f"{scheduled:%H:%M} {schedule.timezone}" if now - scheduled.astimezone(UTC) > LATE_AFTER else ""
            embed = embeds.brief_embed(result, day=day.isoformat(), late_since=late)
            try:
                channel = self.get_partial_messageable(int(schedule.channel))
                sent = await channel.send(embed=embed, nonce=_nonce("brief", str(schedule.id), day.isoformat()))
            except discord.HTTPException as exc:
                outcome, reason = _not_posted(exc)
                if outcome == "held":
                    log.warning("brief for channel %s held back (%s)", schedule.channel, reason)
                    await self.engine.run(self.library.records.briefs.release, schedule, owner)
                else:
                    log.warning("brief for channel %s not posted (%s)", schedule.channel, reason)
                    await self.engine.run(self.library.records.briefs.delivered, schedule, day, None)
                continue
            await self.engine.run(self.library.records.briefs.delivered, schedule, day, str(sent.id))
            posted += 1
        return posted

    async def tariff_round(self) -> int:
        """The tariff board's watches: each board computed again as of now (off the event loop, by one process at a
        time: the lease TARIFF_LEASE), its changes recorded, then posted. Returns how many were posted."""
        leases, owner = self.library.records.leases, self.feeds.owner
        if not await self.engine.run(leases.claim, TARIFF_LEASE, owner, self.settings.lease_seconds):
            return 0  # another process is running this round
        async with self.feeds.holding([TARIFF_LEASE]):
            try:
                await self.engine.run(self.tariff_watches.check, self.clock())
                return await self.post_tariff_updates()
            except Exception:
                log.exception("tariff board watches failed")
                return 0

    async def post_tariff_updates(self) -> int:
        """Post every pending change of the servers' tariff board watches, oldest first, one message each, made once
        (a nonce per update) across restarts and processes; returns how many."""

        def text(update) -> str:
            return embeds.tariff_update(update.line, update.change)

        updates = await self.engine.run(self.tariff_watches.pending, servers=True)
        return await self._post_updates("tariff-update", updates, text, self.tariff_watches.delivered)

    async def post_watch_updates(self) -> int:
        """Post every pending update of the servers' standing questions, oldest first; returns how many."""

        def text(update) -> str:
            watch = update.watch
            link = (
                f"https://discord.com/channels/{watch.guild}/{watch.channel}/{update.previous_message}"
                if update.previous_message
                else None
            )
            return embeds.watch_update(watch.question, update.answer, update.previous, link)

        updates = await self.engine.run(self.watches.pending, servers=True)
        return await self._post_updates("watch-update", updates, text, self.watches.delivered)

    async def _post_updates(self, kind: str, updates: list, text: Callable, delivered: Callable) -> int:
        """Post an outbox's updates (each has an id and its `watch`, with the channel), one message each with the
        nonce of its `kind` and id, so a post is made once across restarts; a channel that cannot take posts now
        keeps its update pending, one that never will marks it failed. Returns how many were posted."""
        posted = 0
        for update in updates:
            watch = update.watch
            try:
                channel = self.get_partial_messageable(int(watch.channel))
                sent = await channel.send(text(update), nonce=_nonce(kind, str(update.id)))
            except discord.HTTPException as exc:
                outcome, reason = _not_posted(exc)
                if outcome == "held":
                    log.warning("%s %d: channel %s cannot take posts now (%s)", kind, update.id, watch.channel, reason)
                    continue  # stays pending: posted when the channel can take it
                await self.engine.run(delivered, update, failed=reason)
                continue
            await self.engine.run(delivered, update, str(sent.id))
            posted += 1
        return posted

    async def _post(self, channel_id: str, item: NewItem, topic: str) -> tuple[str, str]:
        """Post one item, and say what became of it (see bot.feeds.Post)."""
        channel = self.get_partial_messageable(int(channel_id))
        try:
            message = await channel.send(
                embed=embeds.news_embed(item, topic=topic), nonce=_nonce("news", channel_id, item.story_id)
            )
        except discord.HTTPException as exc:
            return _not_posted(exc)
        return "posted", str(message.id)


def _nonce(*parts: str) -> str:
    """The same nonce for the same post, whichever process sends it: with `enforce_nonce` (discord.py sets it with
    a nonce) Discord returns the message already made with it, for a few minutes, instead of posting it again, so a
    process that takes over a dead one's claim cannot double a post that was sent but not yet recorded."""
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest()
    return str(int.from_bytes(digest, "big") >> 1)  # at most 19 digits: Discord takes up to 25 characters


def _not_posted(exc: discord.HTTPException) -> tuple[str, str]:
    """Why a post failed, as bot.feeds.Post says it: "gone" (the channel was deleted), "held" (the channel cannot
    take posts now: missing permissions, Discord down, rate limited) or "failed" (this post is refused)."""
    reason = f"{exc.status} {exc.text}".strip()
    if isinstance(exc, discord.NotFound) and exc.code == 10003:  # Unknown Channel
        return "gone", reason
    if isinstance(exc, (discord.Forbidden, discord.DiscordServerError)) or exc.status == 429:
        return "held", reason
    return "failed", reason


def run(settings: Settings) -> None:
    """`tradewire serve`: connect and run until stopped."""
    if settings.discord_token is None or not settings.discord_token.get_secret_value().strip():
        raise TradewireError("set DISCORD_TOKEN to the bot's token (Discord developer portal → your app → Bot)")
    configure_endpoints(settings.discord_api_base, settings.discord_gateway_url)
    library = settings.open_library(writing=True)
    library.index  # noqa: B018 - load and reconcile before connecting, not on the first question
    token = settings.discord_token.get_secret_value().strip()

    async def serve() -> None:
        bot = TradewireBot(library, settings)
        async with bot:
            try:
                await bot.start(token)
            finally:
                await bot.close()  # waited for here, so nothing is cut short when the loop ends

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass
    except (aiohttp.ClientError, OSError, discord.GatewayNotFound) as exc:
        where = settings.discord_api_base or "discord.com"
        raise TradewireError(f"cannot reach Discord at {where}: {str(exc) or type(exc).__name__}") from None
    except discord.LoginFailure:
        raise TradewireError("Discord refused the token (DISCORD_TOKEN): reset it in the developer portal") from None
    except discord.PrivilegedIntentsRequired:
        raise TradewireError(
            "the Message Content intent is not enabled for this bot: enable it in the developer portal "
            "or unset TRADEWIRE_DISCORD_MESSAGE_CONTENT"
        ) from None
