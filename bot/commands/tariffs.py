"""The tariff board, one group: /tariffs board shows every tariff the news reports, one line per (charged by,
charged on, goods) with its rate, status and citations (answering/board.py), paged; /tariffs watch posts the
board's changes to a channel (answering/tariff_watch.py; the client's loop posts them), /tariffs watches lists a
server's watches, /tariffs unwatch drops one.

Discord cannot invoke a group itself, so the board is a subcommand. The group is visible to every member (the
board and the list are for everyone); watch and unwatch check Manage Server when run, as /watch add does. The
countries and goods options autocomplete from the board's own facts (a cheap query, not a board).

Each command group is one module of bot.commands with a `register(tree)` that adds its commands to the client's
command tree (bot.discord_bot.GROUPS); a new group is one more module registered the same way.
"""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands

from answering import parse_when
from answering.board import Board, board
from answering.tariffs import STATUSES
from bot import charts, embeds
from bot.commands.common import ADMIN, Client, UserError, attached, defer_privately, picture
from bot.views import Pager
from embeddings import TradewireError

PICTURE = "tariffs.png"  # the lines' step chart, shown as the first page's image
STATUS_CHOICES = [app_commands.Choice(name=s, value=s) for s in STATUSES]
AUTOCOMPLETE_SECONDS = 2.0  # Discord drops an autocompletion not answered within 3 s


def _names(column: str):
    """An autocompletion of an option from the board's facts: `column` of tariff_facts."""

    async def complete(interaction: discord.Interaction[Client], current: str) -> list[app_commands.Choice[str]]:
        bot = interaction.client
        try:
            found = await asyncio.wait_for(
                bot.engine.run(bot.library.records.tariffs.names, column, current.strip()), AUTOCOMPLETE_SECONDS
            )
        except TimeoutError:
            return []  # the library is busy: no suggestions rather than a late answer
        return [app_commands.Choice(name=name[:100], value=name[:100]) for name in found]

    return complete


def _has_history(result: Board) -> bool:
    """A picture is worth drawing: a few lines (as many as a chart tells apart), one of them with a history (a
    rate it replaced, or steps)."""
    lines = result.lines
    return 0 < len(lines) <= charts.MAX_SERIES and any(len(x.steps) > 1 or x.steps[0].replaced for x in lines)


def _draw(result: Board) -> bytes:
    """The lines' histories as step charts, numbered as the reply numbers its citations."""
    title = "Tariff board" + (
        " — " + ", ".join(f"{k} {v}" for k, v in result.filters.items()) if result.filters else ""
    )
    series = charts.board_series(result.lines, embeds.board_numbers(result))
    return charts.step_chart(series, title=title, until=result.as_of)


def _said(exc: TradewireError) -> str:
    """The board's one-line error, as a sentence."""
    return f"{exc}."


def _in_server(interaction: discord.Interaction) -> bool:
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    return True


FILTERS = dict(
    on="Charged on this country's goods, e.g. China",
    by="Charged by this country, e.g. United States",
    product="Only this product, e.g. steel",
    status="Only lines with this status",
)


class TariffsGroup(app_commands.Group, name="tariffs", description="The tariff board: every tariff the news reports"):
    @app_commands.command(name="board")
    @app_commands.describe(**FILTERS, as_of="The board as the news stood on this date, e.g. 2026-05-01")
    @app_commands.choices(status=STATUS_CHOICES)
    @app_commands.autocomplete(on=_names("charged_on"), by=_names("charged_by"), product=_names("goods"))
    async def board_command(
        self,
        interaction: discord.Interaction[Client],
        on: app_commands.Range[str, 1, 100] | None = None,
        by: app_commands.Range[str, 1, 100] | None = None,
        product: app_commands.Range[str, 1, 100] | None = None,
        status: str | None = None,
        as_of: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        """Every tariff the news reports: who charges it, on what, its rate and status, with citations."""
        bot = interaction.client
        when = parse_when(as_of)  # a date it cannot read is the user's to fix, before anything is shown
        await interaction.response.defer(thinking=True)
        try:
            result = await bot.engine.run(board, bot.library, on=on, by=by, product=product, status=status, as_of=when)
        except TradewireError as exc:
            raise UserError(_said(exc)) from None
        pages = embeds.tariff_board_pages(result)
        png = await picture(bot, _draw, result, "/tariffs board") if _has_history(result) else None
        # the lines' histories, on the first page (a few lines: one page)
        files = {"file": attached(pages[0], png, PICTURE)} if png is not None else {}
        if len(pages) == 1:
            await interaction.followup.send(embed=pages[0], **files)
            return
        view = Pager(pages, interaction.user.id, command="/tariffs board")
        bot.pagers.add(view)
        view.message = await interaction.followup.send(embed=pages[0], view=view, wait=True, **files)

    @app_commands.command(name="watch")
    @app_commands.describe(channel="Where to post the board's changes", **FILTERS)
    @app_commands.choices(status=STATUS_CHOICES)
    @app_commands.autocomplete(on=_names("charged_on"), by=_names("charged_by"), product=_names("goods"))
    @app_commands.check(_in_server)
    @app_commands.checks.has_permissions(**ADMIN)
    async def watch(
        self,
        interaction: discord.Interaction[Client],
        channel: discord.TextChannel,
        on: app_commands.Range[str, 1, 100] | None = None,
        by: app_commands.Range[str, 1, 100] | None = None,
        product: app_commands.Range[str, 1, 100] | None = None,
        status: str | None = None,
    ) -> None:
        """Post each change of the tariff board (a new line, a new rate, a new status) to a channel."""
        bot = interaction.client
        await defer_privately(interaction)
        filters = {k: v for k, v in (("on", on), ("by", by), ("product", product), ("status", status)) if v}
        try:
            watch, shown = await bot.engine.run(
                bot.tariff_watches.add,
                filters,
                guild=str(interaction.guild_id),
                channel=str(channel.id),
                by=str(interaction.user.id),
                now=bot.clock(),
            )
        except TradewireError as exc:
            raise UserError(_said(exc)) from None
        pages = embeds.tariff_board_pages(shown)
        text = embeds.message(
            f"Watching the tariff board in <#{channel.id}> (number {watch.id}): each change of its lines will be "
            "posted there. The board now:"
        )
        if len(pages) == 1:
            await interaction.followup.send(text, embed=pages[0], ephemeral=True)
            return
        view = Pager(pages, interaction.user.id, command="/tariffs board")
        bot.pagers.add(view)
        view.message = await interaction.followup.send(text, embed=pages[0], view=view, ephemeral=True, wait=True)

    @app_commands.command(name="watches")
    @app_commands.check(_in_server)
    async def watches(self, interaction: discord.Interaction[Client]) -> None:
        """This server's watches of the tariff board and where they post."""
        bot = interaction.client
        await defer_privately(interaction)
        listed = await bot.engine.run(bot.tariff_watches.list, str(interaction.guild_id))
        await interaction.followup.send(embed=embeds.tariff_watches_embed(listed), ephemeral=True)

    @app_commands.command(name="unwatch")
    @app_commands.rename(watch_id="id")
    @app_commands.describe(watch_id="The watch's number in /tariffs watches")
    @app_commands.check(_in_server)
    @app_commands.checks.has_permissions(**ADMIN)
    async def unwatch(self, interaction: discord.Interaction[Client], watch_id: int) -> None:
        """Stop posting the tariff board's changes for one watch."""
        bot = interaction.client
        await defer_privately(interaction)
        if not await bot.engine.run(bot.tariff_watches.remove, watch_id, str(interaction.guild_id)):
            raise UserError(f"This server has no tariff board watch number {watch_id}: see `/tariffs watches`.")
        await interaction.followup.send(f"Stopped watching the tariff board (number {watch_id}).", ephemeral=True)


def register(tree: app_commands.CommandTree) -> None:
    tree.add_command(TariffsGroup())
