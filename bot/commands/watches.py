"""Standing questions: /watch answers a question now and again whenever the news changes the answer (the client's
loop posts the changes), /watches lists a server's questions, /unwatch drops one.

Each command group is one module of bot.commands with a `register(tree)` that adds its commands to the client's
command tree; a new group (timeline, brief, ...) is one more module registered the same way (bot.discord_bot.GROUPS).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot import embeds
from bot.commands.common import UserError, admin_only, defer_privately
from embeddings import TradewireError

if TYPE_CHECKING:
    from bot.discord_bot import TradewireBot


@app_commands.command(name="watch")
@admin_only
@app_commands.describe(question="The question to keep answering", channel="Where to post its answers (default: here)")
async def watch_command(
    interaction: discord.Interaction[TradewireBot],
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


@app_commands.command(name="watches")
@app_commands.guild_only()
async def watches_command(interaction: discord.Interaction[TradewireBot]) -> None:
    """This server's standing questions and their current answers."""
    bot = interaction.client
    await defer_privately(interaction)
    listed = await bot.engine.run(bot.watches.list, str(interaction.guild_id))
    await interaction.followup.send(embed=embeds.watches_embed(listed), ephemeral=True)


@app_commands.command(name="unwatch")
@admin_only
@app_commands.describe(number="The question's number in /watches")
async def unwatch_command(interaction: discord.Interaction[TradewireBot], number: int) -> None:
    """Stop watching a question."""
    bot = interaction.client
    await defer_privately(interaction)
    if not await bot.engine.run(bot.watches.remove, number, str(interaction.guild_id)):
        raise UserError(f"This server has no standing question number {number}: see `/watches`.")
    await interaction.followup.send(f"Stopped watching question {number}.", ephemeral=True)


def register(tree: app_commands.CommandTree) -> None:
    for command in (watch_command, watches_command, unwatch_command):
        tree.add_command(command)
