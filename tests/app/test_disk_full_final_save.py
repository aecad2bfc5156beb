"""The disk fills up before a reply's final save (a real tmpfs, full to the last byte):
the transcript, the sidebar and the companion view still show the final text and how
the reply ended, and the reply is saved as soon as space returns."""

from __future__ import annotations

import errno
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from streamchat_desktop.companion import protocol as p
from streamchat_desktop.core import reply_saver
from streamchat_desktop.core.models import Message, MessageState
from streamchat_desktop.storage.repository import SqliteStore
from streamchat_desktop.ui.sidebar_roles import STREAMING_ROLE
from tests.app.conftest import Chat
from tests.support.fake_openai import FakeOpenAIServer, Script
from tests.support.fake_openai_gate import Gate
from tests.support.waiting import wait_until


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs of its own (needs root, as CI has); skipped where it cannot mount."""
    mount = shutil.which("mount")
    point = tmp_path / "disk"
    point.mkdir()
    if mount is None:
        pytest.skip("no mount command: cannot make a small real disk to fill")
    done = subprocess.run(
        [mount, "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(point)],
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)


def fill(directory: Path) -> Path:
    """Write zeros until the disk says it is full; the file holding them."""
    filler = directory / "filler"
    block = b"\0" * 4096
    with filler.open("wb", buffering=0) as out:
        while True:
            try:
                out.write(block)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
                break
    return filler


def test_a_full_disk_at_the_final_save_shows_the_final_reply_and_saves_it_later(
    small_disk: Path,
    open_chat: Callable[[SqliteStore], Chat],
    fake_openai: FakeOpenAIServer,
    qtbot: Any,
    run_async: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reply_saver, "SAVE_RETRY_INTERVAL", 0.05)
    store = SqliteStore.open(small_disk / "conversations.sqlite3")
    chat = open_chat(store)
    window, controller, viewer = chat.opened.window, chat.opened.controller, chat.viewer
    service = controller.service
    words = [f"word{i} " * 20 for i in range(600)]  # ≈ 70k characters, more than fits
    gate = Gate(after=0)
    fake_openai.enqueue(Script(deltas=words, finish_reason="length", gate=gate))
    ended: list[Message] = []
    controller.reply_ended.connect(lambda _cid, message, _stats: ended.append(message))

    window.composer.setPlainText("A long one")
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)
    reply = controller.streaming_reply()
    assert reply is not None
    filler = fill(small_disk)  # the reply is held at the gate: nothing of it is saved
    gate.release()

    def finished_payload() -> Any:
        return next((d for n, d in viewer.events if n == p.MESSAGE_FINISHED), None)

    run_async(wait_until(lambda: bool(ended) and finished_payload() is not None, timeout=30))
    full = "".join(words)
    (final,) = ended
    assert (final.state, final.finish_reason, final.content) == (
        MessageState.COMPLETE,
        "length",
        full,
    )
    assert service.unsaved_messages() == [final]  # the disk is full: not saved yet
    saved = store.get_message(reply.id)
    assert saved is not None and saved.state is MessageState.STREAMING
    assert window.transcript.reply_text(reply.id) == full
    assert "Cut at the token limit" in window.transcript.toPlainText()
    assert "cut at the token limit" in window.stats_label.text()
    sidebar = window.history.sidebar
    row = sidebar.list.item(sidebar.visible_ids().index(reply.conversation_id) + 1)
    assert row.data(STREAMING_ROLE) is False
    assert viewer.replies[reply.id].text == full
    assert finished_payload()["state"] == "complete"
    assert finished_payload()["finish_reason"] == "length"

    filler.unlink()  # space again
    run_async(wait_until(lambda: not service.unsaved_messages(), timeout=10))
    saved = store.get_message(reply.id)
    assert saved is not None
    assert (saved.state, saved.finish_reason, saved.content) == (
        MessageState.COMPLETE,
        "length",
        full,
    )
    store.close()
