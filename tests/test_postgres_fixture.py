"""The test PostgreSQL's housekeeping: a cluster whose owner died (pytest killed outright, CI timed out) is stopped
and removed by the next start; one whose owner lives, or that the fixture did not make, is left alone; a failure to
reap is a warning, never an error."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests import postgres

ROOT = Path(__file__).resolve().parent.parent


def dead_pid() -> int:
    """The pid of a process that has exited."""
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(child.stdout)


def mark(directory: Path, owner: dict) -> Path:
    directory.mkdir()
    (directory / postgres.MARKER).write_text(json.dumps({"owner": owner}))
    return directory


def running(pid: int) -> bool:
    """Whether process `pid` runs (a zombie, dead but not yet waited for by whoever adopted it, does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:
        return postgres._exists(pid)


def refused(url: str) -> bool:
    try:
        socket.create_connection(("127.0.0.1", urlsplit(url).port), timeout=5).close()
    except ConnectionRefusedError:
        return True
    return False


@pytest.fixture
def scratch():
    """A directory to put clusters in that the `postgres` user can enter (pytest's tmp_path is private to us)."""
    where = Path(tempfile.mkdtemp(prefix="tradewire-reap-test-"))
    where.chmod(0o755)
    yield where
    shutil.rmtree(where, ignore_errors=True)


def test_the_owner_is_a_process_not_just_a_pid():
    me = postgres.owner_record(os.getpid())
    assert postgres.owner_alive(me)
    if me["started"] is not None:  # /proc tells start times: a reused pid is someone else
        assert not postgres.owner_alive({**me, "started": me["started"] + 1})
    if me["boot"] is not None:
        assert not postgres.owner_alive({**me, "boot": "another-boot"})
    if me["pid_namespace"] is not None:  # another container's pid: assumed alive, never reaped from here
        assert postgres.owner_alive({**postgres.owner_record(dead_pid()), "pid_namespace": "pid:[1]"})
    assert not postgres.owner_alive(postgres.owner_record(dead_pid()))
    assert not postgres.owner_alive({"pid": "nonsense"})


def test_an_owner_killed_but_not_yet_collected_is_gone():
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        record = postgres.owner_record(child.pid)
        if record["started"] is None:
            pytest.skip("no /proc here to tell a zombie from a live process")
        assert postgres.owner_alive(record)
        child.kill()
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # dead, but not collected: a zombie
        assert not postgres.owner_alive(record)
    finally:
        child.kill()
        child.wait()


def test_only_marked_clusters_of_dead_owners_are_removed(scratch):
    dead = mark(scratch / "tradewire-pg-dead", postgres.owner_record(dead_pid()))  # killed before initdb
    alive = mark(scratch / "tradewire-pg-alive", postgres.owner_record(os.getpid()))
    unmarked = scratch / "tradewire-pg-unmarked"
    (unmarked / "data").mkdir(parents=True)
    garbled = scratch / "tradewire-pg-garbled"
    garbled.mkdir()
    (garbled / postgres.MARKER).write_text('{"owner": ')
    elsewhere = mark(scratch / "someone-elses", postgres.owner_record(dead_pid()))

    assert postgres.reap_orphans([scratch]) == [dead]
    assert not dead.exists()
    assert alive.exists() and unmarked.exists() and garbled.exists() and elsewhere.exists()


def test_a_cluster_that_cannot_be_reaped_is_one_warning(scratch, monkeypatch):
    stuck = mark(scratch / "tradewire-pg-stuck", postgres.owner_record(dead_pid()))

    def refuse(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(postgres.shutil, "rmtree", refuse)
    with pytest.warns(postgres.OrphanWarning) as caught:
        assert postgres.reap_orphans([scratch]) == []
    assert len(caught) == 1
    message = str(caught[0].message)
    assert str(stuck) in message and "Permission denied" in message and "\n" not in message


@pytest.mark.slow
def test_a_dead_owners_server_is_stopped_and_removed_and_a_live_owners_kept(scratch):
    try:
        postgres.bindir()
    except postgres.Unavailable as exc:
        pytest.skip(f"no PostgreSQL server: {exc}")
    live, orphan = scratch / "tradewire-pg-live", scratch / "tradewire-pg-orphan"
    try:
        try:
            live_url = postgres.start(live)  # owned by this process
        except postgres.Unavailable as exc:
            pytest.skip(f"no PostgreSQL server: {exc}")
        # The orphan: started by the command line (as `.ci/run` does), whose caller, its owner, then exits.
        child = subprocess.run(
            [
                sys.executable,
                "-c",
                "import os, subprocess, sys; print(os.getpid(), flush=True); "
                "subprocess.run([sys.executable, 'tests/postgres.py', 'start', sys.argv[1]], check=True)",
                str(orphan),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert child.returncode == 0, child.stderr
        owner_pid, orphan_url = child.stdout.split()
        assert json.loads((orphan / postgres.MARKER).read_text())["owner"]["pid"] == int(owner_pid)
        postmaster = int((orphan / "data" / "postmaster.pid").read_text().split()[0])
        assert not refused(orphan_url) and running(postmaster)

        assert postgres.reap_orphans([scratch]) == [orphan]

        assert refused(orphan_url)
        assert not running(postmaster)
        assert not orphan.exists()
        assert (live / "data" / "postmaster.pid").exists() and not refused(live_url)
    finally:
        for cluster in (live, orphan):
            if cluster.exists():
                postgres.stop(cluster)
