"""The real program, SIGKILLed mid-answer and started again: the answer is kept up to
its last checkpoint and marked interrupted (checked through ``streamchat export``)."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from tests.support.fake_openai import FakeOpenAIServer, Gate, Script, numbered_deltas
from tests.support.run_app import ask_in_background, exported, read_until, reaped, start_until_ready

pytestmark = pytest.mark.e2e

HELD_AFTER = 80  # deltas streamed before the server holds the answer


def test_sigkill_mid_answer_then_restart(fake_openai: FakeOpenAIServer, tmp_path: Path) -> None:
    deltas = numbered_deltas(400)
    fake_openai.enqueue(Script(deltas=deltas, gate=Gate(after=HELD_AFTER)))  # never released
    profile = tmp_path / "profile"
    app = ask_in_background(fake_openai.base_url, profile, "count")
    shown = "".join(deltas[:HELD_AFTER])
    with reaped(app):
        read_until(app.stdout, lambda t: t.endswith(shown), timeout=60)
        # the answer is held: wait for the checkpoint that saves all of it, then kill
        deadline = time.monotonic() + 60
        while (last := exported(profile)["conversations"][0]["messages"][-1])["content"] != shown:
            assert time.monotonic() < deadline, f"no checkpoint saved {shown!r}: {last}"
        app.send_signal(signal.SIGKILL)
        app.wait(timeout=10)
    assert (profile / "conversations.sqlite3").exists()

    before = exported(profile)["conversations"][0]["messages"][-1]
    # Nobody has recovered it yet, but no app holds the profile (the lock's owner is
    # dead): the export already shows it as the next start will.
    assert before["state"] == "interrupted"
    assert before["content"] == shown  # what was checkpointed survived the kill

    with reaped(start_until_ready(profile)) as restarted:
        restarted.terminate()
        assert restarted.wait(timeout=20) == 0
    after = exported(profile)["conversations"]
    message = next(m for c in after for m in c["messages"] if m["id"] == before["id"])
    assert message["state"] == "interrupted"
    assert message["content"] == before["content"]
