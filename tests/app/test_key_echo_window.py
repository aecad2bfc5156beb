"""The window shows ``***`` where the server echoed the API key, and says why
(issue 14, item 6): the app's real Runtime, the key given in ``OPENAI_API_KEY``, the
real provider through the SDK; the key also leaves the process's own environment."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from streamchat_desktop.core.models import MessageState
from streamchat_desktop.providers.key_masking import KEY_ECHO_NOTICE
from tests.support.fake_openai import FakeOpenAIServer, Script
from tests.support.waiting import wait_until

KEY = "sk-ant-Echo0123456789abcdefghijklmnop"


def test_the_window_shows_stars_and_says_why(
    tmp_path: Path,
    runtime_on: Callable[..., Any],
    fake_openai: FakeOpenAIServer,
    run_async: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    fake_openai.enqueue(Script(deltas=["Your key: ", KEY[:12], KEY[12:], " (keep it)"]))
    runtime = runtime_on(tmp_path / "profile", "--base-url", fake_openai.base_url, "--model", "m")
    assert "OPENAI_API_KEY" not in os.environ  # read once, then out of reach of children
    window = runtime.window
    assert window._controller.send("echo it")

    async def answered() -> None:
        await wait_until(
            lambda: window._controller.messages()[-1].state is MessageState.COMPLETE, 10
        )

    run_async(answered())
    reply = window._controller.messages()[-1]
    assert reply.content == "Your key: *** (keep it)"
    assert window.transcript.reply_text(reply.id) == "Your key: *** (keep it)"
    assert window.statusBar().currentMessage() == KEY_ECHO_NOTICE
    assert fake_openai.last_request.authorization == f"Bearer {KEY}"
