"""Questions: /ask answers with a supporting sentence and numbered citations (through the answering flow that
mentions and follow-ups share, bot.answerer), /latest pages through the newest stories (with bot.views.Pager),
/search lists the best matching passages. The buttons under an answer are in bot.views.

Each command group is one module of bot.commands with a `register(tree)` that adds its commands to the client's
command tree (bot.discord_bot.GROUPS); a new group is one more module registered the same way.
"""

from __future__ import annotations

import functools

import discord
from discord import app_commands

from answering import MAX_QUESTION_CHARS, parse_when
from bot import embeds, render
from bot.commands.common import Client, UserError
from bot.views import Pager
from embeddings.search import Filters

PAGE_SIZE = 5


@app_commands.command(name="ask")
@app_commands.describe(
    question="What you want to know, e.g. When is Canada's election?",
    as_of="Answer as the news stood on this date, e.g. 2025-04-01",
)
async def ask_command(
    interaction: discord.Interaction[Client],
    question: app_commands.Range[str, 3, MAX_QUESTION_CHARS],
    as_of: app_commands.Range[str, 1, 40] | None = None,
) -> None:
    """Answer a trade-news question with the sentence that supports it and numbered citations."""
    bot = interaction.client
    if not question.strip():
        raise UserError("Ask a question, e.g. When do the new auto tariffs take effect?")
    when = parse_when(as_of)  # a date it cannot read is the user's to fix, before anything is shown
    await bot.answerer.respond(
        question,
        send=functools.partial(interaction.followup.send, wait=True),
        acknowledge=functools.partial(interaction.response.defer, thinking=True),
        as_of=when,
        guild=interaction.guild_id,
        channel=interaction.channel_id,
        user=interaction.user.id,
    )


@app_commands.command(name="latest")
@app_commands.describe(
    count="How many stories (default 10)", topic="Only stories about this", source="Only this source, e.g. Reuters"
)
async def latest_command(
    interaction: discord.Interaction[Client],
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
async def search_command(interaction: discord.Interaction[Client], query: app_commands.Range[str, 2, 300]) -> None:
    """The best matching passages, with links: no answer, just the sources."""
    bot = interaction.client
    await interaction.response.defer(thinking=True)
    hits = await bot.engine.run(bot.library.search, query, k=5)
    await interaction.followup.send(embed=embeds.search_embed(query, hits))


def register(tree: app_commands.CommandTree) -> None:
    for command in (ask_command, latest_command, search_command):
        tree.add_command(command)
