"""Daily briefs: /brief posts one message a day in a channel at an hour of the server's time zone — the last 24
hours' stories grouped by event, best carried first (answering/brief.py) — /briefs lists a server's, /unbrief
removes one. The client's loop posts them (TradewireBot.post_due_briefs), once a day per channel.

Each command group is one module of bot.commands with a `register(tree)` (bot.discord_bot.GROUPS).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import discord
from discord import app_commands

from bot import embeds
from bot.commands.common import UserError, admin_only, defer_privately

if TYPE_CHECKING:
    from bot.discord_bot import TradewireBot


@app_commands.command(name="brief")
@admin_only
@app_commands.describe(
    channel="Where to post it",
    hour="The hour to post it, 0-23",
    topic="Only events about this, e.g. steel or Canada",
    timezone="The hour's time zone, e.g. Europe/Berlin (default UTC)",
)
async def brief_command(
    interaction: discord.Interaction[TradewireBot],
    channel: discord.TextChannel,
    hour: app_commands.Range[int, 0, 23],
    topic: app_commands.Range[str, 2, 100] | None = None,
    timezone: app_commands.Range[str, 1, 60] = "UTC",
) -> None:
    """Post a daily brief of the news in a channel at an hour."""
    bot = interaction.client
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(f"I do not know the time zone {timezone!r}: use a name such as Europe/Berlin or UTC.") from None
    await defer_privately(interaction)
    records = bot.library.records.briefs
    await bot.engine.run(
        lambda: records.add(
            str(interaction.guild_id),
            str(channel.id),
            hour,
            timezone=timezone,
            topic=topic or "",
            now=bot.clock(),
            by=str(interaction.user.id),
        )
    )
    about = f" about **{embeds.safe(topic)}**" if topic else ""
    await interaction.followup.send(
        f"A daily brief{about} will be posted in <#{channel.id}> at {hour:02d}:00 {timezone}.", ephemeral=True
    )


@app_commands.command(name="briefs")
@app_commands.guild_only()
async def briefs_command(interaction: discord.Interaction[TradewireBot]) -> None:
    """This server's daily briefs."""
    bot = interaction.client
    await defer_privately(interaction)
    schedules = await bot.engine.run(bot.library.records.briefs.list, str(interaction.guild_id))
    if not schedules:
        await interaction.followup.send("This server has no daily brief: see `/brief`.", ephemeral=True)
        return
    lines = [
        f"<#{s.channel}> at {s.hour:02d}:00 {s.timezone}"
        + (f", about {embeds.safe(s.topic)}" if s.topic else "")
        + (f" (last {s.last_day})" if s.last_day else "")
        for s in schedules
    ]
    await interaction.followup.send("\n".join(lines), ephemeral=True)


@app_commands.command(name="unbrief")
@admin_only
@app_commands.describe(channel="The channel whose daily brief to stop")
async def unbrief_command(interaction: discord.Interaction[TradewireBot], channel: discord.TextChannel) -> None:
    """Stop a channel's daily brief."""
    bot = interaction.client
    await defer_privately(interaction)
    if not await bot.engine.run(bot.library.records.briefs.remove, str(interaction.guild_id), str(channel.id)):
        raise UserError(f"<#{channel.id}> has no daily brief: see `/briefs`.")
    await interaction.followup.send(f"Stopped the daily brief in <#{channel.id}>.", ephemeral=True)


def register(tree: app_commands.CommandTree) -> None:
    for command in (brief_command, briefs_command, unbrief_command):
        tree.add_command(command)
