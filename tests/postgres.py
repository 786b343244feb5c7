"""A throwaway PostgreSQL server for the tests: a cluster in a temporary directory, listening on a loopback port
only, started with initdb/pg_ctl (as the `postgres` user when run as root, which PostgreSQL refuses to run as)
and stopped afterwards. Standard library only, so that `.ci/run` can use it before any virtual environment:

    python3 tests/postgres.py start DIR     # prints the server's URL
    python3 tests/postgres.py stop DIR

Each cluster directory holds a marker, `tradewire-owner.json`, naming the process that owns the cluster: its pid,
its start time, and the boot and pid namespace it ran in, so that a reused pid is not mistaken for the owner. The
owner is the pytest process for the `postgres_server` fixture, and the caller for the command line (the parent
of `python3 tests/postgres.py start`, i.e. `.ci/run`'s shell; $TRADEWIRE_PG_OWNER overrides). A pytest killed
outright (kill -9, a CI timeout) never stops its server; so every start first reaps the marked clusters in the
temporary directory whose owner is gone: their server is stopped (`pg_ctl stop -m immediate`, as the user it runs
as) and their directory removed. A cluster whose owner is alive, or with no marker, is left alone; a cluster that
cannot be reaped is one warning line.
"""

from __future__ import annotations

import fcntl
import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

MARKER = "tradewire-owner.json"
# Directories (in the temporary directory) that may hold a cluster of ours: the fixture's, and `.ci/run`'s.
PREFIXES = ("tradewire-pg-", "tradewire-ci-pg.")


class Unavailable(Exception):
    """No PostgreSQL server can be started here (the reason says why)."""


class OrphanWarning(UserWarning):
    """A cluster left by a dead test session could not be reaped."""


def bindir() -> Path:
    """Where initdb and pg_ctl are: $PG_BINDIR, Debian's /usr/lib/postgresql/N/bin (newest), or the PATH."""
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise Unavailable("no initdb found (install Debian's postgresql package, or set PG_BINDIR)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(argv: list[str], user: str = "postgres") -> list[str]:
    """`argv` run as `user`: as is when that is who we are (or when not root: we cannot be anyone else)."""
    if os.geteuid() != 0 or user == _user_name(os.geteuid()):
        return argv
    if not shutil.which("runuser"):
        raise Unavailable("running as root without runuser: cannot start PostgreSQL as another user")
    return ["runuser", "-u", user, "--", *argv]


def _user_name(uid: int) -> str | None:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return None


def _run(argv: list[str], what: str, user: str = "postgres") -> None:
    done = subprocess.run(_as_server_user(argv, user), capture_output=True, text=True, timeout=120)
    if done.returncode:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise Unavailable(f"{what} failed: {detail[-1] if detail else done.returncode}")


def _boot_id() -> str | None:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return None


def _started(pid: int) -> int | None:
    """When process `pid` started (clock ticks since boot, from /proc/PID/stat); None if it or /proc is absent,
    or if it has exited and only waits, a zombie, for its parent to collect it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces; the state is field 3, starttime field 22.
    fields = stat.rpartition(")")[2].split()
    return None if fields[0] in ("Z", "X") else int(fields[19])


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _pid_namespace() -> str | None:
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return None


def owner_record(pid: int) -> dict:
    """What the marker says of owner `pid`."""
    return {"pid": pid, "started": _started(pid), "boot": _boot_id(), "pid_namespace": _pid_namespace()}


def owner_alive(owner: dict) -> bool:
    """Whether the process a marker names still runs: same boot, same pid, same start time (where /proc tells)."""
    pid = owner.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    boot = _boot_id()
    if owner.get("boot") and boot and owner["boot"] != boot:
        return False  # recorded before a reboot: whatever has that pid now is someone else
    namespace = _pid_namespace()
    if owner.get("pid_namespace") and namespace and owner["pid_namespace"] != namespace:
        return True  # another container sharing this /tmp: its pids are not ours to judge, so leave it be
    if Path("/proc/self/stat").exists():
        started = _started(pid)
        return started is not None and owner.get("started") in (None, started)
    return _exists(pid)


def start(directory: Path, owner: int | None = None) -> str:
    """Make and start a cluster in `directory`, owned by process `owner` (default: this one), after reaping the
    clusters of dead owners; returns its URL (user postgres, no password, loopback only)."""
    bins = bindir()
    reap_orphans()
    directory.mkdir(parents=True, exist_ok=True)
    # The marker first, so that a session killed during initdb leaves a directory the next start recognises.
    marker = {"owner": owner_record(os.getpid() if owner is None else owner), "bindir": str(bins)}
    (directory / MARKER).write_text(json.dumps(marker) + "\n")
    data = directory / "data"
    if os.geteuid() == 0:
        try:
            server_user = pwd.getpwnam("postgres")
        except KeyError:
            raise Unavailable("running as root and there is no postgres user to run the server as") from None
        os.chown(directory, server_user.pw_uid, server_user.pw_gid)
    port = _free_port()
    _run(
        [str(bins / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"],
        "initdb",
    )
    options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={directory} -c fsync=off"
    _run(
        [str(bins / "pg_ctl"), "-D", str(data), "-l", str(directory / "server.log"), "-o", options, "-w", "start"],
        "pg_ctl start",
    )
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    (directory / "url").write_text(url)
    return url


def stop(directory: Path) -> None:
    data = directory / "data"
    if (data / "postmaster.pid").exists():
        _run([str(bindir() / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], "pg_ctl stop")


def _postmaster_running(data: Path) -> bool:
    """Whether the postmaster that postmaster.pid names runs, and is this cluster's (not a reused pid)."""
    try:
        pid = int((data / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return False
    if pid <= 0 or not _exists(pid):
        return False
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        cwd = os.readlink(f"/proc/{pid}/cwd")  # the postmaster works in its data directory
    except FileNotFoundError:
        return _exists(pid)  # gone meanwhile, or no /proc here
    except OSError:
        return True  # it runs, and we may not look: let pg_ctl judge
    return cwd == str(data.resolve()) or any(os.fsencode(str(d)) in argv for d in (data, data.resolve()))


def candidates(within: list[Path] | None = None) -> list[Path]:
    """Directories that may hold a cluster of ours: the prefixes above, in the temporary directory (and /tmp)."""
    roots = within if within is not None else list(dict.fromkeys([Path(tempfile.gettempdir()), Path("/tmp")]))
    found = []
    for root in roots:
        for prefix in PREFIXES:
            found.extend(sorted(Path(p) for p in glob.glob(os.path.join(glob.escape(str(root)), prefix + "*"))))
    return [p for p in dict.fromkeys(found) if p.is_dir() and not p.is_symlink()]


def reap_orphans(within: list[Path] | None = None) -> list[Path]:
    """Stop the server of, and remove, each marked cluster whose owner is gone; returns the directories removed.
    Never raises: a cluster that cannot be reaped is a warning (one line) and is left for the next try."""
    reaped = []
    for directory in candidates(within):
        try:
            if _reap(directory):
                reaped.append(directory)
        except Exception as exc:  # reaping is housekeeping: it must never fail a test session
            _warn(f"could not reap the orphaned PostgreSQL cluster {directory}: {' '.join(str(exc).split())}")
    return reaped


def _warn(message: str) -> None:
    """One line: a warning (pytest lists it), or on stderr where warnings are errors or go unshown."""
    try:
        warnings.warn(message, OrphanWarning, stacklevel=3)
    except Warning:
        print(f"warning: {message}", file=sys.stderr)


def _reap(directory: Path) -> bool:
    marker_path = directory / MARKER
    try:
        handle = open(marker_path, "rb")  # held open, and locked, until the directory is gone
    except FileNotFoundError:
        return False  # not ours (or not yet marked): never touched
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # another session is reaping it right now
        if not marker_path.exists():
            return False  # reaped by another session between our open and our lock
        try:
            marker = json.loads(handle.read())
        except ValueError:
            return False  # being written this instant, or not ours
        if not isinstance(marker, dict) or not isinstance(marker.get("owner"), dict):
            return False
        if owner_alive(marker["owner"]):
            return False
        data = directory / "data"
        if _postmaster_running(data):
            pg_ctl = Path(marker.get("bindir") or bindir()) / "pg_ctl"
            user = _user_name(data.stat().st_uid) or "postgres"
            if os.geteuid() not in (0, data.stat().st_uid):
                raise Unavailable(f"its server runs as {user}, and we are not root")
            _run([str(pg_ctl), "-D", str(data), "-m", "immediate", "-w", "stop"], "pg_ctl stop", user)
        shutil.rmtree(directory)
    return True


def fresh_database(server: str, name: str) -> str:
    """An empty database `name` on the server at URL `server` (dropped first if it exists); returns its URL.
    Needs psycopg, so not for the command line above."""
    import psycopg

    drop_database(server, name)
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    base, _, _ = server.rpartition("/")
    return f"{base}/{name}"


def drop_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    warnings.formatwarning = lambda message, category, *_, **__: f"{category.__name__}: {message}\n"
    command, where = sys.argv[1], Path(sys.argv[2])
    try:
        if command == "start":
            # The cluster belongs to whoever called us (`.ci/run`'s shell: bash runs a lone command in $(...)
            # without a subshell), so that it is not reaped while they run; $TRADEWIRE_PG_OWNER overrides.
            print(start(where, owner=int(os.environ.get("TRADEWIRE_PG_OWNER") or os.getppid())))
        elif command == "stop":
            stop(where)
        else:
            sys.exit(f"usage: {sys.argv[0]} start|stop DIR")
    except Unavailable as exc:
        print(f"PostgreSQL unavailable: {exc}", file=sys.stderr)
        sys.exit(1)
