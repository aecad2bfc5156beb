"""Issue 4 at the level of the whole program: a corrupt database and a second instance.

- The real program started on a profile whose database is garbage: it starts, keeps
  the damaged file as a backup, logs why, answers, and stores the new conversation;
  the composition root (``Runtime``) shows the user a notice naming the backup.
- A second real program on a profile whose first instance is streaming: it exits at
  once saying so (exit 0; 3 with ``--exit-after-reply``), asks the first to come
  forward, sends nothing to the server and opens no database; the first instance's
  reply finishes and the database is intact.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.support.fake_openai import FakeOpenAIServer, Gate, Script, numbered_deltas
from tests.support.run_app import (
    ask_in_background,
    ask_once,
    read_until,
    reaped,
    run_streamchat,
    start_streamchat,
    start_until_ready,
)
from tests.support.waiting import wait_until

GARBAGE = b"this is not a database\n" * 400
DB_NAME = "conversations.sqlite3"


def stop(app: subprocess.Popen[str]) -> int:
    """SIGTERM, as a desktop session ends the program; its exit status."""
    if app.poll() is None:
        app.send_signal(signal.SIGTERM)
        try:
            app.wait(30)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait(10)
    return app.returncode


def logs(profile: Path) -> str:
    return "".join(p.read_text("utf-8") for p in (profile / "logs").glob("*"))


def corrupt_profile(tmp_path: Path) -> Path:
    profile = tmp_path / "profile"
    profile.mkdir()
    (profile / DB_NAME).write_bytes(GARBAGE)
    return profile


@pytest.mark.e2e
def test_the_real_app_starts_on_a_corrupt_database_and_keeps_it_as_a_backup(
    fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    profile = corrupt_profile(tmp_path)
    fake_openai.enqueue(Script(deltas=["fresh ", "start"]))
    result = ask_once(fake_openai.base_url, profile, "after the damage")
    assert (result.returncode, result.stdout) == (0, "fresh start"), result.stderr
    backups = sorted(profile.glob(f"{DB_NAME}.corrupt-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == GARBAGE
    assert "is damaged (file is not a database); moved to" in logs(profile)
    with sqlite3.connect(profile / DB_NAME) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    exported = run_streamchat(profile, "export", "--format", "json")
    assert exported.returncode == 0, exported.stderr
    (conversation,) = json.loads(exported.stdout)["conversations"]
    assert [m["content"] for m in conversation["messages"]] == ["after the damage", "fresh start"]

    app = start_until_ready(profile)  # the window opens on the recovered profile
    try:
        assert app.poll() is None
    finally:
        assert stop(app) == 0
    assert len(list(profile.glob(f"{DB_NAME}.corrupt-*"))) == 1  # nothing more moved


def test_the_user_is_told_where_the_damaged_history_went(
    tmp_path: Path,
    runtime_on: Callable[..., Any],
    fake_openai: FakeOpenAIServer,
    run_async: Callable[..., Any],
) -> None:
    profile = corrupt_profile(tmp_path)
    runtime = runtime_on(profile, "--base-url", fake_openai.base_url, "--model", "m")
    run_async(wait_until(lambda: bool(runtime.window.findChildren(QMessageBox))))
    (backup,) = profile.glob(f"{DB_NAME}.corrupt-*")
    texts = [box.text() for box in runtime.window.findChildren(QMessageBox)]
    assert any("could not be read" in t and str(backup) in t for t in texts), texts
    assert runtime.window.isVisible()


@pytest.mark.e2e
def test_a_second_real_instance_backs_off_and_corrupts_nothing(
    fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    deltas = numbered_deltas(120)
    held = Gate(after=12)  # the first instance streams until the checks are done
    fake_openai.enqueue(Script(deltas=deltas, gate=held))
    profile = tmp_path / "profile"
    first = ask_in_background(fake_openai.base_url, profile, "count slowly")
    with reaped(first):
        assert first.stdout is not None
        read_until(first.stdout, lambda t: t.count(" ") >= 10, timeout=60)  # mid-answer
        second = run_streamchat(profile, "--base-url", fake_openai.base_url, "--model", "m")
        assert second.returncode == 0
        assert "already running with the profile" in second.stderr
        assert "brought forward" in second.stderr
        scripted = ask_once(fake_openai.base_url, profile, "me too")
        assert scripted.returncode == 3 and scripted.stdout == ""
        assert "already running" in scripted.stderr
        assert first.poll() is None, "the first instance keeps running"
        # a reader (``streamchat export``) works beside the running writer (WAL)
        during = run_streamchat(profile, "export", "--format", "json")
        assert during.returncode == 0, during.stderr
        live = json.loads(during.stdout)["conversations"][0]["messages"][-1]
        assert live["state"] == "streaming" and "".join(deltas).startswith(live["content"])
        held.release()
        out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert out.endswith("".join(deltas)[-40:])
    assert len(fake_openai.chat_requests) == 1  # the second instances sent nothing
    with sqlite3.connect(profile / DB_NAME) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    exported = run_streamchat(profile, "export", "--format", "json")
    (conversation,) = json.loads(exported.stdout)["conversations"]
    reply = conversation["messages"][-1]
    assert (reply["state"], reply["content"]) == ("complete", "".join(deltas))
    assert not list(profile.glob(f"{DB_NAME}.corrupt-*"))


@pytest.mark.e2e
def test_a_second_real_instance_brings_the_first_window_forward(
    tmp_path: Path,
    runtime_on: Callable[..., Any],
    fake_openai: FakeOpenAIServer,
    run_async: Callable[..., Any],
) -> None:
    profile = tmp_path / "profile"
    runtime = runtime_on(profile, "--base-url", fake_openai.base_url, "--model", "m")
    runtime.window.showMinimized()
    assert runtime.window.isMinimized()
    asked: list[bool] = []
    runtime.instance.activation_requested.connect(lambda: asked.append(True))
    second = start_streamchat(profile, "--base-url", fake_openai.base_url, "--model", "m")
    run_async(wait_until(lambda: bool(asked) and second.poll() is not None, timeout=60))
    _out, err = second.communicate(timeout=10)
    assert second.returncode == 0 and "brought forward" in err
    assert asked == [True]
    assert not runtime.window.isMinimized() and runtime.window.isVisible()
