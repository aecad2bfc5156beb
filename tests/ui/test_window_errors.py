"""Issue 2, in the real window through the real SDK: the error kinds tests/ui does not
cover each show their message inline with a Retry, the finish reasons ``length`` and
``content_filter`` are shown as such (``length`` with a working Continue), and the
status bar reports time to first token, tokens per second and the server's usage —
also when the server rejects ``stream_options`` (then the rate is an estimate)."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt

from streamchat_desktop.core.models import Message, MessageState
from streamchat_desktop.core.store import MemoryStore
from streamchat_desktop.ui.main_window import MainWindow
from tests.support.fake_openai import (
    FakeOpenAIServer,
    Script,
    context_length_exceeded,
    http_error,
    insufficient_quota,
    model_not_found,
    permission_denied,
)
from tests.support.waiting import wait_until
from tests.support.windows import OpenWindow, open_window

RunAsync = Callable[..., Any]
MakeWindow = Callable[[str], MainWindow]


@pytest.fixture
def make_window(qtbot: Any, qloop: Any) -> Iterator[MakeWindow]:
    made: list[OpenWindow] = []

    def make(base_url: str) -> MainWindow:
        made.append(open_window(qtbot, base_url, MemoryStore()))
        return made[-1].window

    yield make
    for opened in made:
        qloop.run_until_complete(opened.close())


def reply_of(window: MainWindow) -> Message:
    return window._controller.messages()[-1]


def ask(window: MainWindow, qtbot: Any, run_async: RunAsync, text: str = "hi") -> Message:
    window.composer.setPlainText(text)
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)

    async def ended() -> None:
        await wait_until(lambda: reply_of(window).state is not MessageState.STREAMING)

    run_async(ended())
    return reply_of(window)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("script", "kind", "shown"),
    [
        (permission_denied(), "forbidden", "no access to that model or endpoint (HTTP 403)"),
        (model_not_found(), "not_found", "model or endpoint was not found (HTTP 404)"),
        (insufficient_quota(), "quota", "quota is exhausted (HTTP 429)"),
        (context_length_exceeded(), "context_too_long", "too long for the model's context"),
        (http_error(413, "Request too large"), "context_too_long", "(HTTP 413)"),
        (http_error(502, "Bad gateway"), "server", "internal error (HTTP 502)"),
        (Script(deltas=["kept ", "text ", "lost"], close_after=2), "stream_cut", "closed"),
    ],
    ids=["403", "404", "quota", "context", "413", "502", "ended-without-finish"],
)
def test_each_remaining_error_kind_is_shown_inline_with_retry(
    make_window: MakeWindow,
    fake_openai: FakeOpenAIServer,
    qtbot: Any,
    run_async: RunAsync,
    script: Script,
    kind: str,
    shown: str,
) -> None:
    window = make_window(fake_openai.base_url)
    fake_openai.enqueue(script)
    failed = ask(window, qtbot, run_async)
    assert (failed.state, failed.error_kind) == (MessageState.FAILED, kind)
    screen = window.transcript.toPlainText()
    assert shown in (failed.error_message or "") and shown in screen
    assert "Retry" in screen
    if script.status == 200:
        assert failed.content == "kept text " and "kept text" in screen
    if script.error_body is not None:  # the server's own words reach the user
        assert script.error_body["error"]["message"].rstrip(".")[:40] in screen
    assert window.send_button.text() == "Send"


def test_an_unreachable_server_is_shown_inline_with_retry(
    make_window: MakeWindow, qtbot: Any, run_async: RunAsync
) -> None:
    window = make_window(f"http://127.0.0.1:{closed_port()}/v1")
    failed = ask(window, qtbot, run_async)
    assert failed.error_kind == "unreachable"
    screen = window.transcript.toPlainText()
    assert "Could not reach the server" in screen and "Retry" in screen


def test_quota_promises_no_retry_time(
    make_window: MakeWindow, fake_openai: FakeOpenAIServer, qtbot: Any, run_async: RunAsync
) -> None:
    window = make_window(fake_openai.base_url)
    quota = insufficient_quota()
    quota.headers["retry-after"] = "5"  # retrying will not help: no countdown promised
    fake_openai.enqueue(quota)
    assert "Retry in" not in (ask(window, qtbot, run_async).error_message or "")


def test_length_and_content_filter_are_shown_as_such(
    make_window: MakeWindow, fake_openai: FakeOpenAIServer, qtbot: Any, run_async: RunAsync
) -> None:
    window = make_window(fake_openai.base_url)
    fake_openai.enqueue(Script(deltas=["unsafe ", "bit"], finish_reason="content_filter"))
    blocked = ask(window, qtbot, run_async, "one")
    assert (blocked.state, blocked.finish_reason) == (MessageState.COMPLETE, "content_filter")
    assert "Blocked by the content filter" in window.transcript.toPlainText()
    assert "blocked by the content filter" in window.stats_label.text()

    fake_openai.enqueue(
        Script(deltas=["The answer was ", "cut"], finish_reason="length"),
        Script(deltas=[" and now it ends."]),
    )
    cut = ask(window, qtbot, run_async, "two")
    assert cut.finish_reason == "length"
    assert "Cut at the token limit" in window.transcript.toPlainText()
    assert "cut at the token limit" in window.stats_label.text()
    assert "Continue" in window.transcript.toPlainText()

    window.transcript.continue_requested.emit(cut.id)  # the Continue link

    async def continued() -> None:
        await wait_until(lambda: reply_of(window).content.endswith("ends."))
        await wait_until(lambda: reply_of(window).state is MessageState.COMPLETE)

    run_async(continued())
    assert reply_of(window).id == cut.id
    assert reply_of(window).content == "The answer was cut and now it ends."
    assert "Cut at the token limit" not in window.transcript.toPlainText()


def test_status_bar_shows_first_token_rate_and_usage(
    make_window: MakeWindow, fake_openai: FakeOpenAIServer, qtbot: Any, run_async: RunAsync
) -> None:
    window = make_window(fake_openai.base_url)
    usage = {"prompt_tokens": 11, "completion_tokens": 4, "total_tokens": 15}
    fake_openai.enqueue(Script(deltas=["a ", "b ", "c ", "d"], delay=0.02, usage=usage))
    done = ask(window, qtbot, run_async)
    assert done.state is MessageState.COMPLETE
    status = window.stats_label.text()
    assert "First token " in status and " s · " in status
    assert "tok/s" in status and "≈" not in status  # counted from the server's usage
    assert "11 prompt + 4 completion tokens" in status


def test_a_server_rejecting_stream_options_still_streams(
    make_window: MakeWindow, fake_openai: FakeOpenAIServer, qtbot: Any, run_async: RunAsync
) -> None:
    window = make_window(fake_openai.base_url)
    fake_openai.enqueue(Script(deltas=["still ", "works"], reject_stream_options=True))
    done = ask(window, qtbot, run_async)
    assert (done.state, done.content) == (MessageState.COMPLETE, "still works")
    first, second = fake_openai.chat_requests
    assert first.wants_usage and first.status == 400
    assert not second.wants_usage and "stream_options" not in second.json
    status = window.stats_label.text()
    assert "≈" in status and "tok/s" in status  # estimated from the deltas
    assert "completion tokens" not in status
