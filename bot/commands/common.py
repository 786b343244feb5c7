"""What every command group shares: the error a user can fix, the private acknowledgement, the apology, the
Manage Server guard, and `Client`, what a command may use of the client. Kept apart from bot.discord_bot so that
the groups, the buttons (bot.views), the answering flow (bot.answerer) and the client can import it without
importing each other.

`Client` is a Protocol, not an import of bot.discord_bot.TradewireBot: the client imports every command group (it
registers them), so a group importing the client, even for type hints only, would close a circle. The commands
reach the client through `interaction.client` and see only what the protocol lists (tests/test_bot_imports.py
holds bot/ to no circle; tests/test_discord.py, the client to the protocol). Its types are named for type checkers
only, and from modules below the commands (the engine, the feed watcher, the settings, the library), so no import
here leads back up.
"""

from __future__ import annotations

import io
import logging
import weakref
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import discord
from discord import app_commands

if TYPE_CHECKING:
    from answering.tariff_watch import TariffWatches
    from answering.watch import Watches
    from bot.engine import Engine
    from bot.feeds import FeedWatcher
    from bot.settings import Settings
    from embeddings import Library

log = logging.getLogger("tradewire.discord")

ADMIN = dict(manage_guild=True)


class UserError(app_commands.AppCommandError):
    """Something the user can fix: shown to them alone, not logged as a failure."""


async def defer_privately(interaction: discord.Interaction) -> None:
    """Acknowledge at once, visible to the user alone: the library thread may be busy with a feed for a
    moment, and Discord drops interactions not acknowledged within 3 seconds."""
    await interaction.response.defer(ephemeral=True, thinking=True)


async def apologise(interaction: discord.Interaction) -> None:
    try:
        send = interaction.followup.send if interaction.response.is_done() else interaction.response.send_message
        await send("Sorry, something went wrong. It has been logged.", ephemeral=True)
    except discord.HTTPException:
        pass


async def picture(bot: Client, draw: Callable[[Any], bytes], result: Any, command: str) -> bytes | None:
    """A chart of `result` (bot.charts, through `draw`), drawn in the engine's thread, off the event loop; None if
    drawing fails (logged): the reply's text says it all the same."""
    try:
        return await bot.engine.run(draw, result)
    except Exception:
        log.exception("%s: the chart could not be drawn", command)
        return None


def attached(embed: discord.Embed, png: bytes, filename: str) -> discord.File:
    """The picture as the embed's image: the file to send with it."""
    embed.set_image(url=f"attachment://{filename}")
    return discord.File(io.BytesIO(png), filename=filename)


def admin_only(command):
    """A server-only command for people with Manage Server: hidden from others by default, and checked when run
    (a server can change who sees what)."""
    guarded = app_commands.checks.has_permissions(**ADMIN)(command)
    return app_commands.guild_only()(app_commands.default_permissions(**ADMIN)(guarded))


class Answering(Protocol):
    """The answering flow (bot.answerer.Answerer) as the commands use it."""

    def slot(self, user_id: int) -> AbstractContextManager[None]:
        """Hold one of the answer slots for a user's question (UserError when there is none for them)."""
        ...

    async def respond(
        self,
        question: str,
        *,
        send: Callable[..., Awaitable[Any]],
        user: int,
        guild: int | None = None,
        channel: int | None = None,
        as_of: datetime | None = None,
        context: str = "",
        acknowledge: Callable[[], Awaitable[Any]] | None = None,
        refuse: Callable[[Exception], Awaitable[Any]] | None = None,
    ) -> None:
        """Answer a question and send the answer: slot, answer, embed, view, the message recorded."""
        ...


@runtime_checkable
class Client(Protocol):
    """What the commands, buttons and pagers use of the client (bot.discord_bot.TradewireBot), through
    `interaction.client`."""

    settings: Settings
    library: Library
    engine: Engine
    feeds: FeedWatcher
    watches: Watches
    tariff_watches: TariffWatches  # the tariff board's watches (/tariffs watch)
    answerer: Answering
    clock: Callable[[], datetime]  # the daily briefs' clock
    pagers: weakref.WeakSet[discord.ui.View]  # stopped at shutdown

    async def post_watch_updates(self) -> int:
        """Post every pending update of the servers' standing questions; returns how many."""
        ...
