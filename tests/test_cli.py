"""The command line as a user meets it, through the installed `tradewire` entry point: usage mistakes, errors
at run time, a read-only home, PyTorch left unloaded, the progress bar on a terminal and only there."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

ENTRY = Path(sys.executable).parent / "tradewire"
LUMBER = "What would the combined duty on Canadian lumber rise to?"  # tests/fixtures/wire-tariff-pause.txt: 34.5%

pytestmark = pytest.mark.skipif(not ENTRY.exists(), reason=f"the tradewire entry point is not installed ({ENTRY})")


def tradewire(*args: str, home: Path, stdin: bytes | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(ENTRY), *args],
        capture_output=True,
        input=stdin,
        env={**os.environ, "TRADEWIRE_HOME": str(home), **env},
        timeout=300,
    )
    return subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout.decode(), result.stderr.decode(errors="replace")
    )


def snapshot(home: Path) -> dict[str, tuple[int, int]]:
    """Every file under `home` with its size and modification time."""
    return {str(p.relative_to(home)): (p.stat().st_size, p.stat().st_mtime_ns) for p in home.rglob("*")}


def assert_one_error_line(result: subprocess.CompletedProcess[str], code: int, prefix: str) -> str:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith(prefix)]
    assert len(errors) == 1, result.stderr
    return errors[0]


USAGE_MISTAKES = [
    ("latest", "-n", "0"),
    ("latest", "-n", "1000000"),
    ("latest", "-n", "abc"),
    ("stats", "--csv"),
    ("ask", "--foo", "x"),
    ("ask", "x", "--json", "true"),
    ("ask", "x", "--batch", "questions.jsonl"),
    ("ask",),
    ("ask", ""),
    ("ask", "   "),
    ("ingest",),
    ("timeline", "x", "--png", "."),  # a directory is no picture file
    ("frobnicate",),
]


@pytest.mark.parametrize("args", USAGE_MISTAKES, ids=" ".join)
def test_usage_mistakes_print_usage_and_one_error_line_and_exit_2(tmp_path, args):
    home = tmp_path / "home"
    home.mkdir()
    result = tradewire(*args, home=home)
    assert_one_error_line(result, 2, "Error: ")
    assert "Usage: tradewire" in result.stderr and "--help" in result.stderr
    assert result.stdout == "" and snapshot(home) == {}  # nothing opened, nothing made


def test_blank_questions_get_the_same_message(tmp_path):
    messages = {tradewire("ask", q, home=tmp_path).stderr for q in ("", "   ")}
    assert len(messages) == 1 and "QUESTION" in messages.pop()


def test_no_command_shows_help_and_version_is_known(tmp_path):
    bare = tradewire(home=tmp_path)
    assert bare.returncode == 2 and "Commands:" in bare.stderr and "ask" in bare.stderr
    version = tradewire("--version", home=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("tradewire ")
    flags = tradewire("ask", "--help", home=tmp_path).stdout
    assert "--json" in flags and "<bool>" not in flags and "BOOLEAN" not in flags


def test_runtime_errors_are_one_line_and_exit_1(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    missing = tradewire("ask", "--batch", str(tmp_path / "nope.jsonl"), home=home)
    assert "no such file" in assert_one_error_line(missing, 1, "error: ")
    folder = tradewire("ask", "--batch", str(tmp_path), home=home)
    assert "is a directory" in assert_one_error_line(folder, 1, "error: ")
    bad_date = tradewire("ask", "Anything?", "--as-of", "not a date at all", home=home)
    assert "date" in assert_one_error_line(bad_date, 1, "error: ")
    assert snapshot(home) == {}

    afile = tmp_path / "afile"
    afile.write_text("not a directory")
    for args in (("stats",), ("latest",), ("ingest", str(FIXTURES / "article.md"))):
        result = tradewire(*args, home=afile)
        assert "not a directory" in assert_one_error_line(result, 1, "error: ")
    assert afile.read_text() == "not a directory"


# --- with the real model --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built_home(tmp_path_factory) -> Path:
    """A knowledge base made by `tradewire ingest` from our fixtures."""
    home = tmp_path_factory.mktemp("cli") / "home"
    result = tradewire("ingest", "-q", str(FIXTURES), home=home)
    assert result.stdout.startswith("added "), result.stderr
    return home


@pytest.mark.model
def test_ask_never_imports_pytorch(built_home):
    """With the int8 encoder's graph and recipe cached, answering loads neither PyTorch nor sentence-transformers
    (they cost seconds and hundreds of MB at every start)."""
    result = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "bot.cli",
            "ask",
            LUMBER,
            "--json",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "TRADEWIRE_HOME": str(built_home)},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout)["answer"] == "34.5%"
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "onnxruntime" in imported and "faiss" in imported  # the measurement works
    heavy = {"torch", "sentence_transformers", "transformers", "discord", "feedparser", "trafilatura", "matplotlib"}
    assert not imported & heavy


@pytest.mark.model
def test_a_question_over_the_limit_is_one_line_and_a_huge_batch_line_is_never_read_whole(built_home):
    long_question = "Why " + "tariffs " * 12_000 + "?"  # 96,005 characters, as `ask` reads it
    result = tradewire("ask", long_question, home=built_home)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    said = [line for line in result.stderr.splitlines() if line.strip()]
    assert said == ["error: the question is 96,005 characters; the limit is 500"]
    huge = json.dumps({"question": "What is the duty? " * 200_000}).encode()  # 3.6 MB on one line
    stdin = huge + b'\n{"question": "When did the tariff pause end?"}\n' + json.dumps({"question": "x" * 501}).encode()
    result = tradewire("ask", "--batch", "-", home=built_home, stdin=stdin)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0] == {"line": 1, "error": "the line is over 8,192 bytes: too long for a question"}
    assert lines[1]["question"] == "When did the tariff pause end?"
    assert lines[2] == {"line": 3, "error": "the question is 501 characters; the limit is 500"}
    assert len(result.stderr) < 2_000  # no echo of the line


@pytest.mark.model
def test_batch_reports_a_bad_line_and_goes_on(built_home):
    stdin = b'{"question": "When did the tariff pause end?"}\n\xff\xfe not text\n{"question": 5}\n\nWhen?\n'
    result = tradewire("ask", "--batch", "-", home=built_home, stdin=stdin)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert lines[0]["question"] == "When did the tariff pause end?"
    assert lines[1] == {"line": 2, "error": "not UTF-8 text (byte 0xff)"}
    assert lines[2]["line"] == 3
    assert lines[3] == {"line": 5, "error": "not JSON (expecting value at column 1)"} and len(lines) == 4
    told = [line for line in result.stderr.splitlines() if line.startswith("line ")]
    assert told[0] == "line 2: not UTF-8 text (byte 0xff)"
    assert told[-1] == "line 5: not JSON (expecting value at column 1)"


@pytest.mark.model
def test_latest_and_ask_give_the_same_file_url(built_home):
    latest = json.loads(tradewire("latest", "-n", "100", "--json", home=built_home).stdout)
    urls = {item["article_id"]: item["url"] for item in latest}
    answer = json.loads(tradewire("ask", LUMBER, "--json", home=built_home).stdout)
    local = [c for c in answer["citations"] if c["url"].startswith("file://")]
    assert local and all(urls.get(c["article_id"], c["url"]) == c["url"] for c in local)
    wires = [url for article_id, url in urls.items() if article_id.startswith("nw-")]  # files with no URL
    assert len(wires) == 2 and all(url.startswith("file:///") and url.endswith(".txt") for url in wires)


@contextlib.contextmanager
def read_only(home: Path):
    """`home` made read-only: a read-only bind mount as root (a shared volume), else `chmod` (a non-root user
    cannot write where the mode says no)."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [home, *home.rglob("*")]}
        for p in modes:
            p.chmod(modes[p] & ~0o222)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
        return
    mount = shutil.which("mount")
    made = mount and subprocess.run(["mount", "--bind", str(home), str(home)], capture_output=True).returncode == 0
    if not made:
        pytest.skip("running as root without permission to make a read-only mount")
    try:
        if subprocess.run(["mount", "-o", "remount,ro,bind", str(home)], capture_output=True).returncode:
            pytest.skip("cannot remount read-only here")
        yield
    finally:
        subprocess.run(["umount", str(home)], check=True)


@pytest.mark.model
def test_a_read_only_home_answers_and_refuses_to_ingest(built_home, tmp_path):
    home = tmp_path / "shared"
    shutil.copytree(built_home, home)
    before = snapshot(home)
    with read_only(home):
        with pytest.raises(OSError):
            (home / "probe").write_text("x")
        answer = tradewire("ask", LUMBER, "--json", home=home)
        assert answer.returncode == 0, answer.stderr
        assert not json.loads(answer.stdout)["abstained"]
        latest = tradewire("latest", "--json", home=home)
        assert latest.returncode == 0 and json.loads(latest.stdout)
        stats = tradewire("stats", "--json", home=home)
        assert stats.returncode == 0 and json.loads(stats.stdout)["passages"] > 0
        ingest = tradewire("ingest", str(FIXTURES / "article.md"), home=home)
        assert "not writable" in assert_one_error_line(ingest, 1, "error: ")
        assert snapshot(home) == before


@pytest.mark.model
def test_progress_bar_on_a_terminal_only(built_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(built_home, home)
    (tmp_path / "more.md").write_text("# Gadget duties\n\nThe duty on gadgets doubled to 30% on Monday.\n")
    main, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            [str(ENTRY), "ingest", str(tmp_path / "more.md")],
            stdout=subprocess.PIPE,
            stderr=terminal,
            env={**os.environ, "TRADEWIRE_HOME": str(home)},
        )
        os.close(terminal)
        seen = b""
        while True:
            ready, _, _ = select.select([main], [], [], 120)
            if not ready:
                break
            try:
                chunk = os.read(main, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            seen += chunk
        out, _ = process.communicate(timeout=120)
    finally:
        os.close(main)
    assert process.returncode == 0 and out.decode().startswith("added 1,")
    assert b"ingest:" in seen and b"items" in seen  # tqdm's bar, drawn on the terminal

    piped = tradewire("ingest", str(tmp_path / "more.md"), home=home)
    assert piped.returncode == 0 and piped.stderr == "" and piped.stdout.startswith("added 0, updated 0, unchanged 1")


def test_status_line_shows_slow_steps_only_and_wipes_itself():
    import io
    import time

    from bot.terminal import StatusLine

    stream = io.StringIO()
    show = StatusLine(stream, delay=0.3)
    with show("quick step"):
        time.sleep(0.05)
    assert stream.getvalue() == ""  # done before the delay: nothing drawn
    with show("loading the embedding model"):
        with show("building the int8 encoder graph"):
            time.sleep(1.0)  # well past the delay, even on a busy machine
    drawn = stream.getvalue()
    assert "building the int8 encoder graph…" in drawn  # the innermost step is named
    assert drawn.endswith("\r\x1b[K")  # and the line is wiped when the outer step ends


def test_empty_settings_mean_the_defaults(monkeypatch):
    """`TRADEWIRE_CACHE= tradewire ...` must not put the cache (or the home) in the current directory."""
    from bot.settings import Settings

    monkeypatch.setenv("TRADEWIRE_CACHE", "")
    monkeypatch.setenv("TRADEWIRE_HOME", "")
    settings = Settings()
    assert settings.cache is None and settings.home.is_absolute() and settings.home.name == "tradewire"


@pytest.mark.model
def test_a_feed_entry_whose_page_is_refused_is_said_counted_and_marked(tmp_path):
    """A feed on a private address: the operator typed it, so it is read, but its entry's page is refused by
    the private-address policy. The refusal is one line with the setting that lifts it, the summary counts it,
    and `stats` and `latest` show the story as summary only."""
    from tests.newssite import ITEMS, NewsSite

    site = NewsSite()
    try:
        url = site.publish("wire", ITEMS[0])
        home = tmp_path / "home"
        result = tradewire("ingest", "-q", url, home=home, TRADEWIRE_ALLOW_PRIVATE_FEEDS="false")
        assert site.requests[f"/story/{ITEMS[0].slug}"] == 0
    finally:
        site.close()
    assert result.returncode == 0, result.stderr
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("summary only")]
    assert line == (
        f"summary only {ITEMS[0].title!r} ({site.base}/story/{ITEMS[0].slug}): its page was not read: refused: "
        "127.0.0.1 is a private or local address (127.0.0.1); set TRADEWIRE_ALLOW_PRIVATE_FEEDS=true to allow it"
    )
    assert result.stdout.strip() == (
        "added 1, updated 0, unchanged 0, merged 0 (same story, another source), skipped 0 — 1 passage embedded; "
        "1 with the feed's summary only (page not read)"
    )
    assert json.loads(tradewire("stats", "--json", home=home).stdout)["summary_only"] == 1
    assert "summary only (its page could not be read)" in tradewire("latest", home=home).stdout


@pytest.mark.model
def test_timeline_prints_the_steps_and_their_json(tmp_path):
    home = tmp_path / "home"
    stories = Path(__file__).resolve().parent / "watch_stories"
    assert tradewire("ingest", "-q", str(stories), home=home).returncode == 0
    result = tradewire("timeline", "What is the tariff on imported widgets?", "--json", home=home)
    assert result.returncode == 0, result.stderr
    steps = json.loads(result.stdout)["steps"]
    assert [(s["reported"], s["answer"]) for s in steps] == [
        ("2025-07-07", "25%"),
        ("2025-08-01", "15%"),
        ("2025-09-02", "40%"),
    ]
    since = tradewire("timeline", "What is the tariff on imported widgets?", "--since", "2025-08-01", home=home)
    first = "before Aug 1, 2025  25% [1]  →  Aug 1, 2025  15% [1][2]  →  Sep 2, 2025  40% [3]\n"
    assert since.stdout.startswith(first)  # the Aug 1 report says it cut the rate from 25%
    assert_one_error_line(tradewire("timeline", " ", home=home), 2, "Error:")


@pytest.mark.model
def test_brief_prints_the_days_events_and_their_json(tmp_path):
    home = tmp_path / "home"
    stories = Path(__file__).resolve().parent / "brief_stories"
    assert tradewire("ingest", "-q", str(stories), home=home).returncode == 0
    day = ("--since", "2025-09-08", "--until", "2025-09-08")
    result = tradewire("brief", *day, "--json", home=home)
    assert result.returncode == 0, result.stderr
    events = json.loads(result.stdout)["events"]
    assert len(events) == 3 and len(events[0]["sources"]) == 3 and events[0]["headline"].startswith("Strike")
    text = tradewire("brief", *day, "--topic", "rice", home=home).stdout
    assert text.splitlines()[2] == "1. Japan raises rice import quota — 1 source"


def test_a_brief_period_is_hours_days_or_a_date():
    from datetime import UTC, datetime

    from bot.cli import _period_start

    end = datetime(2025, 9, 10, 12, tzinfo=UTC)
    assert _period_start("24h", end) == datetime(2025, 9, 9, 12, tzinfo=UTC)
    assert _period_start("3d", end) == datetime(2025, 9, 7, 12, tzinfo=UTC)
    assert _period_start("2025-09-08", end) == datetime(2025, 9, 8, tzinfo=UTC)
