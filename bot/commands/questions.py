"""Questions: /ask answers with a supporting sentence and numbered citations, /latest pages through the newest
stories, /search lists the best matching passages. Also the buttons under an answer (👍 / 👎 and the cited
passages, persistent across restarts: the client registers them) and the /latest pager.

Each command group is one module of bot.commands with a `register(tree)` that adds its commands to the client's
command tree; a new group (timeline, brief, ...) is one more module registered the same way (bot.discord_bot.GROUPS).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from answering import MAX_QUESTION_CHARS, Answer, parse_when
from bot import embeds, render
from bot.commands.common import UserError, apologise, defer_privately, log
from embeddings.search import Filters

if TYPE_CHECKING:
    from bot.discord_bot import TradewireBot

PAGE_SIZE = 5


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
        bot, records = interaction.client, interaction.client.library.records.answers
        try:
            await defer_privately(interaction)
            if await bot.engine.run(records.get, self.answer_id) is None:
                await interaction.followup.send("That answer is no longer on record.", ephemeral=True)
                return
            up, down = await bot.engine.run(
                records.add_feedback, self.answer_id, str(interaction.user.id), 1 if self.vote == "up" else -1
            )
            await interaction.followup.send(
                f"Thanks, noted {'👍' if self.vote == 'up' else '👎'} ({up} 👍 · {down} 👎 so far).", ephemeral=True
            )
        except Exception:
            log.exception("recording feedback failed")
            await apologise(interaction)


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
            await defer_privately(interaction)
            stored = await bot.engine.run(bot.library.records.answers.get, self.answer_id)
            citation = next((c for c in (stored.answer["citations"] if stored else []) if c["n"] == self.n), None)
            passage = citation and await bot.engine.run(bot.library.passage, citation["article_id"], citation["quote"])
            if not passage:
                await interaction.followup.send("That passage is no longer indexed.", ephemeral=True)
                return
            await interaction.followup.send(embed=embeds.passage_embed(citation, passage), ephemeral=True)
        except Exception:
            log.exception("showing a passage failed")
            await apologise(interaction)


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
    question: app_commands.Range[str, 3, MAX_QUESTION_CHARS],
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
    await bot.engine.run(bot.library.records.answers.set_message, answer_id, str(sent.id))


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


def register(tree: app_commands.CommandTree) -> None:
    for command in (ask_command, latest_command, search_command):
        tree.add_command(command)
