"""/tariffs end to end: the real discord.py client and command tree against the fake Discord (tests/fake_discord.py),
on a library of our own stories (tests/tariff_stories.py), on both engines: the board with its lines and citations,
paged; its countries and goods autocompleted; a watch that posts one message per change, once, across a restart."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import embeds
from bot.discord_bot import TradewireBot, _nonce
from embeddings import Library
from tests.conftest import FakeEncoder
from tests.fake_discord import EPHEMERAL
from tests.tariff_stories import BOARD, LUMBER_RAISED, MAY_20
from tests.test_discord import assert_cannot_ping, private_reply, settings_for

COFFEE_LINE = "Mexico → Brazil · coffee: 20% — announced, from June 1, 2026 **[1]**"
LUMBER_LINE = "United States → Canada · softwood lumber: 25% — in effect since March 3, 2026 **[2]**"
CHINA_LINE = "United States → China · all goods: 30% — in effect since May 14, 2026 (was 145%) **[3]**"
CHINA_DIFFER = "Reports differ: Harbor Ledger 30% **[3]** (May 14); Pacific Dispatch 34% **[4]** (May 15)"
LUMBER_POST = (
    "**Tariff board:** United States → Canada · softwood lumber now 35% (was 25%), in effect since May 18, 2026 "
    "**[1]** <https://board.example.test/lumber-raised>"
)


def citation(n: int, slug: str) -> str:
    """A citation line as the board's embed gives it: source, headline as a link, date as a Discord timestamp."""
    story = next(a for a in [*BOARD, LUMBER_RAISED] if a.id == slug)
    return f"**[{n}]** {story.source} — [{story.title}]({story.url}) — <t:{int(story.published.timestamp())}:f>"


def open_news(home, engine) -> Library:
    return Library.open(home, encoder=FakeEncoder(), database_url=engine)


@pytest.fixture
async def bot(fake, tmp_path, engine):
    library = open_news(tmp_path / "home", engine)
    library.ingest_articles(BOARD)
    client = TradewireBot(library, settings_for(fake, tmp_path / "home"), guild_ready_timeout=0.5)
    async with fake.running(client):
        yield client


async def board_reply(fake, options: dict, **kwargs) -> dict:
    interaction = await fake.slash("tariffs", options, subcommand="board", **kwargs)
    await interaction.wait_done()
    assert interaction.callbacks[0]["type"] == 5  # "thinking..." first: the board is made off the event loop
    return interaction.messages[-1]


async def test_the_board_replies_with_its_lines_and_their_citations(fake, bot):
    message = await board_reply(fake, {"as_of": "2026-05-20"}, user=fake.member)
    assert not message["flags"] & EPHEMERAL  # the board is for the channel
    (embed,) = message["embeds"]
    assert embed["title"] == "Tariff board"
    assert embed["description"].split("\n") == [
        COFFEE_LINE,
        LUMBER_LINE,
        CHINA_LINE,
        CHINA_DIFFER,
        "",
        citation(1, "coffee-announced"),
        citation(2, "lumber-set"),
        citation(3, "china-cut"),
        citation(4, "china-lawyer"),
    ]
    assert embed["footer"]["text"] == "As of May 20, 2026 · 3 lines"
    assert message["components"] == []  # one page: no pager
    assert_cannot_ping(message)

    china = (await board_reply(fake, {"on": "Beijing", "as_of": "2026-05-20"}))["embeds"][0]
    assert china["title"] == "Tariff board — on Beijing"
    assert china["description"].split("\n") == [
        CHINA_LINE.replace("[3]", "[1]"),
        CHINA_DIFFER.replace("[3]", "[1]").replace("[4]", "[2]"),
        "",
        citation(1, "china-cut"),
        citation(2, "china-lawyer"),
    ]
    announced = (await board_reply(fake, {"status": "announced", "as_of": "2026-05-20"}))["embeds"][0]
    assert announced["description"].split("\n")[0] == COFFEE_LINE
    later = (await board_reply(fake, {"product": "coffee", "as_of": "2026-06-02"}))["embeds"][0]
    assert later["description"].split("\n")[0] == "Mexico → Brazil · coffee: 20% — in effect since June 1, 2026 **[1]**"
    none = (await board_reply(fake, {"as_of": "2025-01-01"}))["embeds"][0]
    assert none["description"] == "No tariffs in the indexed news as of Jan 1, 2025."

    await bot.engine.run(bot.library.ingest_articles, [LUMBER_RAISED])  # the lumber line now has a history
    raised = (await board_reply(fake, {"as_of": "2026-05-20"}))["embeds"][0]
    assert raised["description"].split("\n") == [
        COFFEE_LINE,
        "United States → Canada · softwood lumber: 35% — in effect since May 18, 2026 (was 25%) **[2]**",
        CHINA_LINE,
        CHINA_DIFFER,
        "",
        citation(1, "coffee-announced"),
        citation(2, "lumber-raised"),
        citation(3, "china-cut"),
        citation(4, "china-lawyer"),
    ]  # numbered as the lines give them: the 25% report, which no line shows, has no number

    bad = await board_reply(fake, {"on": "Atlantis"})
    assert bad["content"] == "charged on 'Atlantis': names no country tradewire knows." and not bad["embeds"]
    with pytest.raises(ValueError, match="not a choice"):  # the status is one of the six, offered as choices
        await fake.slash("tariffs", {"status": "rumoured"}, subcommand="board")


async def test_a_few_lines_with_a_history_come_with_their_picture(fake, bot):
    import io

    from matplotlib.image import imread

    uploads = lambda: [f for r in fake.requests for f in r.files]  # noqa: E731
    flat = await board_reply(fake, {"product": "coffee", "as_of": "2026-05-20"})
    assert not flat["attachments"] and "image" not in flat["embeds"][0]  # one step: nothing to draw
    await bot.engine.run(bot.library.ingest_articles, [LUMBER_RAISED])
    lumber = await board_reply(fake, {"product": "lumber", "as_of": "2026-05-20"})
    (embed,) = lumber["embeds"]
    assert embed["image"]["url"] == "attachment://tariffs.png"
    (attached,) = lumber["attachments"]
    (upload,) = uploads()
    assert attached["filename"] == upload["filename"] == "tariffs.png"
    assert imread(io.BytesIO(upload["data"])).shape[:2] == (500, 1000)
    whole = await board_reply(fake, {"as_of": "2026-05-20"})  # three lines: still a picture of them
    assert whole["attachments"] and len(uploads()) == 2


async def test_a_long_board_is_paged_for_whoever_asked(fake, bot, monkeypatch):
    monkeypatch.setattr(embeds, "BOARD_LINES_PER_PAGE", 2)
    message = await board_reply(fake, {"as_of": "2026-05-20"})
    first = message["embeds"][0]
    assert first["description"].split("\n") == [
        COFFEE_LINE,
        LUMBER_LINE,
        "",
        citation(1, "coffee-announced"),
        citation(2, "lumber-set"),
    ]
    assert first["footer"]["text"] == "As of May 20, 2026 · 3 lines · page 1 of 2"
    next_id = message["components"][0]["components"][1]["custom_id"]
    other = await fake.click(message, next_id, user=fake.admin)
    await other.wait_done()
    assert "Run `/tariffs board` yourself" in other.callbacks[0]["data"]["content"]
    page = await fake.click(message, next_id)
    await page.wait_done()
    second = page.callbacks[0]["data"]["embeds"][0]
    assert second["description"].split("\n") == [
        CHINA_LINE,
        CHINA_DIFFER,
        "",
        citation(3, "china-cut"),
        citation(4, "china-lawyer"),
    ]  # numbered on from the first page's
    assert second["footer"]["text"].endswith("page 2 of 2")


async def test_the_options_autocomplete_from_the_boards_countries_and_goods(fake, bot):
    await board_reply(fake, {})  # the board reads the news
    on = await fake.autocomplete("tariffs", {"on": "C"}, "on", subcommand="board")
    assert on == [{"name": "China", "value": "China"}, {"name": "Canada", "value": "Canada"}]  # most reported first
    by = await fake.autocomplete("tariffs", {"by": ""}, "by", subcommand="board")
    assert [c["value"] for c in by] == ["United States", "Mexico"]  # the most reported first
    product = await fake.autocomplete("tariffs", {"product": "LUM"}, "product", subcommand="watch")
    assert product == [{"name": "softwood lumber", "value": "softwood lumber"}]


async def test_a_watch_posts_each_change_once_across_a_restart(fake, tmp_path, engine):
    """/tariffs watch shows the board and posts nothing; a story that raises a rate → one post with the update's
    nonce; the process dies after posting it and before recording so: a new client over the same store does not
    post it again (Discord answers the nonce with the first message) and posts the day's status change once."""
    home, channel = tmp_path / "live", fake.second_channel_id
    library = open_news(home, engine)
    library.ingest_articles(BOARD)

    def posts() -> list[dict]:
        return [m for m in fake.messages.get(channel, []) if "Tariff board:" in (m["content"] or "")]

    client = TradewireBot(library, settings_for(fake, home), guild_ready_timeout=0.5)
    client.clock = lambda: MAY_20
    async with fake.running(client):
        refused = await fake.slash("tariffs", {"channel": str(channel)}, subcommand="watch", user=fake.member)
        await refused.wait_done()
        assert "Manage Server" in refused.callbacks[0]["data"]["content"]
        added = await fake.slash("tariffs", {"channel": str(channel)}, subcommand="watch", user=fake.admin)
        await added.wait_done()
        reply = private_reply(added)
        assert reply["content"].startswith(f"Watching the tariff board in <#{channel}> (number 1)")
        assert reply["embeds"][0]["description"].split("\n")[:3] == [COFFEE_LINE, LUMBER_LINE, CHINA_LINE]
        await client.poll_once()
        assert posts() == []  # the board as it stands is the reply, not news

        await client.engine.run(client.library.ingest_articles, [LUMBER_RAISED])
        client.clock = lambda: datetime(2026, 5, 21, 9, tzinfo=UTC)
        await client.poll_once()
        (post,) = posts()
        lines = post["content"].split("\n")
        assert lines[0] == LUMBER_POST
        assert lines[2] == "**[1]** Pacific Dispatch — Lumber duty goes up again — May 18, 2026 12:00 UTC"
        (update_id,) = [r[0] for r in client.library.store.db.execute("SELECT id FROM tariff_updates")]
        assert post["nonce"] == _nonce("tariff-update", str(update_id))
        assert_cannot_ping(post)
        await client.poll_once()
        assert len(posts()) == 1
        # the process dies after Discord made the post, before it was recorded as posted
        client.library.store.db.execute("UPDATE tariff_updates SET status = 'pending', message = NULL")

    client = TradewireBot(open_news(home, engine), settings_for(fake, home), guild_ready_timeout=0.5)
    client.clock = lambda: datetime(2026, 6, 1, 9, tzinfo=UTC)
    async with fake.running(client):
        await client.poll_once()
        assert fake.nonce_hits == 1  # the lumber post, sent again, answered with the first one
        assert [p["content"].split("\n")[0] for p in posts()] == [
            LUMBER_POST,
            "**Tariff board:** Mexico → Brazil · coffee 20% now in effect since June 1, 2026 (was announced, from "
            "June 1, 2026) **[1]** <https://board.example.test/coffee-announced>",
        ]
        await client.poll_once()
        assert len(posts()) == 2
        statuses = client.library.store.db.execute("SELECT status FROM tariff_updates").fetchall()
        assert [r[0] for r in statuses] == ["posted", "posted"]

        listing = await fake.slash("tariffs", {}, subcommand="watches", user=fake.member)
        await listing.wait_done()
        listed = private_reply(listing)["embeds"][0]["description"]
        assert listed == f"**1.** the whole board · 3 lines · in <#{channel}>"
        kept = await fake.slash("tariffs", {"id": 1}, subcommand="unwatch", user=fake.member)
        await kept.wait_done()
        assert "Manage Server" in kept.callbacks[0]["data"]["content"]
        unknown = await fake.slash("tariffs", {"id": 7}, subcommand="unwatch", user=fake.admin)
        await unknown.wait_done()
        assert "no tariff board watch number 7" in private_reply(unknown)["content"]
        gone = await fake.slash("tariffs", {"id": 1}, subcommand="unwatch", user=fake.admin)
        await gone.wait_done()
        assert "Stopped watching the tariff board (number 1)" in private_reply(gone)["content"]
        assert await client.engine.run(client.tariff_watches.list) == []
