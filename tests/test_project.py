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


def test_readme_opening_names_every_bot_command():
    """The README's opening paragraph lists the bot's commands: every one the client registers, a group with its
    subcommands (`/feeds add|list|remove`), and each is in the bot's command table too."""
    import discord
    from discord import app_commands

    from bot.discord_bot import GROUPS

    tree = app_commands.CommandTree(discord.Client(intents=discord.Intents.none()))
    for group in GROUPS:
        group.register(tree)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    opening = readme.split("## Usage", 1)[0].split("The Discord bot", 1)[1]
    table = readme.split("## Discord bot", 1)[1].split("Admin commands", 1)[0]
    for command in tree.get_commands():
        if isinstance(command, app_commands.Group):
            subcommands = [sub.name for sub in command.commands]
            assert f"`/{command.name} {'|'.join(subcommands)}`" in opening, command.name
            for sub in subcommands:
                assert f"`/{command.name} {sub}" in table, (command.name, sub)
        else:
            assert f"`/{command.name}`" in opening, command.name
            assert f"`/{command.name}" in table, command.name
    assert len(tree.get_commands()) == 10
