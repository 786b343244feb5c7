"""`tradewire serve` as its own process, with the real bundled model, pointed at the fake Discord through
DISCORD_API_BASE / DISCORD_GATEWAY_URL: /ask and a mention are answered from the seed story (or, where
../shared is absent, from the demo corpus), and the token never shows in the output."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import pytest

from bot.cli import DEMO_DIR
from embeddings import Library
from tests.conftest import SEED_DIR
from tests.fake_discord import FakeDiscord

pytestmark = [pytest.mark.model, pytest.mark.slow]

TOKEN = "MTIzNDU2Nzg5.fake-secret.do-not-print-me"


async def stop(process: asyncio.subprocess.Process) -> None:
    """SIGTERM, as `docker stop` sends, then SIGKILL if it has not stopped within 30 s."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
            await process.wait()


@pytest.fixture
def home(tmp_path, real_encoder):
    with_seed = SEED_DIR.is_dir() and any(SEED_DIR.iterdir())
    with Library.open(tmp_path / "home", encoder=real_encoder) as lib:
        report = lib.ingest([str(SEED_DIR if with_seed else DEMO_DIR)])
        assert report.added and not report.failed
    return tmp_path / "home", with_seed


async def test_serve_answers_ask_and_mentions_through_the_configured_endpoints(home, tmp_path):
    home_dir, with_seed = home
    fake = FakeDiscord()
    await fake.start()  # discord.py is not patched in this process: only the environment points at the fake
    log_path = tmp_path / "serve.log"
    env = {
        **os.environ,
        "DISCORD_TOKEN": TOKEN,
        "DISCORD_API_BASE": fake.api_base,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "TRADEWIRE_HOME": str(home_dir),
        "TRADEWIRE_DISCORD_GUILD": str(fake.guild_id),
        "TRADEWIRE_FEED_INTERVAL": "0",
        "HF_HUB_OFFLINE": "1",
    }
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "serve", env=env, stdout=log, stderr=log
        )
    try:
        await fake.wait_ready(timeout=180)
        interaction = await fake.slash("ask", {"question": "When is Canada's election?"}, user=fake.member)
        await interaction.wait_done(timeout=60)
        assert interaction.callbacks[0]["type"] == 5  # deferred first
        (message,) = interaction.messages
        embed = message["embeds"][0]
        assert embed["title"] == "April 28, 2025"
        assert "April 28" in embed["description"] and "**[1]**" in embed["description"]
        if with_seed:
            assert "Dow Jones Newswires" in embed["description"]
            assert f"<t:{1743182100}:f>" in embed["description"]  # the seed's time, 2025-03-28 17:15 UTC
        assert message["_allowed_mentions"]["parse"] == []

        question = await fake.post_message("When is Canada's election?", mention_bot=True)
        reply = await fake.wait_for_message(
            fake.channel_id,
            lambda m: (m.get("message_reference") or {}).get("message_id") == question["id"],
            timeout=60,
        )
        assert reply["embeds"][0]["title"] == "April 28, 2025"
        assert any(r.path.startswith("/applications/") and r.method == "PUT" for r in fake.requests)
    finally:
        await stop(process)
        await fake.close()
    output = log_path.read_text()
    assert TOKEN not in output and "fake-secret" not in output
    assert "synced 10 commands to one guild" in output  # /feeds, /brief, /watch and /tariffs are one command each
    assert process.returncode == 0, output[-2000:]
