"""Two `tradewire serve` processes, shards 0 and 1 of 2, on one PostgreSQL database, against the fake Discord
and a feed on the test news site. The feed brings 20 items; one process is killed with SIGKILL while the items
are being posted; the other finishes the round: each subscribed channel gets each item exactly once."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from datetime import UTC, datetime, timedelta

import pytest

from embeddings import Library
from tests.conftest import delivery_counts
from tests.fake_discord import FakeDiscord
from tests.newssite import Item, NewsSite
from tests.test_serve import stop

pytestmark = [pytest.mark.model, pytest.mark.slow]

TOKEN = "MTIzNDU2Nzg5.fake-secret.do-not-print-me"
COUNTRIES = ["Chile", "Kenya", "Norway", "Vietnam", "Peru", "Ghana", "Poland", "Japan", "Egypt", "Canada"]
GOODS = ["copper wire", "cut flowers", "salmon", "coffee", "lithium", "cocoa", "amber", "rice", "cotton", "maple"]
OFFICES = ["customs office", "trade ministry", "finance ministry", "port authority", "tariff board"]


def twenty_items() -> list[Item]:
    """Twenty distinct stories (no two near-copies, so twenty posts per channel)."""
    items = []
    for n in range(20):
        country, good, office = COUNTRIES[n % 10], GOODS[(n * 3) % 10], OFFICES[n % 5]
        items.append(
            Item(
                f"story-{n}",
                f"{country} sets a {n + 5}% duty on {good} (item {n})",
                datetime(2025, 8, 1, tzinfo=UTC) + timedelta(hours=n),
                f"{country} will charge a {n + 5}% duty on imported {good} from September {n + 1}, its {office} "
                f"said on day {n}. Traders of {good} in {country} expect prices to move by {2 * n + 3}% "
                f"before harvest number {n + 40} ends.",
            )
        )
    return items


async def _eventually(probe, timeout: float, what: str, alive=()):
    """The first truthy `probe()`; fails at once if one of the `alive` processes exits meanwhile."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not (result := probe()):
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        assert all(p.returncode is None for p in alive), f"a serve process exited while waiting for {what}"
        await asyncio.sleep(0.1)
    return result


def _titles(fake: FakeDiscord, channel: int) -> list[str]:
    """The headlines posted to a channel (embed titles, markdown escapes undone)."""
    return [re.sub(r"\\(.)", r"\1", m["embeds"][0]["title"]) for m in fake.messages.get(channel, []) if m["embeds"]]


async def test_two_processes_post_each_item_once_per_channel_through_a_kill(postgres_url, tmp_path, real_encoder):
    site = NewsSite()
    fake = FakeDiscord()
    await fake.start()
    fake.post_delay = 0.25  # a round of 40 posts takes seconds: time to kill a process in the middle of it
    guild, channels = str(fake.guild_id), [fake.channel_id, fake.second_channel_id]
    first = Item("first", "Tariff board opens its hearings", datetime(2025, 7, 30, tzinfo=UTC), "The board met.")
    feed_url = site.publish("wire", first)
    with Library.open(tmp_path / "setup", encoder=real_encoder, database_url=postgres_url) as lib:
        lib.index  # noqa: B018 - records the model, as a first `tradewire ingest` would
        lib.records.feeds.add(guild, feed_url)
        for channel in channels:
            lib.records.feeds.subscribe(str(channel), guild)
    env = {
        **os.environ,
        "DISCORD_TOKEN": TOKEN,
        "DISCORD_API_BASE": fake.api_base,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "TRADEWIRE_DATABASE_URL": postgres_url,
        "TRADEWIRE_HOME": str(tmp_path / "unused"),
        "TRADEWIRE_DISCORD_GUILD": str(fake.guild_id),
        "TRADEWIRE_DISCORD_SHARDS": "2",
        "TRADEWIRE_FEED_INTERVAL": "1",
        "TRADEWIRE_LEASE_SECONDS": "3",
        "TRADEWIRE_ALLOW_PRIVATE_FEEDS": "1",
        "HF_HUB_OFFLINE": "1",
    }
    processes, logs = [], []
    try:
        for shard in (0, 1):
            logs.append(tmp_path / f"serve-{shard}.log")
            with logs[-1].open("wb") as log:
                processes.append(
                    await asyncio.create_subprocess_exec(
                        sys.executable,
                        "-m",
                        "bot.cli",
                        "serve",
                        env=env | {"TRADEWIRE_DISCORD_SHARD_IDS": str(shard)},
                        stdout=log,
                        stderr=log,
                    )
                )
        ready = lambda: fake.identifies == 2  # noqa: E731 - both shards: one with the guild, one without
        await _eventually(ready, 180, "both shards' IDENTIFY", alive=processes)

        with Library.open(tmp_path / "setup", encoder=real_encoder, database_url=postgres_url) as lib:
            await _eventually(lambda: lib.records.feeds.list()[0].primed, 60, "the feed's first poll", alive=processes)
            site.publish("wire", *twenty_items())
            victim = processes[0]
            posts = lambda: sum(len(_titles(fake, c)) for c in channels)  # noqa: E731
            await _eventually(lambda: posts() >= 6, 120, "the first posts", alive=processes)
            victim.send_signal(signal.SIGKILL)  # mid-round: it may hold claims, and posts sent but not recorded
            await victim.wait()
            wanted = sorted(i.title for i in twenty_items())
            for channel in channels:
                twenty = lambda c=channel: len(_titles(fake, c)) >= 20  # noqa: E731
                await _eventually(twenty, 120, f"20 posts in {channel}", alive=processes[1:])
            await asyncio.sleep(6)  # two leases' time: a late duplicate would show up now
            for channel in channels:
                assert sorted(_titles(fake, channel)) == wanted  # every item, once
                assert delivery_counts(lib, str(channel)) == {"posted": 20}
            assert first.title not in _titles(fake, channels[0])  # the first poll's item is back catalogue
            # Claims: each post was sent by one process, but for the one the killed process had in flight, which
            # the survivor sent again after the claim ran out, and Discord matched by its nonce.
            sent = [r for r in fake.requests if r.method == "POST" and re.fullmatch(r"/channels/\d+/messages", r.path)]
            assert len(sent) - 40 == fake.nonce_hits <= 1
        assert processes[1].returncode is None  # the survivor is still serving
        assert fake.shard_sessions  # one process ran the shard without the guild
    finally:
        for process in processes:
            await stop(process)
        await fake.close()
        site.close()
    survivor = logs[1].read_text()
    assert processes[1].returncode == 0, survivor[-2000:]
    for log in logs:
        text = log.read_text()
        assert TOKEN not in text and "fake-secret" not in text
        assert postgres_url not in text or "@" not in postgres_url.split("//")[1].split("/")[0]
