"""/timeline: how the answer to a question moved over time — each distinct answer the news gave, oldest first,
with the day it was reported and its citations (answering/timeline.py decides the steps).

Each command group is one module of bot.commands with a `register(tree)` (bot.discord_bot.GROUPS). A timeline
takes one of the answer slots that /ask takes (bot.answerer), so it counts against the same per-user limit.
"""

from __future__ import annotations

import discord
from discord import app_commands

from answering import parse_since
from answering.timeline import timeline
from bot import embeds
from bot.commands.common import Client


@app_commands.command(name="timeline")
@app_commands.describe(question="e.g. What is the US tariff on Chinese goods?", since="Only reports from this date on")
async def timeline_command(
    interaction: discord.Interaction[Client],
    question: app_commands.Range[str, 3, 300],
    since: app_commands.Range[str, 1, 40] | None = None,
) -> None:
    """How the answer to a question changed over time, with a source for every step."""
    bot = interaction.client
    start = parse_since(since)  # a date it cannot read is the user's to fix, before anything is shown
    with bot.answerer.slot(interaction.user.id):
        await interaction.response.defer(thinking=True)
        result = await bot.engine.run(timeline, bot.library, question, since=start)
    await interaction.followup.send(embed=embeds.timeline_embed(result))


def register(tree: app_commands.CommandTree) -> None:
    tree.add_command(timeline_command)
