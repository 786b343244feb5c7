"""Daily briefs, one group: /brief set posts one message a day in a channel at an hour of the server's time zone —
the last 24 hours' stories grouped by event, best carried first (answering/brief.py) — /brief list lists a
server's, /brief remove stops one. The client's loop posts them (TradewireBot.post_due_briefs), once a day per
channel.

Discord gives a whole group one default permission, so the group is visible to every member (its list is for
everyone); set and remove check Manage Server when run, as every admin command does.

Each command group is one module of bot.commands with a `register(tree)` (bot.discord_bot.GROUPS).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import discord
from discord import app_commands

from bot import embeds
from bot.commands.common import ADMIN, Client, UserError, defer_privately


@app_commands.guild_only()
class BriefGroup(app_commands.Group, name="brief", description="Daily briefs of the news, posted in a channel"):
    @app_commands.command(name="set")
    @app_commands.describe(
        channel="Where to post it",
        hour="The hour to post it, 0-23",
        topic="Only events about this, e.g. steel or Canada",
        timezone="The hour's time zone, e.g. Europe/Berlin (default UTC)",
    )
    @app_commands.checks.has_permissions(**ADMIN)
    async def set_brief(
        self,
        interaction: discord.Interaction[Client],
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
            raise UserError(
                f"I do not know the time zone {timezone!r}: use a name such as Europe/Berlin or UTC."
            ) from None
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

    @app_commands.command(name="list")
    async def list_briefs(self, interaction: discord.Interaction[Client]) -> None:
        """This server's daily briefs."""
        bot = interaction.client
        await defer_privately(interaction)
        schedules = await bot.engine.run(bot.library.records.briefs.list, str(interaction.guild_id))
        if not schedules:
            await interaction.followup.send("This server has no daily brief: see `/brief set`.", ephemeral=True)
            return
        lines = [
            f"<#{s.channel}> at {s.hour:02d}:00 {s.timezone}"
            + (f", about {embeds.safe(s.topic)}" if s.topic else "")
            + (f" (last {s.last_day})" if s.last_day else "")
            for s in schedules
        ]
        await interaction.followup.send("\n".join(lines), ephemeral=True)

    @app_commands.command(name="remove")
    @app_commands.describe(channel="The channel whose daily brief to stop")
    @app_commands.checks.has_permissions(**ADMIN)
    async def remove(self, interaction: discord.Interaction[Client], channel: discord.TextChannel) -> None:
        """Stop a channel's daily brief."""
        bot = interaction.client
        await defer_privately(interaction)
        if not await bot.engine.run(bot.library.records.briefs.remove, str(interaction.guild_id), str(channel.id)):
            raise UserError(f"<#{channel.id}> has no daily brief: see `/brief list`.")
        await interaction.followup.send(f"Stopped the daily brief in <#{channel.id}>.", ephemeral=True)


def register(tree: app_commands.CommandTree) -> None:
    tree.add_command(BriefGroup())
