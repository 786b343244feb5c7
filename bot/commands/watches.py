"""Standing questions, one group: /watch add answers a question now and again whenever the news changes the answer
(the client's loop posts the changes), /watch list lists a server's questions, /watch remove drops one.

Discord gives a whole group one default permission, so the group is visible to every member (its list is for
everyone, as /feeds list is not); add and remove check Manage Server when run, as every admin command does.

Each command group is one module of bot.commands with a `register(tree)` that adds its commands to the client's
command tree (bot.discord_bot.GROUPS); a new group is one more module registered the same way.
"""

from __future__ import annotations

import discord
from discord import app_commands

from bot import embeds
from bot.commands.common import ADMIN, Client, UserError, defer_privately
from embeddings import TradewireError


@app_commands.guild_only()
class WatchGroup(app_commands.Group, name="watch", description="Standing questions, answered again as news changes"):
    @app_commands.command(name="add")
    @app_commands.describe(
        question="The question to keep answering", channel="Where to post its answers (default: here)"
    )
    @app_commands.checks.has_permissions(**ADMIN)
    async def add(
        self,
        interaction: discord.Interaction[Client],
        question: app_commands.Range[str, 3, 300],
        channel: discord.TextChannel | None = None,
    ) -> None:
        """Answer a question now and post again whenever news changes the answer."""
        bot = interaction.client
        channel_id = channel.id if channel else interaction.channel_id
        await defer_privately(interaction)
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

    @app_commands.command(name="list")
    async def list_watches(self, interaction: discord.Interaction[Client]) -> None:
        """This server's standing questions and their current answers."""
        bot = interaction.client
        await defer_privately(interaction)
        listed = await bot.engine.run(bot.watches.list, str(interaction.guild_id))
        await interaction.followup.send(embed=embeds.watches_embed(listed), ephemeral=True)

    @app_commands.command(name="remove")
    @app_commands.describe(number="The question's number in /watch list")
    @app_commands.checks.has_permissions(**ADMIN)
    async def remove(self, interaction: discord.Interaction[Client], number: int) -> None:
        """Stop watching a question."""
        bot = interaction.client
        await defer_privately(interaction)
        if not await bot.engine.run(bot.watches.remove, number, str(interaction.guild_id)):
            raise UserError(f"This server has no standing question number {number}: see `/watch list`.")
        await interaction.followup.send(f"Stopped watching question {number}.", ephemeral=True)


def register(tree: app_commands.CommandTree) -> None:
    tree.add_command(WatchGroup())
