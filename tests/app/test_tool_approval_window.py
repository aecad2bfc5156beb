"""The real app in this process (Runtime, window, transcript) with a real MCP server:
a call waits in the transcript, the user clicks "Always allow this tool", the call runs,
the choice is saved, and the next call of that tool runs without asking."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QUrl

from streamchat_desktop.config.paths import Profile
from streamchat_desktop.config.settings import Settings
from tests.support.fake_openai import FakeOpenAIServer, Script, ScriptedCall, calling
from tests.support.mcp_servers import stdio_config
from tests.support.waiting import wait_until

RunAsync = Callable[..., Any]


@pytest.fixture
def runtime(runtime_on: Callable[..., Any], tmp_path: Path, fake_openai: FakeOpenAIServer) -> Any:
    """The app's real Runtime, with the tests' MCP server configured."""
    profile = Profile.at(str(tmp_path / "profile")).ensure()
    Settings(tool_servers=[stdio_config()]).save(profile)
    return runtime_on(profile.root, "--base-url", fake_openai.base_url, "--model", "m")


def test_always_allow_in_the_window_runs_the_call_and_is_remembered(
    runtime: Any,
    fake_openai: FakeOpenAIServer,
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


def test_file_menu_opens_the_tools_page_with_the_servers(runtime: Any) -> None:
    from streamchat_desktop.ui.tools_dialog import ToolsDialog

    file_menu = runtime.window.menuBar().actions()[0].menu()
    actions = file_menu.actions()
    at = actions.index(runtime.window.menus.settings_action)
    assert actions[at + 1] is runtime.tools_action  # right below Settings…
    runtime.tools_action.trigger()
    (dialog,) = runtime.window.findChildren(ToolsDialog)
    assert dialog.isVisible()
    assert dialog.tree.topLevelItem(0).text(0).startswith("testsrv (")
    dialog.close()


def test_the_settings_dialog_has_a_tools_page_button(runtime: Any, run_async: RunAsync) -> None:
    from streamchat_desktop.ui.settings_dialog import SettingsDialog
    from streamchat_desktop.ui.tools_dialog import ToolsDialog

    runtime.window.menus.settings_action.trigger()
    run_async(wait_until(lambda: bool(runtime.window.findChildren(SettingsDialog))))
    (settings,) = runtime.window.findChildren(SettingsDialog)
    settings.tools_button.click()
    (tools,) = runtime.window.findChildren(ToolsDialog)
    assert tools.isVisible() and tools.tree.topLevelItemCount() == 1
    tools.close()
    settings.close()
