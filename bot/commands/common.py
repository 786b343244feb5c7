"""What every command group shares: the error a user can fix, the private acknowledgement, the apology, and the
Manage Server guard. Kept apart from bot.discord_bot so that the groups and the client can import it without
importing each other."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

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


def admin_only(command):
    """A server-only command for people with Manage Server: hidden from others by default, and checked when run
    (a server can change who sees what)."""
    guarded = app_commands.checks.has_permissions(**ADMIN)(command)
    return app_commands.guild_only()(app_commands.default_permissions(**ADMIN)(guarded))
