"""Issue 4: disk full while an answer streams, in the app as ``Runtime`` composes it:
the error is shown, the whole answer stays on screen, and it is saved once there is
space again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from streamchat_desktop.core import reply_saver
from streamchat_desktop.core.models import MessageState
from tests.support.fake_openai import FakeOpenAIServer, Script
from tests.support.waiting import wait_until


def test_disk_full_mid_answer_is_shown_the_text_stays_and_is_saved_later(
    tmp_path: Path,
    runtime_on: Callable[..., Any],
    fake_openai: FakeOpenAIServer,
    run_async: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reply_saver, "SAVE_RETRY_INTERVAL", 0.05)
    words = [f"word{i} " * 30 for i in range(300)]  # ≈ 80 KB: more than the free pages
    fake_openai.enqueue(Script(deltas=words, delay=0.001))
    runtime = runtime_on(tmp_path / "profile", "--base-url", fake_openai.base_url, "--model", "m")
    window, store = runtime.window, runtime.store
    assert window._controller.send("talk")
    reply = window._controller.streaming_reply()
    assert reply is not None
    with store._db.read() as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {int(pages)}")  # the disk is now full

    def notices() -> list[str]:
        return [box.text() for box in window.findChildren(QMessageBox)]

    async def scenario() -> None:
        await wait_until(lambda: not runtime.service.is_streaming(reply.id))
        await wait_until(lambda: any("full" in n for n in notices()))
        assert runtime.service.unsaved_messages()
        stored = store.get_message(reply.id)
        assert stored is None or stored.content != "".join(words)
        with store._db.read() as conn:
            conn.execute("PRAGMA max_page_count = 1073741823")  # space again
        await wait_until(lambda: not runtime.service.unsaved_messages())

    run_async(scenario(), timeout=40)
    (notice,) = [n for n in notices() if "full" in n]
    assert "stays on screen" in notice
    assert window.transcript.reply_text(reply.id).split() == "".join(words).split()
    saved = store.get_message(reply.id)
    assert saved is not None and saved.state is MessageState.COMPLETE
    assert saved.content == "".join(words)
