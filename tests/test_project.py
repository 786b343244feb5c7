"""The README's two set-up commands are the ones CI runs, and the packaging ships what the CLI needs."""

from __future__ import annotations

import re

from bot.cli import DEMO_DIR
from tests.conftest import ROOT


def readme_commands() -> list[str]:
    block = re.search(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_two_commands_and_ci_runs_the_test_one():
    demo, tests = readme_commands()
    assert demo.endswith("tradewire demo") and "torch==2.13.0" in demo
    assert tests.endswith("python -m pytest")
    ci = (ROOT / ".ci" / "run").read_text()
    assert tests in ci.splitlines()


def test_demo_corpus_covers_every_reader():
    suffixes = {p.suffix for p in DEMO_DIR.rglob("*") if p.is_file()}
    assert {".txt", ".md", ".jsonl", ".xml"} <= suffixes
    assert "demo/*" in (ROOT / "pyproject.toml").read_text()
