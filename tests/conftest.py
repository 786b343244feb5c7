"""Shared fixtures: a deterministic fake encoder for fast tests, the real model once per session for
integration tests, and the read-only ../shared data (skipped when absent, as on a user's machine)."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from embeddings import Library
from embeddings.analysis import terms

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(os.environ.get("TRADEWIRE_SHARED", ROOT.parent / "shared"))
SEED_DIR = SHARED / "seed"


class FakeEncoder:
    """Bag of analysed words hashed into 64 dimensions: texts sharing words are close, deterministically."""

    name = "test/fake-bag-of-words"
    dim = 64

    def __init__(self) -> None:
        self.calls = 0
        self.texts_encoded = 0

    def encode(self, texts):
        self.calls += 1
        self.texts_encoded += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for term in terms(text):
                h = int(hashlib.md5(term.encode()).hexdigest(), 16)
                out[row, h % self.dim] += 1.0 if (h >> 8) & 1 else -1.0
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm else out[row]
        return out


@pytest.fixture
def fake_encoder() -> FakeEncoder:
    return FakeEncoder()


def stories_library(tmp_path_factory, stories: Path, name: str, encoder=None):
    """A knowledge base of a folder of our own stories (the fake encoder unless another is given), closed after
    the tests that use it: `yield from` it in a module fixture."""
    lib = Library.open(tmp_path_factory.mktemp(name), encoder=encoder or FakeEncoder())
    lib.ingest([str(stories)])
    try:
        yield lib
    finally:
        lib.close()


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server for the session: TRADEWIRE_TEST_DATABASE_URL if set (`.ci/run` starts one), else one
    started here in a temporary directory on a loopback port and stopped at the end; skipped, with the reason,
    when neither can be had."""
    url = os.environ.get("TRADEWIRE_TEST_DATABASE_URL")
    if url:
        yield url
        return
    import contextlib
    import tempfile

    from tests import postgres

    # Owned by this process (a marker in the directory says so): if pytest is killed before the `finally`
    # below, the next session's start stops this server and removes its directory.
    where = Path(tempfile.mkdtemp(prefix="tradewire-pg-"))
    try:
        url = postgres.start(where, owner=os.getpid())
    except postgres.Unavailable as exc:
        with contextlib.suppress(Exception):
            postgres.stop(where)  # in case pg_ctl gave up waiting on a server that did start
        shutil.rmtree(where, ignore_errors=True)
        pytest.skip(f"no PostgreSQL server: {exc}")
    try:
        yield url
    finally:
        postgres.stop(where)
        shutil.rmtree(where, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server, request):
    """A new, empty database on the session's server, dropped afterwards."""
    from tests import postgres

    name = "t_" + hashlib.md5(request.node.nodeid.encode()).hexdigest()[:16]
    yield postgres.fresh_database(postgres_server, name)
    postgres.drop_database(postgres_server, name)


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request) -> str | None:
    """Each storage test runs on both engines: None (SQLite in the home, the default) or a PostgreSQL URL."""
    return request.getfixturevalue("postgres_url") if request.param == "postgres" else None


@pytest.fixture
def library(tmp_path, fake_encoder, engine) -> Library:
    lib = Library.open(tmp_path / "home", encoder=fake_encoder, database_url=engine)
    yield lib
    lib.close()


def delivery_counts(library: Library, channel: str) -> dict[str, int]:
    """How many feed items each outcome ("posted", "off-topic", "failed: …") had in `channel`, read from the
    deliveries table itself (claims in flight are not outcomes)."""
    rows = library.store.db.execute(
        "SELECT status, count(*) FROM deliveries WHERE channel = ? AND status != 'claimed' GROUP BY status",
        (channel,),
    ).fetchall()
    return {r[0]: r[1] for r in rows}


@pytest.fixture(scope="session")
def real_encoder():
    """The default encoder, as users get it: the bundled model, int8 under ONNX Runtime."""
    from embeddings.encoder import make_encoder

    encoder = make_encoder()
    encoder.encode(["warm up"])
    return encoder


@pytest.fixture
def seed_dir() -> Path:
    if not SEED_DIR.is_dir() or not any(SEED_DIR.iterdir()):
        pytest.skip(f"../shared/seed not found at {SEED_DIR}")
    return SEED_DIR


@pytest.fixture
async def fake(monkeypatch):
    """A fake Discord on loopback with discord.py pointed at it; afterwards it must have seen no protocol error,
    and no task may be left running."""
    import asyncio

    from tests.fake_discord import FakeDiscord

    server = FakeDiscord(heartbeat_interval_ms=200)
    await server.start()
    server.patch_discord(monkeypatch)
    yield server
    await server.close()
    assert not server.errors
    await asyncio.sleep(0)
    leftover = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    assert not leftover, leftover
