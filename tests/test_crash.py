"""kill -9 in the middle of an ingest, then check that the index and the metadata agree and that a second
run completes the job with every article present."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from embeddings import Library

pytestmark = [pytest.mark.model, pytest.mark.slow]

ARTICLES = 400


def test_ingest_killed_mid_way_is_repaired_and_resumed(tmp_path, real_encoder):
    corpus = tmp_path / "corpus.jsonl"
    with corpus.open("w") as fh:
        for i in range(ARTICLES):
            text = (
                f"Item {i}: officials in country {i % 17} said the tariff on product {i} would rise to "
                f"{i % 50}% next month. Importers of product {i} said prices would follow. "
                f"Talks on item {i} are set to resume on day {i % 28 + 1}."
            )
            fh.write(
                json.dumps(
                    {
                        "id": f"crash-{i}",
                        "title": f"Tariff item {i}",
                        "text": text,
                        "published": "2025-05-01T00:00:00Z",
                        "source": "Crash Wire",
                    }
                )
                + "\n"
            )
    home = tmp_path / "home"
    env = {**os.environ, "TRADEWIRE_HOME": str(home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "ingest", "-q", str(corpus)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    db = home / "tradewire.db"
    deadline = time.monotonic() + 240
    committed = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=1) as conn:
                    committed = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            except sqlite3.OperationalError:
                committed = 0
            if committed >= 64:
                break
        time.sleep(0.05)
    assert proc.poll() is None, "the ingest finished before it could be killed; make the corpus larger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 0 < committed < ARTICLES

    with Library.open(home, encoder=real_encoder) as lib:
        stored = lib.store.counts()["articles"]
        assert stored >= committed
        assert set(lib.index.ids().tolist()) == set(lib.store.passage_ids().tolist())  # repaired on open
        report = lib.ingest([str(corpus)])
        assert len(report.added) == ARTICLES - stored and len(report.unchanged) == stored
        assert lib.store.counts()["articles"] == ARTICLES
        assert set(lib.index.ids().tolist()) == set(lib.store.passage_ids().tolist())
        (hit,) = lib.search("tariff on product 399", k=1, mode="lexical")
        assert hit.article_id == "crash-399"
