"""The real window against the tests' OpenAI-compatible server, through the real SDK."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt

from streamchat_desktop.core.models import MessageState
from streamchat_desktop.core.store import MemoryStore
from streamchat_desktop.ui.main_window import MainWindow
from tests.support.fake_openai import (
    FakeOpenAIServer,
    Gate,
    Script,
    invalid_api_key,
    rate_limited,
    server_error,
)
from tests.support.waiting import PATIENCE, wait_until
from tests.support.windows import open_window


@pytest.fixture
def read_timeout() -> float:
    """The provider's read timeout: patience, unless a test is about the timeout."""
    return 60.0


@pytest.fixture
def window(
    qtbot: Any, fake_openai: FakeOpenAIServer, qloop: Any, read_timeout: float
) -> Iterator[MainWindow]:
    opened = open_window(qtbot, fake_openai.base_url, MemoryStore(), timeout=read_timeout)
    yield opened.window
    qloop.run_until_complete(opened.close())


def send(window: MainWindow, qtbot: Any, text: str) -> None:
    window.composer.setPlainText(text)
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)


def last_message(window: MainWindow) -> Any:
    return window._controller.messages()[-1]


async def answer_complete(window: MainWindow, timeout: float = PATIENCE) -> None:
    await wait_until(lambda: last_message(window).state is MessageState.COMPLETE, timeout)


def test_the_answer_appears_incrementally(
    window: MainWindow, qtbot: Any, fake_openai: FakeOpenAIServer, run_async: Any
) -> None:
    deltas = [f"word{i} " for i in range(60)]
    halfway = Gate(after=30)
    fake_openai.enqueue(Script(deltas=deltas, gate=halfway))
    send(window, qtbot, "Stream please")
    assert window.composer.toPlainText() == ""

    async def watch() -> None:
        await wait_until(lambda: "word29" in window.transcript.toPlainText())
        assert "word30" not in window.transcript.toPlainText()  # half an answer, on screen
        assert window.send_button.text() == "Stop"
        halfway.release()
        await answer_complete(window)

    run_async(watch())
    assert window.transcript.toPlainText().count("word59") == 1
    assert last_message(window).content == "".join(deltas)
    assert "tok/s" in window.stats_label.text()
    assert window.send_button.text() == "Send"


def test_stop_ends_the_reply_and_closes_the_connection(
    window: MainWindow, qtbot: Any, fake_openai: FakeOpenAIServer, run_async: Any
) -> None:
    fake_openai.enqueue(Script(deltas=[f"w{i} " for i in range(20)], gate=Gate(after=6)))
    send(window, qtbot, "Long answer")

    async def stop_mid_answer() -> None:
        await wait_until(lambda: "w5" in window.transcript.reply_text(last_message(window).id))
        assert window.send_button.text() == "Stop"
        qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
        await wait_until(lambda: last_message(window).state is not MessageState.STREAMING)

    run_async(stop_mid_answer())  # how fast Stop acts: bench/stop.py
    message = last_message(window)
    assert message.state is MessageState.STOPPED
    assert message.content == "w0 w1 w2 w3 w4 w5 "
    assert "Stopped" in window.transcript.toPlainText()
    request = fake_openai.last_request
    assert request.closed_event.wait(10)
    assert request.client_closed


PATIENT = 60.0
STALLED = Script(deltas=["kept ", "text ", "lost"], gate=Gate(after=2))  # held for good


@pytest.mark.parametrize(
    ("script", "shown", "read_timeout"),
    [
        (invalid_api_key(), "rejected the API key", PATIENT),
        (rate_limited(retry_after="1"), "Retry in 1 s", PATIENT),
        (server_error(503), "internal error (HTTP 503)", PATIENT),
        (Script(deltas=["kept ", "text ", "lost"], cut_after=2), "closed the connection", PATIENT),
        (
            Script(deltas=["kept ", "text ", "lost"], error_event_after=2),
            "during the answer",
            PATIENT,
        ),
        (Script(deltas=["kept ", "text ", "lost"], malformed_after=2), "not a valid", PATIENT),
        (STALLED, "stopped responding", 1.0),  # only the read timeout can end it
    ],
    ids=["401", "429", "503", "cut", "error-event", "malformed", "stall"],
)
def test_each_error_is_shown_inline_and_keeps_the_partial_text_and_retry_works(
    window: MainWindow,
    qtbot: Any,
    fake_openai: FakeOpenAIServer,
    run_async: Any,
    script: Script,
    shown: str,
) -> None:
    fake_openai.enqueue(script)
    send(window, qtbot, "hi")

    async def until_ended() -> None:
        await wait_until(lambda: last_message(window).state is not MessageState.STREAMING)

    run_async(until_ended())
    failed = last_message(window)
    assert failed.state is MessageState.FAILED
    assert shown in (failed.error_message or "")
    screen = window.transcript.toPlainText()
    assert shown in screen
    assert "Retry" in screen
    if script.status == 200:
        assert failed.content == "kept text "
        assert "kept text" in screen

    fake_openai.enqueue(Script(deltas=["second ", "try"]))
    window.transcript.retry_requested.emit(failed.id)

    run_async(answer_complete(window))  # a 429 waits for its Retry-After first
    assert last_message(window).state is MessageState.COMPLETE
    assert last_message(window).content == "second try"
    assert [m.role.value for m in window._controller.messages()] == ["user", "assistant"]


def test_history_is_sent_on_each_turn(
    window: MainWindow, qtbot: Any, fake_openai: FakeOpenAIServer, run_async: Any
) -> None:
    fake_openai.enqueue(Script(deltas=["first answer"]), Script(deltas=["second answer"]))

    send(window, qtbot, "one")
    run_async(answer_complete(window))
    send(window, qtbot, "two")
    run_async(answer_complete(window))
    assert fake_openai.last_request.json["messages"] == [
        {"role": "user", "content": "one"},
        {"role": "assistant", "content": "first answer"},
        {"role": "user", "content": "two"},
    ]
    screen = window.transcript.toPlainText()
    assert screen.count("first answer") == 1 and screen.count("second answer") == 1
    assert screen.index("first answer") < screen.index("two") < screen.index("second answer")
    ids = [m.id for m in window._controller.messages()]
    assert window.transcript.message_ids() == ids


def test_shift_enter_adds_a_line_instead_of_sending(window: MainWindow, qtbot: Any) -> None:
    window.composer.setPlainText("line one")
    window.composer.moveCursor(window.composer.textCursor().MoveOperation.End)
    qtbot.keyClick(window.composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert window.composer.toPlainText() == "line one\n"
    assert window._controller.messages() == []


def test_reasoning_is_kept_apart_from_the_answer(
    window: MainWindow, qtbot: Any, fake_openai: FakeOpenAIServer, run_async: Any
) -> None:
    fake_openai.enqueue(Script(reasoning=["Let me ", "think."], deltas=["The answer."]))
    send(window, qtbot, "why?")

    run_async(answer_complete(window))
    message = last_message(window)
    assert message.content == "The answer."
    assert message.reasoning == "Let me think."


def test_retry_after_a_rate_limit_waits_for_retry_after(
    window: MainWindow, qtbot: Any, fake_openai: FakeOpenAIServer, run_async: Any
) -> None:
    fake_openai.enqueue(rate_limited(retry_after="2"), Script(deltas=["finally"]))
    send(window, qtbot, "hi")
    shown: list[str] = []
    window.statusBar().messageChanged.connect(shown.append)

    async def retry() -> float:
        await wait_until(lambda: last_message(window).state is MessageState.FAILED)
        asked_at = time.monotonic()  # the clock the server stamps requests with
        window.menus.retry_action.trigger()
        await wait_until(lambda: last_message(window).state is MessageState.COMPLETE)
        return asked_at

    asked_at = run_async(retry())
    rate_limited_at, retried_at = (r.received_at for r in fake_openai.chat_requests)
    # a lower bound only (a busy machine makes it later, never sooner), both ends stamped
    # by the server: the retry came no sooner than Retry-After after the 429 (less a
    # coarse timer's early firing)
    assert retried_at - rate_limited_at >= 1.9
    if asked_at - rate_limited_at < 1.9:  # asked while Retry-After still ran: it says so
        assert any("retrying in" in message for message in shown), shown
    assert last_message(window).content == "finally"


def test_a_new_turn_renders_only_the_new_prompt(
    window: MainWindow, qtbot: Any, fake_openai: FakeOpenAIServer, run_async: Any
) -> None:
    fake_openai.enqueue(Script(deltas=["first answer"]), Script(deltas=["second answer"]))

    send(window, qtbot, "one")
    run_async(answer_complete(window))
    whole_renders: list[int] = []
    original = window.transcript.set_messages
    window.transcript.set_messages = lambda messages: (  # type: ignore[method-assign]
        whole_renders.append(len(messages)),
        original(messages),
    )
    send(window, qtbot, "two")
    run_async(answer_complete(window))
    assert whole_renders == [], "a new turn must not re-render the conversation"
    assert window.transcript.toPlainText().count("first answer") == 1
