"""/timeline: how the answer to a question moved over time — each distinct answer the news gave, oldest first,
with the day it was reported and its citations (answering/timeline.py decides the steps).

Each command group is one module of bot.commands with a `register(tree)` (bot.discord_bot.GROUPS). A timeline
takes one of the answer slots that /ask takes (bot.answerer), so it counts against the same per-user limit. From
two steps on, the reply carries the steps as a picture too (bot.charts), drawn in the engine's thread.
"""

from __future__ import annotations

import discord
from discord import app_commands

from answering import parse_since
from answering.timeline import Timeline, timeline
from bot import charts, embeds
from bot.commands.common import Client, attached, picture

PICTURE = "timeline.png"  # the step chart's attachment, shown as the embed's image (from two steps on)


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
        png = await picture(bot, _draw, result, "/timeline") if len(result.steps) >= 2 else None
    embed = embeds.timeline_embed(result)
    if png is None:
        await interaction.followup.send(embed=embed)
        return
    await interaction.followup.send(embed=embed, file=attached(embed, png, PICTURE))


def _draw(result: Timeline) -> bytes:
    series = charts.timeline_series(result)
    assert series is not None  # called with steps
    return charts.step_chart([series], title=result.question)


def register(tree: app_commands.CommandTree) -> None:
    tree.add_command(timeline_command)
