"""The answer's buttons and the /latest pager: 👍 / 👎 and the cited passages under an answer (dynamic items whose
custom_id carries the state, so they work across restarts: the client registers them in its setup hook) and
◀ / ▶ through a list's pages.

A module of its own because both sides use it: the answering flow (bot.answerer) puts `answer_view` under every
answer, the client registers the buttons and stops the pagers at shutdown, and /latest pages with `Pager`. The
buttons reach the library through `interaction.client`, typed by the Client protocol (bot.commands.common), so this
module imports neither the client nor any command group.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import discord

from bot import embeds
from bot.commands.common import Client, apologise, defer_privately, log

if TYPE_CHECKING:
    from answering import Answer


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

    async def callback(self, interaction: discord.Interaction[Client]) -> None:
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

    async def callback(self, interaction: discord.Interaction[Client]) -> None:
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
    """◀ / ▶ through the pages of a /latest list (or of another `command`'s pages: /tariffs board)."""

    def __init__(self, pages: list[discord.Embed], owner: int, *, command: str = "/latest"):
        super().__init__(timeout=600)  # within the 15 minutes an interaction token lives, so the edit works
        self.pages = pages
        self.owner = owner
        self.command = command
        self.page = 0
        self.message: discord.WebhookMessage | None = None
        self._sync()

    def _sync(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= len(self.pages) - 1

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner:
            return True
        await interaction.response.send_message(f"Run `{self.command}` yourself to page through it.", ephemeral=True)
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
