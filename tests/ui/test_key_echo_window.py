"""The window shows ``***`` where the server echoed the API key, and says why
(issue 14, item 6): the real window, the real provider through the SDK."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QMessageBox

from streamchat_desktop.core.events import KeyEchoed
from streamchat_desktop.core.models import MessageState
from streamchat_desktop.core.store import MemoryStore
from tests.support.fake_openai import FakeOpenAIServer, Script
from tests.support.waiting import wait_until
from tests.support.windows import open_window

KEY = "sk-ant-Echo0123456789abcdefghijklmnop"


def test_the_window_shows_stars_and_a_notice(
    qtbot: Any, fake_openai: FakeOpenAIServer, run_async: Callable[..., Any]
) -> None:
    fake_openai.enqueue(Script(deltas=["Your key: ", KEY[:12], KEY[12:], " (keep it)"]))
    opened = open_window(qtbot, fake_openai.base_url, MemoryStore(), api_key=KEY)
    window = opened.window
    try:
        assert window._controller.send("echo it")

        async def answered() -> None:
            await wait_until(
                lambda: window._controller.messages()[-1].state is MessageState.COMPLETE, 10
            )
            await wait_until(lambda: bool(window.findChildren(QMessageBox)), 5)

        run_async(answered())
        reply = window._controller.messages()[-1]
        assert reply.content == "Your key: *** (keep it)"
        assert window.transcript.reply_text(reply.id) == "Your key: *** (keep it)"
        assert [box.text() for box in window.findChildren(QMessageBox)] == [KeyEchoed.NOTICE]
    finally:
        run_async(opened.close())
