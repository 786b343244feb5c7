"""The README's Usage examples run as written, from a clone, on a fresh home: the block is run line by line by
bash, in a directory that holds what a clone holds for them (`embeddings/demo`), with the test's environment
standing in for `. .venv/bin/activate`. Each line must succeed, and what it prints must be what the README says
it does."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

BIN = Path(sys.executable).parent
pytestmark = pytest.mark.skipif(not (BIN / "tradewire").exists(), reason="the tradewire entry point is not installed")


def usage_block() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Usage\n.*?```sh\n(.*?)```", readme, re.S)
    assert block, "the README has a Usage section with a sh block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_the_usage_block_names_no_path_a_new_user_lacks():
    lines = usage_block()
    assert lines[0] == ". .venv/bin/activate"  # the opening commands made .venv; a bare `tradewire` needs it
    assert all(line.startswith(("tradewire ", "printf ", ". ")) for line in lines)
    for path in re.findall(r"(?<=ingest )\S+", "\n".join(lines)):
        assert (ROOT / path).exists(), f"{path} is not in a clone"
    assert "../shared" not in "\n".join(lines)


@pytest.mark.model
def test_the_usage_examples_run_as_written(tmp_path):
    work = tmp_path / "clone"
    (work / "embeddings").mkdir(parents=True)
    (work / "embeddings" / "demo").symlink_to(ROOT / "embeddings" / "demo")
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",  # what activating the environment does
        "TRADEWIRE_HOME": str(tmp_path / "home"),
    }
    env.pop("TRADEWIRE_DATABASE_URL", None)
    out: dict[str, subprocess.CompletedProcess[str]] = {}
    for line in usage_block()[1:]:
        result = subprocess.run(["bash", "-c", line], cwd=work, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, (line, result.stderr[-2000:])
        assert "Traceback" not in result.stderr and "error" not in result.stderr.lower(), (line, result.stderr)
        out[line.split("#", 1)[0].strip()] = result

    def printed(start: str) -> str:
        return next(r.stdout for line, r in out.items() if line.startswith(start))

    assert printed("tradewire ingest").startswith("added 13, updated 0, unchanged 0, merged 1")
    assert printed("""tradewire ask "When is Canada's election?\"""").startswith("April 28, 2025\n")
    as_json = json.loads(printed("""tradewire ask "When is Canada's election?" --json"""))
    assert as_json["answer"] == "April 28, 2025" and as_json["citations"]
    assert printed('tradewire ask "What are US tariffs on Chinese goods?" --as-of').startswith("34%")
    (batch,) = [json.loads(line) for line in printed("tradewire ask --batch").splitlines()]
    assert batch["question"] == "When do the car tariffs take effect?" and not batch["abstained"]
    assert printed("tradewire timeline").startswith("before Jun 4, 2025  25% [1]  →  Jun 4, 2025  50% [1]\n")
    assert "1. U.S. and China agree in Geneva to cut tariffs for 90 days" in printed("tradewire brief")
    latest = printed("tradewire latest")
    assert "U.S. Doubles Steel and Aluminum Tariffs to 50%" in latest and "Canadian election" not in latest
    assert json.loads(printed("tradewire stats --json"))["articles"] == 14
    assert "1" in printed("tradewire watch list") and printed("tradewire watch remove 1")
    assert "Mark Carney" in printed("tradewire demo")
    assert printed("tradewire --help").startswith("Usage: tradewire")
    # the board: what `--on China` printed is in the README's demo board, and that board is the demo's, as written
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = re.search(r"The demo's board, `tradewire tariffs`.*?```\n(.*?)```", readme, re.S)
    assert documented, "the README shows the demo's tariff board"
    board_lines = documented.group(1).splitlines()
    on_china = [line for line in printed("tradewire tariffs --on China").splitlines() if " → " in line]

    def uncited(lines: list[str]) -> set[str]:  # a filtered board numbers its citations anew
        return {re.sub(r" \[[\d, ]+\]$", "", line) for line in lines}

    assert on_china and uncited(on_china) <= uncited(board_lines)
    whole = subprocess.run(["tradewire", "tariffs"], cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert [line for line in whole.stdout.splitlines() if " → " in line] == board_lines
