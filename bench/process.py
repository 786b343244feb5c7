"""Timing a command in a new process, with its peak memory."""

from __future__ import annotations

import shlex
import subprocess
import sys

# Linux carries a process's peak RSS across fork and exec, so a command started from this (large) process would
# report at least this process's size: a small launcher starts it and reports its time and peak memory instead.
LAUNCHER = """
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    os.execvp(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def run_measured(command: list[str], env: dict[str, str], ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one new process, from its start to its exit; an exit status not in
    `ok` raises."""
    done = subprocess.run([sys.executable, "-c", LAUNCHER, *command], capture_output=True, text=True, env=env)
    wall, peak_kb, code = done.stdout.split()
    if int(code) not in ok or done.returncode:
        raise RuntimeError(f"{shlex.join(command)} failed: {done.stderr[-500:]}")
    return float(wall), int(peak_kb) / 1024
