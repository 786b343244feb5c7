"""The bot end to end: the real discord.py client and command tree against a fake Discord on loopback
(tests/fake_discord.py), on a library with the deterministic fake encoder."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import struct
import time
from datetime import UTC, datetime

import pytest

from bot.commands.common import Client
from bot.discord_bot import TradewireBot
from bot.settings import Settings
from embeddings import Library
from embeddings.models import Article
from tests.conftest import FakeEncoder
from tests.fake_discord import EPHEMERAL, FakeDiscord
from tests.newssite import ITEMS, NewsSite

ELECTION = Article(
    "election",
    "Carney calls a snap election",
    "Prime Minister Mark Carney called a snap federal election on Sunday. Canadians will vote on April 28. "
    "The campaign will be dominated by the tariff dispute with Washington.",
    source="Example Wire",
    url="https://news.example.test/election",
    published=datetime(2025, 3, 23, 22, tzinfo=UTC),
)
CARS = Article(
    "cars",
    "A 25% tariff on imported cars",
    "The U.S. announced a 25% tariff on imported cars on Wednesday. "
    "The car tariff takes effect on April 3, officials said. Parts follow in May.",
    source="Example Wire",
    url="https://news.example.test/cars",
    published=datetime(2025, 3, 26, 21, tzinfo=UTC),
)
PRANK = Article(
    "prank",
    "Lumber dealers @everyone protest <@&4242>",
    "Lumber dealers said the softwood lumber duty hurts them @everyone and <@&4242> and <@1234>. "
    "The softwood lumber duty rose to 34.5% on August 1.",
    source="Example Wire <@&4242>",
    url="https://news.example.test/lumber",
    published=datetime(2025, 8, 2, 9, tzinfo=UTC),
)
BACKGROUND = [
    Article(
        i.slug, i.title, i.text, source="Test Wire", url=f"https://news.example.test/{i.slug}", published=i.published
    )
    for i in ITEMS
]
PINGS = re.compile(r"(?<!\u200b)@(everyone|here)|<@[!&]?\d+>")


def settings_for(fake: FakeDiscord, home, **overrides) -> Settings:
    values = dict(
        home=home, discord_guild=fake.guild_id, feed_interval=0, ask_rate=0, top_k=8, allow_private_feeds=True
    )
    return Settings(**(values | overrides))


def assert_cannot_ping(message: dict) -> None:
    """Nothing the bot sends may notify anyone: no parsed mentions allowed, none resolved, text defused."""
    assert message["_allowed_mentions"] is not None and message["_allowed_mentions"].get("parse") == []
    assert not message["mention_everyone"] and not message["mention_roles"] and not message["mentions"]
    assert not PINGS.search(message["content"] or "")
    for embed in message["embeds"]:
        assert not PINGS.search(embed.get("description", "")), embed.get("description")


@pytest.fixture
def news(tmp_path, engine) -> Library:
    lib = Library.open(tmp_path / "home", encoder=FakeEncoder(), database_url=engine)
    lib.ingest_articles([ELECTION, CARS, PRANK, *BACKGROUND])
    return lib


@pytest.fixture
async def bot(fake, news, tmp_path):
    client = TradewireBot(news, settings_for(fake, tmp_path / "home"), guild_ready_timeout=0.5)
    async with fake.running(client):
        yield client


async def eventually(probe, timeout: float = 5.0):
    """The first truthy result of `probe()`, polled while the bot finishes what it does after replying."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not (result := probe()):
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)
    return result


def private_reply(interaction) -> dict:
    """The interaction's final message, which must be visible to the user alone."""
    message = interaction.messages[-1]
    assert message["flags"] & EPHEMERAL, message
    return message


async def ask(fake: FakeDiscord, question: str, **kwargs):
    interaction = await fake.slash("ask", {"question": question}, **kwargs)
    await interaction.wait_done()
    return interaction


async def test_login_ready_and_commands_synced_to_the_guild(fake, bot):
    assert fake.identifies == 1 and bot.is_ready()
    (commands,) = [v for k, v in fake.commands.items() if k == f"guild:{fake.guild_id}"]
    by_name = {c["name"]: c for c in commands}
    assert set(by_name) == {
        "ask",
        "latest",
        "search",
        "timeline",
        "feeds",
        "subscribe",
        "unsubscribe",
        "brief",
        "watch",
        "tariffs",
    }
    assert {o["name"] for o in by_name["feeds"]["options"]} == {"add", "list", "remove"}
    assert {o["name"] for o in by_name["brief"]["options"]} == {"set", "list", "remove"}
    assert {o["name"] for o in by_name["watch"]["options"]} == {"add", "list", "remove"}
    for admin_only in ("feeds", "subscribe", "unsubscribe"):  # Discord hides them from members by default
        assert by_name[admin_only]["default_member_permissions"] == "32"
    for listed_to_all in ("brief", "watch"):  # their list is for everyone: set/add and remove are checked when run
        assert by_name[listed_to_all]["default_member_permissions"] is None
        assert by_name[listed_to_all]["dm_permission"] is False
    assert isinstance(bot, Client)  # what the commands may use of the client, it has
    assert by_name["ask"]["description"].startswith("Answer a trade-news question")
    assert "global" not in fake.commands or not fake.commands["global"]


async def test_ask_defers_then_answers_with_quote_and_citations(fake, bot):
    interaction = await ask(fake, "When is Canada's election?")
    assert interaction.callbacks[0]["type"] == 5  # "thinking..." first
    (message,) = interaction.messages
    (embed,) = message["embeds"]
    assert embed["title"] == "April 28, 2025"
    assert "> Canadians will vote on April 28. **[1]**" in embed["description"]
    assert "[Carney calls a snap election](https://news.example.test/election)" in embed["description"]
    assert embed["footer"]["text"].startswith("As of Mar 23, 2025")
    assert_cannot_ping(message)
    stored = await eventually(lambda: bot.library.records.answers.for_message(str(message["id"])))
    assert stored.question == "When is Canada's election?" and stored.answer["answer"] == "April 28, 2025"
    ids = [c["custom_id"] for row in message["components"] for c in row["components"]]
    assert ids == [f"tw:vote:{stored.id}:up", f"tw:vote:{stored.id}:down", f"tw:passage:{stored.id}:1"]
    print(f"first response after {interaction.first_response_delay * 1000:.1f} ms")


async def test_ask_abstains_when_the_news_does_not_say(fake, bot):
    interaction = await ask(fake, "Who won the 2024 World Series?")
    (message,) = interaction.messages
    assert message["embeds"][0]["title"] == "No answer in the indexed news"
    assert message["components"] == []  # nothing to vote on or open


async def test_ask_as_of_and_bad_dates(fake, bot):
    early = await ask(fake, "When is Canada's election?", user=fake.admin)
    assert early.messages[0]["embeds"][0]["title"] == "April 28, 2025"
    before = await fake.slash("ask", {"question": "When is Canada's election?", "as_of": "2025-03-01"})
    await before.wait_done()
    assert before.messages[0]["embeds"][0]["title"] == "No answer in the indexed news"
    bad = await fake.slash("ask", {"question": "When is Canada's election?", "as_of": "the twelfth of never"})
    await bad.wait_done()
    (callback,) = bad.callbacks  # refused before deferring: only the user sees it
    assert callback["type"] == 4 and callback["data"]["flags"] & EPHEMERAL
    assert "cannot read the date" in callback["data"]["content"]


async def test_feedback_buttons_store_votes_and_show_passages(fake, bot):
    (answer,) = (await ask(fake, "When does the car tariff take effect?")).messages
    assert answer["embeds"][0]["title"] == "April 3, 2025"
    ids = [c["custom_id"] for row in answer["components"] for c in row["components"]]
    answer_id = int(ids[0].split(":")[2])

    up = await fake.click(answer, f"tw:vote:{answer_id}:up", user=fake.member)
    await up.wait_done()
    assert "1 👍 · 0 👎" in private_reply(up)["content"]
    down = await fake.click(answer, f"tw:vote:{answer_id}:down", user=fake.member)  # changed their mind
    await down.wait_done()
    assert "0 👍 · 1 👎" in private_reply(down)["content"]
    row = bot.library.store.db.execute('SELECT vote, "user" FROM feedback WHERE answer_id = ?', (answer_id,))
    row = row.fetchall()
    assert [tuple(r) for r in row] == [(-1, str(fake.member["id"]))]
    stored = bot.library.records.answers.get(answer_id)
    assert stored.answer["citations"][0]["article_id"] == "cars"  # the question, answer and citations are kept

    passage = await fake.click(answer, f"tw:passage:{answer_id}:1")
    await passage.wait_done()
    embed = private_reply(passage)["embeds"][0]
    assert "**The car tariff takes effect on April 3, officials said.**" in embed["description"]
    assert "Parts follow in May." in embed["description"]  # the whole passage, not just the quote


async def test_latest_lists_newest_first_and_pages(fake, bot):
    interaction = await fake.slash("latest", {"count": 8})
    await interaction.wait_done()
    (message,) = interaction.messages
    embed = message["embeds"][0]
    assert embed["footer"]["text"] == "Page 1 of 2"
    titles = re.findall(r"\*\*\[(.+?)\]\(", embed["description"])
    assert titles[0].startswith("Lumber dealers") and len(titles) == 5  # August first, five a page
    assert "<t:" in embed["description"]
    assert_cannot_ping(message)
    next_id = message["components"][0]["components"][1]["custom_id"]
    page = await fake.click(message, next_id)
    await page.wait_done()
    assert page.callbacks[0]["type"] == 7  # the list message is updated in place
    second = page.callbacks[0]["data"]["embeds"][0]
    assert second["footer"]["text"] == "Page 2 of 2" and second["description"].count("**[") == 3

    steel = await fake.slash("latest", {"topic": "steel"})
    await steel.wait_done()
    description = steel.messages[0]["embeds"][0]["description"]
    assert "Rebar prices" in description and "Winemakers" not in description


async def test_search_shows_passages_without_answering(fake, bot):
    interaction = await fake.slash("search", {"query": "softwood lumber duty"})
    await interaction.wait_done()
    (message,) = interaction.messages
    fields = message["embeds"][0]["fields"]
    assert fields and "34.5%" in fields[0]["value"] and "news.example.test/lumber" in fields[0]["value"]
    assert_cannot_ping(message)
    assert not PINGS.search(fields[0]["value"])


async def test_news_text_never_pings(fake, bot):
    interaction = await ask(fake, "What is the duty on softwood lumber?")
    (message,) = interaction.messages
    assert message["embeds"][0]["title"] == "34.5%"
    assert "@\u200beveryone" in message["embeds"][0]["description"]  # shown, defused
    assert_cannot_ping(message)


async def test_mention_is_answered_and_a_reply_follows_up(fake, bot):
    question = await fake.post_message("What tariff did the US put on imported cars?", mention_bot=True)
    reply = await fake.wait_for_message(
        fake.channel_id, lambda m: (m.get("message_reference") or {}).get("message_id") == question["id"]
    )
    assert reply["embeds"][0]["title"] == "25%"
    assert_cannot_ping(reply)

    follow = await fake.post_message("And when does it take effect?", reply_to=reply)
    second = await fake.wait_for_message(
        fake.channel_id, lambda m: (m.get("message_reference") or {}).get("message_id") == follow["id"]
    )
    embed = second["embeds"][0]
    assert embed["title"] == "April 3, 2025"
    assert "following up on: What tariff did the US put on imported cars?" in embed["footer"]["text"]
    assert_cannot_ping(second)

    await fake.post_message("just chatting, no question for the bot")
    await asyncio.sleep(0.3)
    assert len([m for m in fake.messages[fake.channel_id] if m.get("message_reference")]) == 2


async def test_a_mention_over_the_question_limit_gets_one_line(fake, bot):
    question = await fake.post_message("Why " + "tariffs " * 200 + "?", mention_bot=True)  # 1,605 characters
    reply = await fake.wait_for_message(
        fake.channel_id, lambda m: (m.get("message_reference") or {}).get("message_id") == question["id"]
    )
    said = json.dumps([reply.get("content"), reply.get("embeds")])  # the reply's own words, not the message it quotes
    assert "the question is 1,605 characters; the limit is 500" in said and "tariffs tariffs" not in said


async def test_a_direct_message_is_a_question(fake, bot):
    dm = int(fake._dm_channel(fake.member)["id"])
    question = await fake.post_message("When is Canada's election?", author=fake.member, channel_id=dm)
    reply = await fake.wait_for_message(
        dm, lambda m: (m.get("message_reference") or {}).get("message_id") == question["id"]
    )
    assert reply["embeds"][0]["title"] == "April 28, 2025"


async def test_admin_commands_are_refused_without_manage_server(fake, bot):
    site = NewsSite()
    try:
        url = site.publish("wire", ITEMS[0])
        for name, options, sub in [
            ("feeds", {"url": url}, "add"),
            ("feeds", {"feed": url}, "remove"),
            ("feeds", {}, "list"),
            ("subscribe", {}, None),
            ("unsubscribe", {}, None),
            ("watch", {"question": "What is the steel tariff?"}, "add"),
            ("watch", {"number": 1}, "remove"),
            ("brief", {"channel": str(fake.second_channel_id), "hour": 9}, "set"),
            ("brief", {"channel": str(fake.second_channel_id)}, "remove"),
        ]:
            interaction = await fake.slash(name, options, subcommand=sub, user=fake.member)
            await interaction.wait_done()
            (callback,) = interaction.callbacks
            assert callback["data"]["flags"] & EPHEMERAL
            assert "Manage Server" in callback["data"]["content"]
        assert bot.library.records.feeds.list() == [] and bot.library.records.feeds.subscriptions() == []
        assert bot.watches.list() == [] and bot.library.records.briefs.list() == []
        assert site.requests["/feed/wire.xml"] == 0  # refused before anything was fetched
    finally:
        site.close()


async def test_cooldown_and_cap_tell_the_user(fake, news, tmp_path):
    client = TradewireBot(news, settings_for(fake, tmp_path / "home", ask_rate=1, ask_per=600), guild_ready_timeout=0.5)
    async with fake.running(client):
        first = await ask(fake, "When is Canada's election?")
        assert first.messages[0]["embeds"][0]["title"] == "April 28, 2025"
        second = await ask(fake, "When is Canada's election?")
        assert second.callbacks[0]["data"]["flags"] & EPHEMERAL
        assert "asking faster" in second.callbacks[0]["data"]["content"]
        other = await ask(fake, "When is Canada's election?", user=fake.admin)  # the limit is per user
        assert other.messages[0]["embeds"][0]["title"] == "April 28, 2025"
        client.settings.max_pending_answers = 0
        full = await ask(fake, "When is Canada's election?", user=fake.add_user("third"))
        assert "a lot of questions" in full.callbacks[0]["data"]["content"]


async def test_unexpected_errors_are_logged_and_the_user_gets_an_apology(fake, bot, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("index exploded")

    monkeypatch.setattr(bot.library, "search", broken)
    with caplog.at_level(logging.ERROR, logger="tradewire.discord"):
        interaction = await ask(fake, "When is Canada's election?")
    (message,) = interaction.messages
    assert message["content"].startswith("Sorry, something went wrong")
    assert any("index exploded" in (r.exc_text or str(r.exc_info)) for r in caplog.records)


async def test_a_mention_that_fails_is_logged_and_answered_with_an_apology(fake, bot, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("index exploded")

    monkeypatch.setattr(bot.library, "search", broken)
    with caplog.at_level(logging.ERROR, logger="tradewire.discord"):
        question = await fake.post_message("When is Canada's election?", mention_bot=True)
        reply = await fake.wait_for_message(
            fake.channel_id, lambda m: (m.get("message_reference") or {}).get("message_id") == question["id"]
        )
    assert reply["content"] == "Sorry, something went wrong while answering. It has been logged."
    assert reply["components"] == []
    assert any("answering a mention failed" in r.getMessage() and r.exc_info for r in caplog.records)
    assert bot.library.records.answers.for_message(str(reply["id"])) is None  # nothing recorded for it


class SlowEncoder(FakeEncoder):
    """The fake encoder at the real model's pace (~20 ms a question, the GIL released like torch does)."""

    def encode(self, texts):
        time.sleep(0.02)
        return super().encode(texts)


async def test_fifty_concurrent_questions_are_all_answered_while_heartbeats_flow(fake, bot):
    bot.library.encoder = SlowEncoder()
    users = [fake.add_user(f"asker{i}") for i in range(50)]
    started = time.monotonic()
    interactions = await asyncio.gather(
        *(fake.slash("ask", {"question": "When is Canada's election?"}, user=u) for u in users)
    )
    await asyncio.gather(*(i.wait_done(timeout=120) for i in interactions))
    finished = time.monotonic()
    assert all(i.callbacks[0]["type"] == 5 for i in interactions)  # every one deferred
    titles = [i.messages[0]["embeds"][0]["title"] for i in interactions]
    assert titles == ["April 28, 2025"] * 50
    # 50 answers take over a second in the library thread: the gateway kept being served meanwhile.
    during = [t for t in fake.heartbeat_acks if started <= t <= finished]
    assert finished - started > 1.0 and len(during) >= 2
    worst = max(i.first_response_delay for i in interactions)
    print(
        f"50 questions in {finished - started:.2f} s; slowest first response {worst * 1000:.0f} ms; "
        f"{len(during)} heartbeats acked"
    )


async def test_feeds_post_new_items_once_even_across_a_restart(fake, tmp_path):
    site = NewsSite()
    home = tmp_path / "live"
    try:
        url = site.publish("wire", ITEMS[0], ITEMS[1], title="Test Trade Wire")
        library = Library.open(home, encoder=FakeEncoder())
        client = TradewireBot(library, settings_for(fake, home), guild_ready_timeout=0.5)
        async with fake.running(client):
            added = await fake.slash("feeds", {"url": url}, subcommand="add", user=fake.admin)
            await added.wait_done()
            assert "Following **Test Trade Wire**. 2 items indexed." in private_reply(added)["content"]
            sub = await fake.slash("subscribe", {}, channel_id=fake.second_channel_id, user=fake.admin)
            await sub.wait_done()
            assert await client.poll_once() == 0  # the feed's back catalogue is not news

            site.publish("wire", ITEMS[2])
            client.library.store.db.execute("UPDATE feeds SET next_poll_ts = 0")
            assert await client.poll_once() == 1
            posted = await fake.wait_for_message(fake.second_channel_id, lambda m: m["embeds"])
            assert posted["embeds"][0]["title"] == ITEMS[2].title
            assert posted["embeds"][0]["url"].endswith(f"/story/{ITEMS[2].slug}")
            client.library.store.db.execute("UPDATE feeds SET next_poll_ts = 0")
            assert await client.poll_once() == 0  # polled again: nothing new, nothing reposted
            listing = await fake.slash("feeds", {}, subcommand="list", user=fake.admin)
            await listing.wait_done()
            assert "Test Trade Wire" in private_reply(listing)["embeds"][0]["description"]

        # While the bot is down, two items arrive and one of them carries a prank ping.
        site.publish("wire", ITEMS[3], ITEMS[4])
        library = Library.open(home, encoder=FakeEncoder())
        client = TradewireBot(library, settings_for(fake, home, feed_interval=0.2), guild_ready_timeout=0.5)
        async with fake.running(client):  # the background poller picks them up on its own
            await fake.wait_for_message(fake.second_channel_id, lambda m: m["embeds"] and "Wine" in str(m["embeds"]))
            await asyncio.sleep(0.6)  # a few more rounds: nothing may be posted twice
        news_posts = [m for m in fake.messages[fake.second_channel_id] if m["embeds"] and not m.get("_deleted")]
        assert [m["embeds"][0]["title"] for m in news_posts] == [ITEMS[2].title, ITEMS[3].title, ITEMS[4].title]
        for message in news_posts:
            assert_cannot_ping(message)
    finally:
        site.close()


async def test_a_failing_feed_is_reported_and_the_others_go_on(fake, bot):
    site = NewsSite()
    try:
        good = site.publish("good", ITEMS[0])
        bad = site.publish("bad", ITEMS[1])
        for url in (good, bad):
            added = await fake.slash("feeds", {"url": url}, subcommand="add", user=fake.admin)
            await added.wait_done()
        await (await fake.slash("subscribe", {}, user=fake.admin)).wait_done()
        site.failing.add("bad")
        site.publish("good", ITEMS[2])
        bot.library.store.db.execute("UPDATE feeds SET next_poll_ts = 0")
        assert await bot.poll_once() == 1
        listing = await fake.slash("feeds", {}, subcommand="list", user=fake.admin)
        await listing.wait_done()
        description = private_reply(listing)["embeds"][0]["description"]
        assert "failing (1×): HTTP 503" in description and "✅ last read" in description

        removed = await fake.slash("feeds", {"feed": "2"}, subcommand="remove", user=fake.admin)
        await removed.wait_done()
        assert bad in private_reply(removed)["content"]
        assert [f.url for f in bot.library.records.feeds.list()] == [good]

        gone = await fake.slash("unsubscribe", {}, user=fake.admin)
        await gone.wait_done()
        assert (
            "No more news posts" in private_reply(gone)["content"] and bot.library.records.feeds.subscriptions() == []
        )
        again = await fake.slash("unsubscribe", {}, user=fake.admin)
        await again.wait_done()
        assert "is not subscribed" in private_reply(again)["content"]
    finally:
        site.close()


async def test_feeds_on_private_addresses_are_refused_by_default(fake, news, tmp_path):
    site = NewsSite()
    try:
        url = site.publish("wire", ITEMS[0])
        settings = settings_for(fake, tmp_path / "home", allow_private_feeds=False)
        async with fake.running(TradewireBot(news, settings, guild_ready_timeout=0.5)):
            added = await fake.slash("feeds", {"url": url}, subcommand="add", user=fake.admin)
            await added.wait_done()
            assert "127.0.0.1 is a private or local address" in private_reply(added)["content"]
        assert site.requests["/feed/wire.xml"] == 0
    finally:
        site.close()


async def test_a_feed_on_a_private_address_is_refused_end_to_end(fake, news, tmp_path):
    """/feeds add of a loopback feed, as an admin, with the default policy: one line saying why, nothing fetched,
    nothing followed."""
    site = NewsSite()
    try:
        url = site.publish("wire", ITEMS[0], title="Internal Wire")
        client = TradewireBot(
            news, settings_for(fake, tmp_path / "home", allow_private_feeds=False), guild_ready_timeout=0.5
        )
        async with fake.running(client):
            added = await fake.slash("feeds", {"url": url}, subcommand="add", user=fake.admin)
            await added.wait_done()
            reply = private_reply(added)["content"]
            assert "private or local address" in reply and "Internal Wire" not in reply
            assert client.library.records.feeds.list() == []
        assert site.requests["/feed/wire.xml"] == 0
    finally:
        site.close()


async def test_a_standing_question_posts_its_answer_then_one_update_with_no_pings(fake, tmp_path):
    """/watch add answers now in the channel; a feed brings a changed figure; one update post links to the first;
    /watch list lists it; /watch remove removes it."""
    from datetime import UTC, datetime

    from tests.newssite import Item

    first = Item(
        "widgets-25",
        "U.S. sets 25% tariff on imported widgets",
        datetime(2025, 7, 7, 14, tzinfo=UTC),
        "The United States set a 25% tariff on imported widgets on Monday, the Commerce Department said. "
        "Importers @everyone said they would pass the cost on.",
    )
    second = Item(
        "widgets-15",
        "Widget tariff cut under trade deal",
        datetime(2025, 8, 1, 14, tzinfo=UTC),
        "The U.S. tariff on imported widgets was cut to 15% from 25% on Friday under a trade deal, the Commerce "
        "Department said. Makers <@&4242> welcomed the lower rate.",
    )
    site = NewsSite()
    home = tmp_path / "live"
    try:
        url = site.publish("wire", first, title="Widget Wire")
        client = TradewireBot(
            Library.open(home, encoder=FakeEncoder()), settings_for(fake, home), guild_ready_timeout=0.5
        )
        async with fake.running(client):
            added = await fake.slash("feeds", {"url": url}, subcommand="add", user=fake.admin)
            await added.wait_done()
            question = "What is the tariff on imported widgets?"
            watch = await fake.slash(
                "watch",
                {"question": question, "channel": str(fake.second_channel_id)},
                subcommand="add",
                user=fake.admin,
            )
            await watch.wait_done()
            assert "Watching" in private_reply(watch)["content"]
            now = await fake.wait_for_message(fake.second_channel_id, lambda m: "Now:" in (m["content"] or ""))
            assert "25%" in now["content"] and question in now["content"]

            site.publish("wire", second)
            client.library.store.db.execute("UPDATE feeds SET next_poll_ts = 0")
            await client.poll_once()
            update = await fake.wait_for_message(fake.second_channel_id, lambda m: "Update:" in (m["content"] or ""))
            assert "15% (was 25% as of Jul 7)" in update["content"]
            assert f"/channels/{fake.guild_id}/{fake.second_channel_id}/{now['id']}" in update["content"]
            client.library.store.db.execute("UPDATE feeds SET next_poll_ts = 0")
            await client.poll_once()  # nothing new: nothing posted again
            posts = [m for m in fake.messages[fake.second_channel_id] if "Q:" in (m["content"] or "")]
            assert [("Now:" in m["content"], "Update:" in m["content"]) for m in posts] == [
                (True, False),
                (False, True),
            ]
            for message in posts:
                assert_cannot_ping(message)

            listing = await fake.slash("watch", {}, subcommand="list", user=fake.member)
            await listing.wait_done()
            description = private_reply(listing)["embeds"][0]["description"]
            assert question in description and "15%" in description
            gone = await fake.slash("watch", {"number": 1}, subcommand="remove", user=fake.admin)
            await gone.wait_done()
            assert "Stopped watching" in private_reply(gone)["content"]
            assert await client.engine.run(client.watches.list) == []
    finally:
        site.close()


async def test_timeline_answers_with_each_step_and_its_citations(fake, bot):
    """/timeline: the lumber duty's history as steps in the order reported, each with its citation as a link,
    and nothing in it can ping (the 34.5% report is the prank story)."""
    earlier = Article(
        "lumber-1",
        "Softwood lumber duty set at 14.4%",
        "The softwood lumber duty is 14.4%, the Commerce Department said on Tuesday.",
        source="Example Wire",
        url="https://news.example.test/lumber-1",
        published=datetime(2025, 6, 3, 9, tzinfo=UTC),
    )
    later = Article(
        "lumber-3",
        "Softwood lumber duty eased to 20%",
        "The softwood lumber duty was cut to 20% from 34.5% on Monday after a review, the Commerce Department said.",
        source="Example Wire",
        url="https://news.example.test/lumber-3",
        published=datetime(2025, 9, 15, 9, tzinfo=UTC),
    )
    await bot.engine.run(bot.library.ingest_articles, [earlier, later])
    interaction = await fake.slash("timeline", {"question": "What is the softwood lumber duty?"})
    await interaction.wait_done()
    assert interaction.callbacks[0]["type"] == 5  # "thinking..." first
    (message,) = interaction.messages
    (embed,) = message["embeds"]
    steps = embed["description"].splitlines()[0]
    assert steps == "Jun 3, 2025  14.4% **[1]**  →  Aug 2, 2025  34.5% **[2]**  →  Sep 15, 2025  20% **[3]**"
    assert "[Softwood lumber duty eased to 20%](https://news.example.test/lumber-3)" in embed["description"]
    assert_cannot_ping(message)
    # the steps as a picture: the follow-up uploads a PNG and the embed shows it
    assert embed["image"]["url"] == "attachment://timeline.png"
    (attached,) = message["attachments"]
    (upload,) = [f for r in fake.requests for f in r.files]
    assert attached["filename"] == upload["filename"] == "timeline.png" and attached["size"] == len(upload["data"])
    assert upload["data"][:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", upload["data"][16:24]) == (1000, 500)
    nothing = await fake.slash("timeline", {"question": "Who won the 2024 World Series?"})
    await nothing.wait_done()
    assert nothing.messages[0]["embeds"][0]["title"] == "No answer in the indexed news"
    assert not nothing.messages[0]["attachments"] and "image" not in nothing.messages[0]["embeds"][0]
    one = await fake.slash("timeline", {"question": "When is Canada's election?"})
    await one.wait_done()
    assert one.messages[0]["embeds"][0]["description"].startswith("Mar 23, 2025  April 28, 2025 **[1]**\n")
    assert not one.messages[0]["attachments"] and "image" not in one.messages[0]["embeds"][0]
    assert len([f for r in fake.requests for f in r.files]) == 1  # no picture without steps, nor of one step


async def test_a_daily_brief_is_posted_once_a_day_across_a_restart(fake, tmp_path):
    """/brief set for 09:00 UTC: nothing before the hour, one post after it and none again that day, not after a
    restart either; the next day's goes out once, late, saying so when the bot was down at its hour."""
    home = tmp_path / "briefs"
    library = Library.open(home, encoder=FakeEncoder())
    library.ingest_articles([ELECTION, CARS, PRANK])
    channel = fake.second_channel_id

    def posts() -> list[dict]:
        return [m for m in fake.messages[channel] if m["embeds"] and "Daily brief" in m["embeds"][0]["title"]]

    client = TradewireBot(library, settings_for(fake, home), guild_ready_timeout=0.5)
    client.clock = lambda: datetime(2025, 3, 24, 8, tzinfo=UTC)  # the brief is set at 08:00
    async with fake.running(client):
        set_up = await fake.slash("brief", {"channel": str(channel), "hour": 9}, subcommand="set", user=fake.admin)
        await set_up.wait_done()
        assert "09:00 UTC" in private_reply(set_up)["content"]
        assert await client.post_due_briefs(datetime(2025, 3, 24, 8, 59, tzinfo=UTC)) == 0
        assert await client.post_due_briefs(datetime(2025, 3, 24, 9, 1, tzinfo=UTC)) == 1
        assert await client.post_due_briefs(datetime(2025, 3, 24, 15, tzinfo=UTC)) == 0
        (embed,) = posts()[0]["embeds"]
        assert embed["title"] == "Daily brief, Mar 24, 2025"
        assert "[Carney calls a snap election](https://news.example.test/election)" in embed["description"]
        assert "late" not in embed["footer"]["text"]
        assert_cannot_ping(posts()[0])
    library = Library.open(home, encoder=FakeEncoder())  # a restart the same day
    client = TradewireBot(library, settings_for(fake, home), guild_ready_timeout=0.5)
    async with fake.running(client):
        assert await client.post_due_briefs(datetime(2025, 3, 24, 16, tzinfo=UTC)) == 0
        assert await client.post_due_briefs(datetime(2025, 3, 27, 11, tzinfo=UTC)) == 1  # down at 09:00
        assert await client.post_due_briefs(datetime(2025, 3, 27, 12, tzinfo=UTC)) == 0
        late = posts()[-1]["embeds"][0]
        assert late["title"] == "Daily brief, Mar 27, 2025" and "posted late" in late["footer"]["text"]
        assert "25% tariff on imported cars" in late["description"]
        listing = await fake.slash("brief", {}, subcommand="list", user=fake.member)
        await listing.wait_done()
        assert "09:00 UTC" in private_reply(listing)["content"]
        gone = await fake.slash("brief", {"channel": str(channel)}, subcommand="remove", user=fake.admin)
        await gone.wait_done()
        assert "Stopped the daily brief" in private_reply(gone)["content"]
        assert await client.post_due_briefs(datetime(2025, 3, 28, 10, tzinfo=UTC)) == 0
    assert len(posts()) == 2
