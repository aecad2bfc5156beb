"""The real app in this process (Runtime, window, transcript) with a real MCP server:
a call waits in the transcript, the user clicks "Always allow this tool", the call runs,
the choice is saved, and the next call of that tool runs without asking."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QUrl

from streamchat_desktop.cli.main import build_parser
from streamchat_desktop.config.paths import Profile
from streamchat_desktop.config.settings import Settings
from tests.support.fake_openai import FakeOpenAIServer, Script, ScriptedCall, calling
from tests.support.fake_openai_fixtures import fake_openai  # noqa: F401
from tests.support.mcp_servers import stdio_config
from tests.support.waiting import wait_until

RunAsync = Callable[..., Any]


@pytest.fixture
def runtime(
    qapp: Any,
    run_async: RunAsync,
    tmp_path: Path,
    fake_openai: FakeOpenAIServer,  # noqa: F811
) -> Iterator[Any]:
    """The app's Runtime, built and started as ``run_app`` does (minus the loop)."""
    from streamchat_desktop.app.launch import FirstFrame
    from streamchat_desktop.app.runtime import Runtime
    from streamchat_desktop.app.single_instance import SingleInstance
    from streamchat_desktop.ui.app_theme import ThemeSwitcher
    from streamchat_desktop.ui.main_window import MainWindow

    profile = Profile.at(str(tmp_path / "profile")).ensure()
    Settings(tool_servers=[stdio_config()]).save(profile)
    args = build_parser().parse_args(["--base-url", fake_openai.base_url, "--model", "m"])
    args.profile = str(profile.root)
    instance = SingleInstance(profile.root)
    assert instance.claim()
    shown = FirstFrame(profile, instance, Settings.load(profile), MainWindow(), ThemeSwitcher(qapp))
    app = Runtime(args, shown)
    assert app.build() is None
    app.window.show()
    app.start()
    run_async(wait_until(lambda: app.controller.conversation_id is not None))
    yield app
    run_async(app.shutdown())
    instance.release()
    app.window.close()
    app.window.deleteLater()


def test_always_allow_in_the_window_runs_the_call_and_is_remembered(
    runtime: Any,
    fake_openai: FakeOpenAIServer,  # noqa: F811
    run_async: RunAsync,
) -> None:
    transcript = runtime.window.transcript
    call = ScriptedCall("add", ['{"a": 20, "b": 22}'])
    fake_openai.enqueue(calling(call, deltas=["Let me add. "]), Script(deltas=["It is 42."]))

    async def first_reply() -> None:
        runtime.controller.send("add 20 and 22")
        await wait_until(lambda: "Always allow this tool" in transcript.toPlainText(), timeout=30)
        assert "Tool: add (testsrv) — waiting for your decision" in transcript.toPlainText()
        transcript.anchorClicked.emit(QUrl(f"tool:always_allow:{call.id}"))
        await wait_until(lambda: "It is 42." in transcript.toPlainText(), timeout=30)
        await wait_until(lambda: runtime.controller.streaming_reply() is None, timeout=10)

    run_async(first_reply())
    shown = transcript.toPlainText()
    assert (
        shown.index("Let me add.")
        < shown.index("Tool: add (testsrv) — done")
        < shown.index("It is 42.")
    )
    saved = json.loads(runtime.profile.settings_file.read_text(encoding="utf-8"))
    assert saved["always_allowed_tools"] == ["testsrv/add"]
    stored = runtime.store.messages(runtime.controller.conversation_id)[-1]
    assert [(r.call.name, r.result) for r in stored.tool_calls] == [("add", "42")]

    again = ScriptedCall("add", ['{"a": 1, "b": 2}'])
    fake_openai.enqueue(calling(again), Script(deltas=["3, without asking."]))

    async def second_reply() -> None:
        runtime.controller.send("and 1 + 2?")
        await wait_until(lambda: "3, without asking." in transcript.toPlainText(), timeout=30)

    run_async(second_reply())
    assert fake_openai.chat_requests[-1].json["messages"][-1]["content"] == "3"
