"""bot/ has no import circle: the client (bot.discord_bot) is at the top and nothing in bot/ imports it, not even
for type hints; the commands, buttons and answering flow reach it through `interaction.client` (the Client protocol
of bot.commands.common)."""

from __future__ import annotations

import ast
import subprocess
import sys

from tests.conftest import ROOT

BOT = ROOT / "bot"


def module_name(path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def bot_imports() -> dict[str, set[str]]:
    """Each bot module and the bot modules it imports anywhere: at the top, in functions, under TYPE_CHECKING."""
    modules = {module_name(path): path for path in BOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from the package, one level up per dot after the first
                    parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{parent}.{base}" if base else parent
                targets.add(base)
                targets.update(f"{base}.{alias.name}" for alias in node.names)  # `from bot import embeds`
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def test_the_import_graph_finds_the_modules_and_their_imports():
    graph = bot_imports()
    assert {"bot.discord_bot", "bot.views", "bot.answerer", "bot.commands.watches"} <= set(graph)
    assert {"bot.views", "bot.answerer", "bot.commands.watches"} <= graph["bot.discord_bot"]
    assert "bot.views" in graph["bot.answerer"]


def test_no_module_in_bot_imports_the_client():
    graph = bot_imports()
    importers = sorted(name for name, targets in graph.items() if "bot.discord_bot" in targets)
    assert importers == ["bot.cli"]  # `tradewire serve` starts it, inside the command


def test_bot_has_no_import_circle():
    graph = bot_imports()
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            raise AssertionError("import circle: " + " -> ".join([*path[path.index(name) :], name]))
        if name in done:
            return
        for target in sorted(graph[name]):
            visit(target, [*path, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])


def test_the_commands_views_and_answering_flow_load_without_the_client():
    modules = [
        "bot.answerer",
        "bot.views",
        "bot.commands.briefs",
        "bot.commands.feeds",
        "bot.commands.questions",
        "bot.commands.timeline",
        "bot.commands.watches",
    ]
    code = f"import sys\nfor m in {modules!r}: __import__(m)\nprint('bot.discord_bot' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "False"
