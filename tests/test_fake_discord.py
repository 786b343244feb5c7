"""The fake Discord in fake_discord.py, proven with a small real discord.py bot: an AutoShardedClient with a
CommandTree synced to the guild, a deferred /ask answered by a followup (embed + persistent button), a /feeds
group with typed options, an on_message that replies to mentions, and a gateway that heartbeats and resumes."""

from __future__ import annotations

import asyncio

import discord
import pytest
from discord import app_commands

from tests.fake_discord import EPHEMERAL


class VoteButton(discord.ui.DynamicItem[discord.ui.Button], template=r"tw:vote:(?P<answer>\d+)"):
    """A persistent button: it still works after a restart because the custom_id carries the state."""

    def __init__(self, answer_id: int) -> None:
        button = discord.ui.Button(label="Helpful", style=discord.ButtonStyle.success, custom_id=f"tw:vote:{answer_id}")
        super().__init__(button)
        self.answer_id = answer_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(int(match["answer"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        interaction.client.votes.append((self.answer_id, interaction.user.id))
        await interaction.response.send_message(f"Thanks for rating answer {self.answer_id}.", ephemeral=True)


@app_commands.command(description="Ask a trade question")
@app_commands.describe(question="What you want to know")
async def ask(interaction: discord.Interaction, question: str) -> None:
    await interaction.response.defer(thinking=True)
    await asyncio.sleep(0.05)  # the slow part: retrieval
    embed = discord.Embed(title="Answer", description=f"You asked: {question}")
    embed.add_field(name="Source", value="Demo Wire, 2025-04-03")
    view = discord.ui.View(timeout=None)
    view.add_item(VoteButton(42))
    await interaction.followup.send(embed=embed, view=view)


feeds = app_commands.Group(
    name="feeds", description="Manage news feeds", default_permissions=discord.Permissions(manage_guild=True)
)


@feeds.command(name="add", description="Add a feed")
async def feeds_add(interaction: discord.Interaction, url: str, every_minutes: int = 60) -> None:
    if not interaction.permissions.manage_guild:
        await interaction.response.send_message("Only server managers can add feeds.", ephemeral=True)
        return
    interaction.client.feeds.append((url, every_minutes))
    await interaction.response.send_message(f"Added {url}, checked every {every_minutes} min.", ephemeral=True)


@app_commands.command(description="Post to #news")
async def announce(interaction: discord.Interaction, text: str) -> None:
    news = discord.utils.get(interaction.guild.text_channels, name="news")
    try:
        await news.send(text)
    except discord.Forbidden:
        await interaction.response.send_message("I may not post in #news.", ephemeral=True)
    else:
        await interaction.response.send_message("Posted.", ephemeral=True)


class MiniBot(discord.AutoShardedClient):
    def __init__(self, guild_id: int) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.5)
        self.tree = app_commands.CommandTree(self)
        self.guild = discord.Object(guild_id)
        for command in (ask, feeds, announce):
            self.tree.add_command(command, guild=self.guild)
        self.seen: list[discord.Message] = []
        self.votes: list[tuple[int, int]] = []
        self.feeds: list[tuple[str, int]] = []

    async def setup_hook(self) -> None:
        self.add_dynamic_items(VoteButton)
        await self.tree.sync(guild=self.guild)

    async def on_message(self, message: discord.Message) -> None:
        if message.author == self.user:
            return
        self.seen.append(message)
        if self.user in message.mentions:
            await message.reply("You rang?", mention_author=False)


@pytest.fixture
async def bot(fake):
    async with fake.running(MiniBot(fake.guild_id)) as client:
        yield client


async def test_commands_are_synced_to_the_guild_before_the_gateway(fake, bot):
    guild_commands = fake.commands[f"guild:{fake.guild_id}"]
    assert {c["name"] for c in guild_commands} == {"ask", "feeds", "announce"}
    assert all(c["guild_id"] == str(fake.guild_id) and c["id"] for c in guild_commands)
    feeds_cmd = next(c for c in guild_commands if c["name"] == "feeds")
    assert feeds_cmd["default_member_permissions"] == "32"  # Manage Server
    put = next(r for r in fake.requests if r.method == "PUT")
    assert put.path == f"/applications/{fake.application_id}/guilds/{fake.guild_id}/commands"
    assert fake.identifies == 1 and bot.get_guild(fake.guild_id).get_channel(fake.channel_id).name == "general"


async def test_slash_defers_then_follows_up_with_embed_and_button(fake, bot):
    interaction = await fake.slash("ask", {"question": "When did car tariffs start?"})
    await interaction.wait_done(timeout=5)

    assert [c["type"] for c in interaction.callbacks] == [5]  # deferred, "thinking..."
    assert interaction.first_response_delay < 3
    (followup,) = interaction.followups
    assert followup["embeds"][0]["title"] == "Answer"
    assert "When did car tariffs start?" in followup["embeds"][0]["description"]
    button = followup["components"][0]["components"][0]
    assert (button["type"], button["custom_id"]) == (2, "tw:vote:42")
    callback_req, followup_req = (r for r in fake.requests if token_in(r.path, interaction))
    assert callback_req.path.endswith("/callback") and callback_req.at < followup_req.at
    # The followup replaced the "thinking" message: one visible message, the original response.
    assert interaction.messages == [followup] and int(followup["id"]) == interaction.original_id
    assert not followup["flags"] & EPHEMERAL and followup["author"]["id"] == str(fake.bot_user_id)
    assert await fake.wait_for_message(fake.channel_id, lambda m: m["embeds"]) is followup


def token_in(path: str, interaction) -> bool:
    return interaction.token in path


async def test_persistent_button_click_gets_a_callback(fake, bot):
    answer = await fake.slash("ask", {"question": "Steel tariffs?"})
    await answer.wait_done(timeout=5)

    click = await fake.click(answer.messages[0], "tw:vote:42", user=fake.admin)
    await click.wait_done(timeout=5)

    assert [c["type"] for c in click.callbacks] == [4]
    assert click.callbacks[0]["data"]["flags"] & EPHEMERAL
    (reply,) = click.messages
    assert reply["content"] == "Thanks for rating answer 42." and reply["flags"] & EPHEMERAL
    assert reply in fake.messages[fake.channel_id]  # ephemeral messages are recorded too
    assert bot.votes == [(42, int(fake.admin["id"]))]
    with pytest.raises(LookupError):
        await fake.click(answer.messages[0], "tw:vote:7")


async def test_mention_gets_a_reply_that_pings_nobody(fake, bot):
    plain = await fake.post_message("hello everyone")
    posted = await fake.post_message("what is new?", mention_bot=True)
    reply = await fake.wait_for_message(fake.channel_id, lambda m: "message_reference" in m)

    assert reply["content"] == "You rang?" and reply["type"] == 19
    assert reply["message_reference"]["message_id"] == posted["id"]
    assert reply["referenced_message"]["content"] == f"<@{fake.bot_user_id}> what is new?"
    assert reply["_allowed_mentions"]["replied_user"] is False and reply["mentions"] == []
    # Without the message-content intent the bot sees content only where it is mentioned, as on Discord.
    assert [(m.id, m.content) for m in bot.seen] == [(int(plain["id"]), ""), (int(posted["id"]), posted["content"])]

    # A user replying to the bot pings it by default, so the bot answers that too.
    await fake.post_message("thanks", reply_to=reply)
    second = await fake.wait_for_message(fake.channel_id, lambda m: m["id"] != reply["id"] and m["type"] == 19)
    assert second["referenced_message"]["content"] == "thanks"


async def test_subcommand_options_are_typed_and_permissions_reach_the_bot(fake, bot):
    added = await fake.slash("feeds", {"url": "https://example.com/rss", "every_minutes": "15"}, subcommand="add",
                             user=fake.admin)  # fmt: skip
    refused = await fake.slash("feeds", {"url": "https://example.com/x"}, subcommand="add", user=fake.member)
    await added.wait_done(timeout=5)
    await refused.wait_done(timeout=5)

    option = added.payload["data"]["options"][0]
    assert option["type"] == 1 and option["options"][1] == {"name": "every_minutes", "type": 4, "value": 15}
    assert bot.feeds == [("https://example.com/rss", 15)]
    assert added.messages[0]["content"] == "Added https://example.com/rss, checked every 15 min."
    assert refused.messages[0]["content"].startswith("Only server managers")
    with pytest.raises(ValueError, match="required options missing"):
        await fake.slash("feeds", {}, subcommand="add")


async def test_forbidden_channel_and_unknown_routes_answer_like_discord(fake, bot):
    fake.forbid_channel(fake.second_channel_id)
    interaction = await fake.slash("announce", {"text": "Tariffs up"})
    await interaction.wait_done(timeout=5)
    assert interaction.messages[0]["content"] == "I may not post in #news."
    refused = [r for r in fake.requests if r.path == f"/channels/{fake.second_channel_id}/messages"]
    assert [r.status for r in refused] == [403] and fake.messages.get(fake.second_channel_id) is None

    with pytest.raises(discord.NotFound):
        await bot.http.request(discord.http.Route("GET", "/no/such/route"))
    assert (fake.requests[-1].path, fake.requests[-1].status) == ("/no/such/route", 404)


async def test_heartbeats_are_acked_and_a_dropped_gateway_resumes(fake, bot):
    await fake._wait_until(lambda: len(fake.heartbeat_acks) >= 3, 5, "three heartbeat ACKs")
    assert bot.latency < 1  # the client measured ACKs, so it got them

    await fake.disconnect_gateway()
    posted = await fake.post_message("still there?", mention_bot=True)  # dispatched while disconnected
    reply = await fake.wait_for_message(fake.channel_id, lambda m: m.get("message_reference", {}).get("message_id")
                                        == posted["id"])  # fmt: skip
    assert reply["content"] == "You rang?"
    assert (fake.identifies, fake.resumes) == (1, 1)
    interaction = await fake.slash("ask", {"question": "after resume"})
    await interaction.wait_done(timeout=5)
