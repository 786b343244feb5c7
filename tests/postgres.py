"""A throwaway PostgreSQL server for the tests: a cluster in a temporary directory, listening on a loopback port
only, started with initdb/pg_ctl (as the `postgres` user when run as root, which PostgreSQL refuses to run as)
and stopped afterwards. Standard library only, so that `.ci/run` can use it before any virtual environment:

    python3 tests/postgres.py start DIR     # prints the server's URL
    python3 tests/postgres.py stop DIR
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path


class Unavailable(Exception):
    """No PostgreSQL server can be started here (the reason says why)."""


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


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    if not shutil.which("runuser"):
        raise Unavailable("running as root without runuser: cannot start PostgreSQL as another user")
    return ["runuser", "-u", "postgres", "--", *argv]


def _run(argv: list[str], what: str) -> None:
    done = subprocess.run(_as_server_user(argv), capture_output=True, text=True, timeout=120)
    if done.returncode:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise Unavailable(f"{what} failed: {detail[-1] if detail else done.returncode}")


def start(directory: Path) -> str:
    """Make and start a cluster in `directory`; returns its URL (user postgres, no password, loopback only)."""
    bins = bindir()
    directory.mkdir(parents=True, exist_ok=True)
    data = directory / "data"
    if os.geteuid() == 0:
        import pwd

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
    command, where = sys.argv[1], Path(sys.argv[2])
    try:
        if command == "start":
            print(start(where))
        elif command == "stop":
            stop(where)
        else:
            sys.exit(f"usage: {sys.argv[0]} start|stop DIR")
    except Unavailable as exc:
        print(f"PostgreSQL unavailable: {exc}", file=sys.stderr)
        sys.exit(1)
