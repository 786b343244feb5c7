"""The Discord side: application commands, mentions and follow-ups, feedback buttons, feed polling and
channel subscriptions. A thin adapter: every command parses, calls the library off the event loop, renders.

(Named discord_bot, not discord, so that `import discord` can never resolve to this module.)

Threads: the library runs in one worker thread (bot.engine), network fetches in the default pool; the event
loop only talks to Discord and stays free to answer heartbeats.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
import signal
import weakref
from collections.abc import Iterator
from dataclasses import asdict
from datetime import datetime
from typing import Any

import aiohttp
import discord
import yarl
from discord import app_commands

from answering import Answer, ask, parse_when
from answering.watch import Watches
from bot import embeds, render
from bot.engine import Engine
from bot.feeds import FeedWatcher
from bot.settings import Settings
from embeddings import Library, TradewireError
from embeddings.errors import SourceError
from embeddings.search import Filters
from embeddings.sources import is_url
from embeddings.sources.web import Fetcher
from embeddings.state import NewItem

log = logging.getLogger("tradewire.discord")

PAGE_SIZE = 5
FOLLOW_UP_CONTEXT_CHARS = 400


class UserError(app_commands.AppCommandError):
    """Something the user can fix: shown to them alone, not logged as a failure."""


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
        self.watches = Watches(library, k=settings.top_k, reader=settings.reader)
        self.tree = app_commands.CommandTree(self)
        self.tree.error(self.on_app_command_error)
        commands = (
            ask_command,
            latest_command,
            search_command,
            FeedsGroup(),
            subscribe_command,
            unsubscribe_command,
            watch_command,
            watches_command,
            unwatch_command,
        )
        for command in commands:
            self.tree.add_command(command)
        self._limits: dict[int, app_commands.Cooldown] = {}
        self._answering = 0
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

    # --- answering ---------------------------------------------------------------------------------
    @contextlib.contextmanager
    def answering(self, user_id: int) -> Iterator[None]:
        """Hold one of the answer slots for a user's question. UserError when the user asks faster than the
        per-user cooldown, or when `max_pending_answers` are already in progress or waiting."""
        settings = self.settings
        if self._answering >= settings.max_pending_answers:
            raise UserError("I'm answering a lot of questions right now. Please try again in a minute.")
        if settings.ask_rate > 0:
            if len(self._limits) > 10_000:  # forget users whose window has passed
                self._limits = {u: c for u, c in self._limits.items() if c.get_tokens() < c.rate}
            cooldown = self._limits.setdefault(user_id, app_commands.Cooldown(settings.ask_rate, settings.ask_per))
            retry = cooldown.update_rate_limit()
            if retry:
                raise UserError(f"You're asking faster than I can keep up. Try again in {retry:.0f} s.")
        self._answering += 1
        try:
            yield
        finally:
            self._answering -= 1

    async def answer(
        self,
        question: str,
        *,
        as_of: datetime | None = None,
        context: str = "",
        guild: int | None = None,
        channel: int | None = None,
        user: int | None = None,
    ) -> tuple[Answer, int]:
        """Retrieve and answer in the library thread; the answer is recorded (for feedback and follow-ups)."""
        result = await self.engine.run(
            ask,
            self.library,
            question,
            as_of=as_of,
            k=self.settings.top_k,
            context=context,
            reader=self.settings.reader,
        )
        answer_id = await self.engine.run(
            self.library.state.record_answer,
            asdict(result),
            guild=str(guild or ""),
            channel=str(channel or ""),
            user=str(user or ""),
            context=context,
        )
        return result, answer_id

    async def on_message(self, message: discord.Message) -> None:
        """A mention with a question (or any direct message) is answered as a reply; a reply to one of our
        answers follows up on it."""
        if message.author.bot or self.user is None:
            return
        earlier = None
        replied = message.reference.resolved if message.reference else None
        if message.reference and message.reference.message_id and getattr(replied, "author", self.user) == self.user:
            # a reply to one of our messages (or to one Discord did not resolve): is it one of our answers?
            earlier = await self.engine.run(self.library.state.answer_for_message, str(message.reference.message_id))
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
            context = f"{earlier.context} {earlier.question}".strip()[-FOLLOW_UP_CONTEXT_CHARS:]
        try:
            with self.answering(message.author.id):
                result, answer_id = await self.answer(
                    question,
                    context=context,
                    guild=message.guild.id if message.guild else None,
                    channel=message.channel.id,
                    user=message.author.id,
                )
        except (UserError, TradewireError) as exc:
            await message.reply(embeds.message(str(exc)), mention_author=False)
            return
        except Exception:
            log.exception("answering a mention failed")
            await message.reply(
                "Sorry, something went wrong while answering. It has been logged.", mention_author=False
            )
            return
        sent = await message.reply(
            embed=embeds.answer_embed(result, context=context),
            view=answer_view(answer_id, result),
            mention_author=False,
        )
        await self.engine.run(self.library.state.set_answer_message, answer_id, str(sent.id))

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
        if not await self.engine.run(
            self.library.state.lease, "watches", self.feeds.owner, self.settings.lease_seconds
        ):
            return posted  # another process is running this round
        async with self.feeds.holding(["watches"]):
            try:
                await self.engine.run(self.watches.check, servers=True)
                await self.post_watch_updates()
            except Exception:
                log.exception("standing questions failed")
        return posted

    async def post_watch_updates(self) -> int:
        """Post every pending update of the servers' standing questions, oldest first; returns how many."""
        posted = 0
        for update in await self.engine.run(self.watches.pending, servers=True):
            watch = update.watch
            link = (
                f"https://discord.com/channels/{watch.guild}/{watch.channel}/{update.previous_message}"
                if update.previous_message
                else None
            )
            text = embeds.watch_update(watch.question, update.answer, update.previous, link)
            try:
                channel = self.get_partial_messageable(int(watch.channel))
                sent = await channel.send(text, nonce=_nonce("watch-update", str(update.id)))
            except discord.HTTPException as exc:
                outcome, reason = _not_posted(exc)
                if outcome == "held":
                    log.warning("watch %d: channel %s cannot take posts now (%s)", watch.id, watch.channel, reason)
                    continue  # stays pending: posted when the channel can take it
                await self.engine.run(self.watches.delivered, update, failed=reason)
                continue
            await self.engine.run(self.watches.delivered, update, str(sent.id))
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


# --- buttons ---------------------------------------------------------------------------------------------
class VoteButton(discord.ui.DynamicItem[discord.ui.Button], template=r"tw:vote:(?P<answer>\d+):(?P<vote>up|down)"):
    """👍 / 👎 under an answer, stored with the question, answer and citations. Survives restarts."""

    def __init__(self, answer_id: int, vote: str):
        super().__init__(
            discord.ui.Button(
                emoji="👍" if vote == "up" else "👎",
                style=discord.ButtonStyle.secondary,
                custom_id=f"tw:vote:{answer_id}:{vote}",
            )
        )
        self.answer_id = answer_id
        self.vote = vote

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str]) -> VoteButton:
        return cls(int(match["answer"]), match["vote"])

    async def callback(self, interaction: discord.Interaction[TradewireBot]) -> None:
        bot, state = interaction.client, interaction.client.library.state
        try:
            await _defer_privately(interaction)
            if await bot.engine.run(state.answer, self.answer_id) is None:
                await interaction.followup.send("That answer is no longer on record.", ephemeral=True)
                return
            up, down = await bot.engine.run(
                state.record_feedback, self.answer_id, str(interaction.user.id), 1 if self.vote == "up" else -1
            )
            await interaction.followup.send(
                f"Thanks, noted {'👍' if self.vote == 'up' else '👎'} ({up} 👍 · {down} 👎 so far).", ephemeral=True
            )
        except Exception:
            log.exception("recording feedback failed")
            await _apologise(interaction)


class PassageButton(discord.ui.DynamicItem[discord.ui.Button], template=r"tw:passage:(?P<answer>\d+):(?P<n>\d+)"):
    """Shows a cited passage in full, to the clicking user alone."""

    def __init__(self, answer_id: int, n: int):
        super().__init__(
            discord.ui.Button(
                label=f"Passage [{n}]", style=discord.ButtonStyle.secondary, custom_id=f"tw:passage:{answer_id}:{n}"
            )
        )
        self.answer_id = answer_id
        self.n = n

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str]) -> PassageButton:
        return cls(int(match["answer"]), int(match["n"]))

    async def callback(self, interaction: discord.Interaction[TradewireBot]) -> None:
        bot = interaction.client
        try:
            await _defer_privately(interaction)
            stored = await bot.engine.run(bot.library.state.answer, self.answer_id)
            citation = next((c for c in (stored.answer["citations"] if stored else []) if c["n"] == self.n), None)
            passage = citation and await bot.engine.run(bot.library.passage, citation["article_id"], citation["quote"])
            if not passage:
                await interaction.followup.send("That passage is no longer indexed.", ephemeral=True)
                return
            await interaction.followup.send(embed=embeds.passage_embed(citation, passage), ephemeral=True)
        except Exception:
            log.exception("showing a passage failed")
            await _apologise(interaction)


async def _defer_privately(interaction: discord.Interaction) -> None:
    """Acknowledge at once, visible to the user alone: the library thread may be busy with a feed for a
    moment, and Discord drops interactions not acknowledged within 3 seconds."""
    await interaction.response.defer(ephemeral=True, thinking=True)


async def _apologise(interaction: discord.Interaction) -> None:
    try:
        send = interaction.followup.send if interaction.response.is_done() else interaction.response.send_message
        await send("Sorry, something went wrong. It has been logged.", ephemeral=True)
    except discord.HTTPException:
        pass


def answer_view(answer_id: int, result: Answer) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    if not result.abstained:
        view.add_item(VoteButton(answer_id, "up"))
        view.add_item(VoteButton(answer_id, "down"))
        for c in result.citations:
            view.add_item(PassageButton(answer_id, c.n))
    return view


class Pager(discord.ui.View):
    """◀ / ▶ through the pages of a /latest list."""

    def __init__(self, pages: list[discord.Embed], owner: int):
        super().__init__(timeout=600)  # within the 15 minutes an interaction token lives, so the edit works
        self.pages = pages
        self.owner = owner
        self.page = 0
        self.message: discord.WebhookMessage | None = None
        self._sync()

    def _sync(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= len(self.pages) - 1

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner:
            return True
        await interaction.response.send_message("Run `/latest` yourself to page through it.", ephemeral=True)
        return False

    async def _show(self, interaction: discord.Interaction, page: int) -> None:
        self.page = max(0, min(page, len(self.pages) - 1))
        self._sync()
        await interaction.response.edit_message(embed=self.pages[self.page], view=self)

    @discord.ui.button(emoji="◀", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._show(interaction, self.page - 1)

    @discord.ui.button(emoji="▶", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._show(interaction, self.page + 1)

    async def on_timeout(self) -> None:
        if self.message is not None:
            for item in self.children:
                item.disabled = True  # type: ignore[attr-defined]
            try:
                await self.message.edit(view=self)
            except discord.HTTPException:
                pass


# --- commands --------------------------------------------------------------------------------------------
@app_commands.command(name="ask")
@app_commands.describe(
    question="What you want to know, e.g. When is Canada's election?",
    as_of="Answer as the news stood on this date, e.g. 2025-04-01",
)
async def ask_command(
    interaction: discord.Interaction[TradewireBot],
    question: app_commands.Range[str, 3, 500],
    as_of: app_commands.Range[str, 1, 40] | None = None,
) -> None:
    """Answer a trade-news question with the sentence that supports it and numbered citations."""
    bot = interaction.client
    if not question.strip():
        raise UserError("Ask a question, e.g. When do the new auto tariffs take effect?")
    when = parse_when(as_of)  # a date it cannot read is the user's to fix, before anything is shown
    with bot.answering(interaction.user.id):
        await interaction.response.defer(thinking=True)
        result, answer_id = await bot.answer(
            question, as_of=when, guild=interaction.guild_id, channel=interaction.channel_id, user=interaction.user.id
        )
    sent = await interaction.followup.send(
        embed=embeds.answer_embed(result), view=answer_view(answer_id, result), wait=True
    )
    await bot.engine.run(bot.library.state.set_answer_message, answer_id, str(sent.id))


@app_commands.command(name="latest")
@app_commands.describe(
    count="How many stories (default 10)", topic="Only stories about this", source="Only this source, e.g. Reuters"
)
async def latest_command(
    interaction: discord.Interaction[TradewireBot],
    count: app_commands.Range[int, 1, 50] = 10,
    topic: app_commands.Range[str, 2, 100] | None = None,
    source: app_commands.Range[str, 1, 100] | None = None,
) -> None:
    """The newest trade stories, with links and times."""
    bot = interaction.client
    await interaction.response.defer(thinking=True)
    items = await bot.engine.run(bot.library.latest, count, topic=topic, filters=Filters(source=source))
    heading = "Latest" + (f" on {topic}" if topic else "") + (f" from {source}" if source else "")
    chunks = [items[i : i + PAGE_SIZE] for i in range(0, len(items), PAGE_SIZE)] or [[]]
    empty = render.no_stories(topic, source)
    pages = [
        embeds.latest_embed(chunk, page=i, pages=len(chunks), heading=heading, empty=empty)
        for i, chunk in enumerate(chunks)
    ]
    if len(pages) == 1:
        await interaction.followup.send(embed=pages[0])
        return
    view = Pager(pages, interaction.user.id)
    bot.pagers.add(view)
    view.message = await interaction.followup.send(embed=pages[0], view=view, wait=True)


@app_commands.command(name="search")
@app_commands.describe(query="Words or a question, e.g. steel tariffs June")
async def search_command(
    interaction: discord.Interaction[TradewireBot], query: app_commands.Range[str, 2, 300]
) -> None:
    """The best matching passages, with links: no answer, just the sources."""
    bot = interaction.client
    await interaction.response.defer(thinking=True)
    hits = await bot.engine.run(bot.library.search, query, k=5)
    await interaction.followup.send(embed=embeds.search_embed(query, hits))


_ADMIN = dict(manage_guild=True)


def _admin_only(command):
    """A server-only command for people with Manage Server: hidden from others by default, and checked when run
    (a server can change who sees what)."""
    guarded = app_commands.checks.has_permissions(**_ADMIN)(command)
    return app_commands.guild_only()(app_commands.default_permissions(**_ADMIN)(guarded))


@app_commands.guild_only()
@app_commands.default_permissions(**_ADMIN)
class FeedsGroup(app_commands.Group, name="feeds", description="The RSS/Atom feeds this server follows"):
    @app_commands.command(name="add")
    @app_commands.describe(url="The feed's address (RSS or Atom), https://...")
    @app_commands.checks.has_permissions(**_ADMIN)
    async def add(self, interaction: discord.Interaction[TradewireBot], url: app_commands.Range[str, 8, 500]) -> None:
        """Follow a feed: its items are indexed, and new ones are posted to subscribed channels."""
        bot, state = interaction.client, interaction.client.library.state
        url = url.strip()
        if not is_url(url):
            raise UserError("A feed address starts with http:// or https://.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        known = await bot.engine.run(state.feed, url)
        poll = None
        if known is None or not known.primed:  # new to the bot: check it is a feed before following it
            try:
                poll = await bot.feeds.fetch(url)
            except SourceError as exc:
                raise UserError(f"Could not add {url}: {exc.reason}.") from None
        feed, linked = await bot.engine.run(state.add_feed, str(interaction.guild_id), url, str(interaction.user.id))
        if not linked:
            await interaction.followup.send(embeds.message(f"This server already follows {url}."), ephemeral=True)
            return
        count = ""
        if poll is not None and not feed.primed:  # index what the feed holds now: its back catalogue
            report, _ = await bot.feeds.ingest(feed, poll)
            count = f" {len(report.article_ids)} items indexed."
            if report.teasers:  # the admin learns why, and what lifts it, rather than meeting teasers later
                why = embeds.safe(report.teasers[0][1])
                count += f" {len(report.teasers)} with the feed's summary only, their pages unread ({why})."
        title = embeds.safe((poll.title if poll else feed.title) or url)
        await interaction.followup.send(
            embeds.message(
                f"Following **{title}**.{count} New items will be posted to channels set up with `/subscribe`."
            ),
            ephemeral=True,
        )

    @app_commands.command(name="list")
    @app_commands.checks.has_permissions(**_ADMIN)
    async def list_feeds(self, interaction: discord.Interaction[TradewireBot]) -> None:
        """The feeds this server follows and how their polling goes."""
        bot = interaction.client
        await _defer_privately(interaction)
        feeds = await bot.engine.run(bot.library.state.feeds, str(interaction.guild_id))
        subs = await bot.engine.run(bot.library.state.subscriptions, str(interaction.guild_id))
        await interaction.followup.send(embed=embeds.feeds_embed(feeds, subs), ephemeral=True)

    @app_commands.command(name="remove")
    @app_commands.describe(feed="The feed's address, or its number in /feeds list")
    @app_commands.checks.has_permissions(**_ADMIN)
    async def remove(
        self, interaction: discord.Interaction[TradewireBot], feed: app_commands.Range[str, 1, 500]
    ) -> None:
        """Stop following a feed (what it brought stays searchable)."""
        bot, state = interaction.client, interaction.client.library.state
        guild = str(interaction.guild_id)
        url = feed.strip()
        await _defer_privately(interaction)
        if url.isdigit():
            feeds = await bot.engine.run(state.feeds, guild)
            number = int(url)
            if not 1 <= number <= len(feeds):
                raise UserError(f"There is no feed number {number}; see `/feeds list`.")
            url = feeds[number - 1].url
        if not await bot.engine.run(state.remove_feed, guild, url):
            raise UserError(f"This server does not follow {url}.")
        await interaction.followup.send(embeds.message(f"Stopped following {url}."), ephemeral=True)


@app_commands.command(name="subscribe")
@_admin_only
@app_commands.describe(channel="Where to post (default: here)", topic="Only items about this, e.g. steel tariffs")
async def subscribe_command(
    interaction: discord.Interaction[TradewireBot],
    channel: discord.TextChannel | None = None,
    topic: app_commands.Range[str, 2, 100] | None = None,
) -> None:
    """Post new items from this server's feeds to a channel."""
    bot = interaction.client
    channel_id = channel.id if channel else interaction.channel_id
    await _defer_privately(interaction)
    await bot.engine.run(
        bot.library.state.subscribe, str(channel_id), str(interaction.guild_id), topic or "", str(interaction.user.id)
    )
    about = f" about **{embeds.safe(topic)}**" if topic else ""
    await interaction.followup.send(
        f"New items{about} from this server's feeds will be posted in <#{channel_id}>.", ephemeral=True
    )


@app_commands.command(name="unsubscribe")
@_admin_only
@app_commands.describe(channel="The channel to stop posting to (default: here)")
async def unsubscribe_command(
    interaction: discord.Interaction[TradewireBot], channel: discord.TextChannel | None = None
) -> None:
    """Stop posting new items to a channel."""
    bot = interaction.client
    channel_id = channel.id if channel else interaction.channel_id
    await _defer_privately(interaction)
    if not await bot.engine.run(bot.library.state.unsubscribe, str(channel_id)):
        raise UserError(f"<#{channel_id}> is not subscribed.")
    await interaction.followup.send(f"No more news posts in <#{channel_id}>.", ephemeral=True)


@app_commands.command(name="watch")
@_admin_only
@app_commands.describe(question="The question to keep answering", channel="Where to post its answers (default: here)")
async def watch_command(
    interaction: discord.Interaction[TradewireBot],
    question: app_commands.Range[str, 3, 300],
    channel: discord.TextChannel | None = None,
) -> None:
    """Answer a question now and post again whenever news changes the answer."""
    bot = interaction.client
    channel_id = channel.id if channel else interaction.channel_id
    await _defer_privately(interaction)
    try:
        watch, _ = await bot.engine.run(
            bot.watches.add,
            question,
            guild=str(interaction.guild_id),
            channel=str(channel_id),
            by=str(interaction.user.id),
        )
    except TradewireError as exc:
        raise UserError(f"{exc}.") from None
    await bot.post_watch_updates()
    now = "" if watch.answer else " There is no answer in the news yet: the first one will be posted."
    await interaction.followup.send(
        embeds.message(f"Watching **{embeds.safe(watch.question)}** in <#{channel_id}> (number {watch.id}).{now}"),
        ephemeral=True,
    )


@app_commands.command(name="watches")
@app_commands.guild_only()
async def watches_command(interaction: discord.Interaction[TradewireBot]) -> None:
    """This server's standing questions and their current answers."""
    bot = interaction.client
    await _defer_privately(interaction)
    listed = await bot.engine.run(bot.watches.list, str(interaction.guild_id))
    await interaction.followup.send(embed=embeds.watches_embed(listed), ephemeral=True)


@app_commands.command(name="unwatch")
@_admin_only
@app_commands.describe(number="The question's number in /watches")
async def unwatch_command(interaction: discord.Interaction[TradewireBot], number: int) -> None:
    """Stop watching a question."""
    bot = interaction.client
    await _defer_privately(interaction)
    if not await bot.engine.run(bot.watches.remove, number, str(interaction.guild_id)):
        raise UserError(f"This server has no standing question number {number}: see `/watches`.")
    await interaction.followup.send(f"Stopped watching question {number}.", ephemeral=True)


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
