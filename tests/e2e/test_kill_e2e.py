"""The real program, SIGKILLed mid-answer and started again: the answer is kept up to
its last checkpoint and marked interrupted (checked through ``streamchat export``)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.fake_openai import FakeOpenAIServer, Gate, Script, numbered_deltas
from tests.support.run_app import read_until, reaped

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
HELD_AFTER = 80  # deltas streamed before the server holds the answer


def env() -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    return {**clean, "QT_QPA_PLATFORM": "offscreen", "STREAMCHAT_REPORT_READY": "1"}


def launch(profile: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "streamchat_desktop", "--profile", str(profile), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(),
    )


def export(profile: Path) -> dict[str, Any]:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "streamchat_desktop",
            "export",
            "--profile",
            str(profile),
            "--format",
            "json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env(),
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_sigkill_mid_answer_then_restart(fake_openai: FakeOpenAIServer, tmp_path: Path) -> None:
    deltas = numbered_deltas(400)
    fake_openai.enqueue(Script(deltas=deltas, gate=Gate(after=HELD_AFTER)))  # never released
    profile = tmp_path / "profile"
    app = launch(
        profile,
        "--base-url",
        fake_openai.base_url,
        "--model",
        "m",
        "--prompt",
        "count",
        "--exit-after-reply",
    )
    shown = "".join(deltas[:HELD_AFTER])
    with reaped(app):
        read_until(app.stdout, lambda t: t.endswith(shown), timeout=60)
        # the answer is held: wait for the checkpoint that saves all of it, then kill
        deadline = time.monotonic() + 60
        while (last := export(profile)["conversations"][0]["messages"][-1])["content"] != shown:
            assert time.monotonic() < deadline, f"no checkpoint saved {shown!r}: {last}"
        app.send_signal(signal.SIGKILL)
        app.wait(timeout=10)
    assert (profile / "conversations.sqlite3").exists()

    before = export(profile)["conversations"][0]["messages"][-1]
    # Nobody has recovered it yet, but no app holds the profile (the lock's owner is
    # dead): the export already shows it as the next start will.
    assert before["state"] == "interrupted"
    assert before["content"] == shown  # what was checkpointed survived the kill

    restarted = launch(profile)
    try:
        read_until(restarted.stderr, lambda t: "STREAMCHAT_STARTED" in t, timeout=60)
    finally:
        restarted.terminate()
        restarted.wait(timeout=20)
    after = export(profile)["conversations"]
    message = next(m for c in after for m in c["messages"] if m["id"] == before["id"])
    assert message["state"] == "interrupted"
    assert message["content"] == before["content"]
