"""Issue 2: anything that is not a known error kind is a bug — logged with its traceback,
shown in an error dialog, and the app keeps running.

In-process: the reply that hit the bug ends once (failed, kind ``internal``, text kept)
and the bug reaches the loop's exception handler at once, not whenever the cyclic GC
runs; the handlers ``app.py`` installs log the traceback (key scrubbed), open the dialog
and leave the loop running. The real program: a bug injected into the provider
adapter is logged with its traceback, the reply is stored as failed, the app stays up
and quits cleanly on SIGTERM.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from streamchat_desktop.app.launch import _install_excepthook, _install_loop_bug_handler
from streamchat_desktop.config.logging_setup import register_secret, setup_logging
from streamchat_desktop.core.chat_service import ChatService, ChatTarget
from streamchat_desktop.core.events import StreamEvent, TextDelta
from streamchat_desktop.core.models import ChatRequest, MessageState
from streamchat_desktop.core.store import MemoryStore
from tests.support.fake_openai import FakeOpenAIServer, Script
from tests.support.run_app import app_env, reaped, run_streamchat
from tests.support.waiting import poll_external_fact, wait_until

RunAsync = Callable[..., Any]
SECRET = "sk-audit-never-shown-4f1e2d3c"
DIALOG_TITLE = "StreamChat — unexpected error"
ROOT = Path(__file__).resolve().parents[2]


class InjectedBugError(Exception):
    """Stands for a programming error (not a ChatError)."""


async def buggy_stream(_request: ChatRequest) -> AsyncIterator[StreamEvent]:
    yield TextDelta("kept ")
    yield TextDelta("text ")
    raise InjectedBugError(f"broken with {SECRET}")


def bug_dialogs() -> list[QMessageBox]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.windowTitle() == DIALOG_TITLE and w.isVisible()
    ]


@pytest.fixture
def bug_handlers(qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Path]:
    """The app's bug handlers and log file, installed for one test, then taken back."""
    log_file = tmp_path / "streamchat.log"
    saved_hook, saved_handler = sys.excepthook, qloop.get_exception_handler()
    root = logging.getLogger()
    saved_level = root.level
    setup_logging(log_file)
    _install_excepthook(str(log_file))
    _install_loop_bug_handler(qloop, str(log_file))
    try:
        yield log_file
    finally:
        sys.excepthook = saved_hook
        qloop.set_exception_handler(saved_handler)
        for handler in [h for h in root.handlers if getattr(h, "_streamchat", False)]:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(saved_level)
        for box in bug_dialogs():
            box.close()


def test_a_bug_in_a_reply_ends_it_once_and_is_reported_at_once(
    qloop: asyncio.AbstractEventLoop, run_async: RunAsync
) -> None:
    reported: list[dict[str, Any]] = []
    saved = qloop.get_exception_handler()
    qloop.set_exception_handler(lambda _loop, context: reported.append(context))
    service = ChatService(MemoryStore(), lambda _c: ChatTarget(buggy_stream, "m"))
    conversation = service.new_conversation()
    collecting = gc.isenabled()  # off in the whole suite (main_thread_gc)
    gc.disable()  # the report must not depend on the cyclic GC collecting the task
    try:

        async def scenario() -> None:
            reply = service.send(conversation.id, "hi")
            await wait_until(lambda: not service.is_streaming(reply.id))
            await wait_until(lambda: bool(reported))  # no GC needed (it is off)

        run_async(scenario())
    finally:
        if collecting:
            gc.enable()
        qloop.set_exception_handler(saved)
    assert len(reported) == 1
    assert isinstance(reported[0]["exception"], InjectedBugError)
    stored = service.messages(conversation.id)[-1]
    assert stored.state is MessageState.FAILED
    assert stored.error_kind == "internal"
    assert stored.content == "kept text "
    assert "unexpected error" in (stored.error_message or "")


def test_the_app_handlers_log_show_a_dialog_and_keep_the_loop_running(
    bug_handlers: Path, qloop: asyncio.AbstractEventLoop, run_async: RunAsync
) -> None:
    register_secret(SECRET)
    service = ChatService(MemoryStore(), lambda _c: ChatTarget(buggy_stream, "m"))
    conversation = service.new_conversation()

    async def a_bug_in_a_reply() -> None:
        service.send(conversation.id, "hi")
        await wait_until(lambda: len(bug_dialogs()) == 1)

    run_async(a_bug_in_a_reply())

    def broken_slot() -> None:
        raise InjectedBugError(f"a slot broke, key {SECRET}")

    async def a_bug_in_a_qt_slot() -> None:
        QTimer.singleShot(0, broken_slot)  # PySide6 hands it to sys.excepthook
        await wait_until(lambda: len(bug_dialogs()) == 2)

    run_async(a_bug_in_a_qt_slot())

    for box in bug_dialogs():
        assert "app keeps running" in box.text()
        assert "InjectedBugError" in box.informativeText()
        assert str(bug_handlers) in box.informativeText()  # where the details are
        assert "Traceback" in box.detailedText()
        assert not box.isModal()
        for text in (box.text(), box.informativeText(), box.detailedText()):
            assert SECRET not in text
    log_text = bug_handlers.read_text(encoding="utf-8")
    assert log_text.count("unexpected error") >= 2
    assert "Traceback (most recent call last)" in log_text
    assert "buggy_stream" in log_text and "broken_slot" in log_text
    assert SECRET not in log_text

    # the loop keeps running: the next reply streams and finishes normally
    async def works(_request: ChatRequest) -> AsyncIterator[StreamEvent]:
        yield TextDelta("fine")

    fine = ChatService(MemoryStore(), lambda _c: ChatTarget(works, "m"))
    other = fine.new_conversation()

    async def next_reply() -> None:
        reply = fine.send(other.id, "again")
        await wait_until(lambda: not fine.is_streaming(reply.id))

    run_async(next_reply())
    assert fine.messages(other.id)[-1].content == "fine"


# The real program with a bug injected into the provider adapter's chunk mapping.
LAUNCHER = """
import sys
from streamchat_desktop.providers import openai_compat
real = openai_compat.chunk_events
def chunk_events(chunk):
    events = real(chunk)
    if any(getattr(event, "text", "") == "BUG" for event in events):
        raise LookupError("injected bug")
    return events
openai_compat.chunk_events = chunk_events
from streamchat_desktop.cli.main import main
sys.exit(main())
"""


@pytest.mark.e2e
def test_the_real_app_survives_a_bug_and_logs_its_traceback(
    fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    fake_openai.enqueue(Script(deltas=["before ", "BUG", " after"]))
    profile = tmp_path / "profile"
    log_file = profile / "logs" / "streamchat.log"

    def log_text() -> str:
        return "".join(p.read_text("utf-8") for p in sorted(log_file.parent.glob("*.log*")))

    app = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, "--profile", str(profile),
         "--base-url", fake_openai.base_url, "--model", "m", "--prompt", "go"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=app_env(),
    )  # fmt: skip
    with reaped(app):
        poll_external_fact(
            lambda: log_file.parent.exists() and "LookupError" in log_text(), 60, "the log"
        )
        # the app keeps running after the bug: its loop still answers a second launch
        second = run_streamchat(profile, "--base-url", fake_openai.base_url, "--model", "m")
        assert second.returncode == 0 and "brought forward" in second.stderr, second.stderr
        assert app.poll() is None
        app.send_signal(signal.SIGTERM)
        _out, err = app.communicate(timeout=30)
    assert app.returncode == 0, err
    logged = log_text()
    assert "unexpected error" in logged
    assert "Traceback (most recent call last)" in logged and "injected bug" in logged
    assert "StreamChat stopped" in logged  # the normal shutdown ran after the bug

    exported = run_streamchat(profile, "export", "--format", "json")
    assert exported.returncode == 0, exported.stderr
    messages = json.loads(exported.stdout)["conversations"][0]["messages"]
    reply = messages[-1]
    assert (reply["state"], reply["error_kind"]) == ("failed", "internal")
    assert reply["content"] == "before "
    assert os.path.getsize(profile / "conversations.sqlite3") > 0
