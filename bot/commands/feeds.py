"""Feeds: /feeds add, list and remove manage the RSS/Atom feeds a server follows; /subscribe and /unsubscribe say
which channels their new items are posted to (the posting itself is the client's feed loop). Manage Server only.

Each command group is one module of bot.commands with a `register(tree)` that adds its commands to the client's
command tree (bot.discord_bot.GROUPS); a new group is one more module registered the same way.
"""

from __future__ import annotations

import discord
from discord import app_commands

from bot import embeds
from bot.commands.common import ADMIN, Client, UserError, admin_only, defer_privately
from embeddings.errors import SourceError
from embeddings.sources import is_url


@app_commands.guild_only()
@app_commands.default_permissions(**ADMIN)
class FeedsGroup(app_commands.Group, name="feeds", description="The RSS/Atom feeds this server follows"):
    @app_commands.command(name="add")
    @app_commands.describe(url="The feed's address (RSS or Atom), https://...")
    @app_commands.checks.has_permissions(**ADMIN)
    async def add(self, interaction: discord.Interaction[Client], url: app_commands.Range[str, 8, 500]) -> None:
        """Follow a feed: its items are indexed, and new ones are posted to subscribed channels."""
        bot, records = interaction.client, interaction.client.library.records.feeds
        url = url.strip()
        if not is_url(url):
            raise UserError("A feed address starts with http:// or https://.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        known = await bot.engine.run(records.get, url)
        poll = None
        if known is None or not known.primed:  # new to the bot: check it is a feed before following it
            try:
                poll = await bot.feeds.fetch(url)
            except SourceError as exc:
                raise UserError(f"Could not add {url}: {exc.reason}.") from None
        feed, linked = await bot.engine.run(records.add, str(interaction.guild_id), url, str(interaction.user.id))
        if not linked:
            await interaction.followup.send(embeds.message(f"This server already follows {url}."), ephemeral=True)
            return
        count = ""
        if poll is not None and not feed.primed:  # index what the feed holds now: its back catalogue
            report, _ = await bot.feeds.ingest(feed, poll)
            count = f" {len(report.article_ids)} items indexed."
            if report.teasers:  # the admin learns why, and what lifts it, rather than meeting teasers later
                why = embeds.safe(report.teasers[0][1])
                count += f" {len(report.teasers)} with the feed's summary only, their pages unread ({why})."
        title = embeds.safe((poll.title if poll else feed.title) or url)
        await interaction.followup.send(
            embeds.message(
                f"Following **{title}**.{count} New items will be posted to channels set up with `/subscribe`."
            ),
            ephemeral=True,
        )

    @app_commands.command(name="list")
    @app_commands.checks.has_permissions(**ADMIN)
    async def list_feeds(self, interaction: discord.Interaction[Client]) -> None:
        """The feeds this server follows and how their polling goes."""
        bot = interaction.client
        await defer_privately(interaction)
        feeds = await bot.engine.run(bot.library.records.feeds.list, str(interaction.guild_id))
        subs = await bot.engine.run(bot.library.records.feeds.subscriptions, str(interaction.guild_id))
        await interaction.followup.send(embed=embeds.feeds_embed(feeds, subs), ephemeral=True)

    @app_commands.command(name="remove")
    @app_commands.describe(feed="The feed's address, or its number in /feeds list")
    @app_commands.checks.has_permissions(**ADMIN)
    async def remove(self, interaction: discord.Interaction[Client], feed: app_commands.Range[str, 1, 500]) -> None:
        """Stop following a feed (what it brought stays searchable)."""
        bot, records = interaction.client, interaction.client.library.records.feeds
        guild = str(interaction.guild_id)
        url = feed.strip()
        await defer_privately(interaction)
        if url.isdigit():
            feeds = await bot.engine.run(records.list, guild)
            number = int(url)
            if not 1 <= number <= len(feeds):
                raise UserError(f"There is no feed number {number}; see `/feeds list`.")
            url = feeds[number - 1].url
        if not await bot.engine.run(records.remove, guild, url):
            raise UserError(f"This server does not follow {url}.")
        await interaction.followup.send(embeds.message(f"Stopped following {url}."), ephemeral=True)


@app_commands.command(name="subscribe")
@admin_only
@app_commands.describe(channel="Where to post (default: here)", topic="Only items about this, e.g. steel tariffs")
async def subscribe_command(
    interaction: discord.Interaction[Client],
    channel: discord.TextChannel | None = None,
    topic: app_commands.Range[str, 2, 100] | None = None,
) -> None:
    """Post new items from this server's feeds to a channel."""
    bot = interaction.client
    channel_id = channel.id if channel else interaction.channel_id
    await defer_privately(interaction)
    await bot.engine.run(
        bot.library.records.feeds.subscribe,
        str(channel_id),
        str(interaction.guild_id),
        topic or "",
        str(interaction.user.id),
    )
    about = f" about **{embeds.safe(topic)}**" if topic else ""
    await interaction.followup.send(
        f"New items{about} from this server's feeds will be posted in <#{channel_id}>.", ephemeral=True
    )


@app_commands.command(name="unsubscribe")
@admin_only
@app_commands.describe(channel="The channel to stop posting to (default: here)")
async def unsubscribe_command(
    interaction: discord.Interaction[Client], channel: discord.TextChannel | None = None
) -> None:
    """Stop posting new items to a channel."""
    bot = interaction.client
    channel_id = channel.id if channel else interaction.channel_id
    await defer_privately(interaction)
    if not await bot.engine.run(bot.library.records.feeds.unsubscribe, str(channel_id)):
        raise UserError(f"<#{channel_id}> is not subscribed.")
    await interaction.followup.send(f"No more news posts in <#{channel_id}>.", ephemeral=True)


def register(tree: app_commands.CommandTree) -> None:
    for command in (FeedsGroup(), subscribe_command, unsubscribe_command):
        tree.add_command(command)
