"""``streamchat export … | head -c 10``: the reader closes the pipe early, and the export
stops quietly with the code the standard tools get (141), not a BrokenPipeError.

Only a write that finds the reader gone fails (one already blocked on a full pipe is cut
short without an error, by Python's buffered writer): the test closes the read end first,
so every run takes the path that used to end in a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from streamchat_desktop.cli import exit_codes
from streamchat_desktop.storage import SqliteStore
from tests.support.app_log import at_least
from tests.support.fake_openai import FakeOpenAIServer, Script
from tests.support.fake_openai_fixtures import fake_openai  # noqa: F401
from tests.support.fake_openai_gate import Gate
from tests.support.run_app import app_env
from tests.support.sqlite_fixtures import add_turns


def test_an_export_whose_reader_is_gone_ends_quietly(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    store = SqliteStore.open(profile / "conversations.sqlite3")
    for i in range(3):
        add_turns(store, [(f"question {i}", f"answer {i} " + "word " * 1000)])
    store.close()
    for command in (
        ["export", "--format", "md"],
        ["export", "--format", "json"],
        ["export", "--list"],
    ):
        # `head -c 10` already gone: the pipe has no reader left when the export writes
        reader, writer = os.pipe()
        os.close(reader)
        try:
            export = subprocess.run(
                [sys.executable, "-m", "streamchat_desktop", "--profile", str(profile), *command],
                stdout=writer, stderr=subprocess.PIPE, text=True, env=app_env(), timeout=60,
                check=False,
            )  # fmt: skip
        finally:
            os.close(writer)
        assert (export.returncode, export.stderr) == (exit_codes.READER_GONE, ""), command


def test_a_scripted_reply_whose_reader_is_gone_ends_quietly(
    fake_openai: FakeOpenAIServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    """``streamchat --prompt … --exit-after-reply | head`` ends at once with 141; before,
    every delta logged a BrokenPipeError traceback and the exit code said 0."""
    fake_openai.enqueue(Script(deltas=[f"w{i} " for i in range(200)], gate=Gate(after=100)))
    reader, writer = os.pipe()
    os.close(reader)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "streamchat_desktop", "--profile", str(tmp_path),
             "--base-url", fake_openai.base_url, "--model", "m", "--prompt", "count",
             "--exit-after-reply"],
            stdout=writer, stderr=subprocess.PIPE, text=True, env=app_env(), timeout=120,
            check=False,
        )  # fmt: skip
    finally:
        os.close(writer)
    assert (result.returncode, result.stderr) == (exit_codes.READER_GONE, "")
    assert at_least("WARNING", tmp_path / "logs" / "streamchat.log") == []
