"""Window actions over a real SQLite profile: conversation settings, copy, export/import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication

from streamchat_desktop.ui.conversation_dialog import ConversationDialog
from streamchat_desktop.ui.main_window import MainWindow
from tests.support.fake_openai import FakeOpenAIServer, Script
from tests.support.waiting import wait_until


@pytest.fixture
def window(stored_window: MainWindow) -> MainWindow:
    return stored_window


def ask(window: MainWindow, run_async: Any, text: str) -> None:
    controller = window._controller
    controller.send(text)

    async def body() -> None:
        await wait_until(lambda: controller.streaming_reply() is None)

    run_async(body())


def test_system_prompt_and_temperature_reach_the_server(
    window: MainWindow, fake_openai: FakeOpenAIServer, run_async: Any
) -> None:
    conversation = window._controller.conversation()
    assert conversation is not None
    dialog = ConversationDialog(conversation, window)
    dialog.system_prompt.setPlainText("  Answer like a pirate.  ")
    dialog.use_temperature.setChecked(True)
    dialog.temperature.setValue(0.3)
    window._controller.set_generation(*dialog.chosen())

    ask(window, run_async, "hello")
    body = fake_openai.last_request.json
    assert body["messages"][0] == {"role": "system", "content": "Answer like a pirate."}
    assert body["temperature"] == pytest.approx(0.3)

    dialog = ConversationDialog(window._controller.conversation(), window)  # type: ignore[arg-type]
    assert dialog.system_prompt.toPlainText() == "Answer like a pirate."
    dialog.use_temperature.setChecked(False)
    window._controller.set_generation(*dialog.chosen())
    ask(window, run_async, "again")
    assert "temperature" not in fake_openai.last_request.json


def test_copy_last_answer_puts_its_markdown_on_the_clipboard(
    window: MainWindow, fake_openai: FakeOpenAIServer, run_async: Any
) -> None:
    fake_openai.enqueue(Script(deltas=["**bold** ", "and `code`"]))
    ask(window, run_async, "format something")
    window.menus.copy_answer_action.trigger()
    assert QGuiApplication.clipboard().text() == "**bold** and `code`"


def test_export_and_import_round_trip_through_files(
    window: MainWindow, fake_openai: FakeOpenAIServer, run_async: Any, tmp_path: Path
) -> None:
    fake_openai.enqueue(Script(deltas=["exported ", "answer"]))
    ask(window, run_async, "a question to export")
    actions = window.file_actions
    assert actions is not None
    markdown = tmp_path / "one.md"
    actions.export_to(markdown, "md", everything=False)
    text = markdown.read_text(encoding="utf-8")
    assert "a question to export" in text and "exported answer" in text

    exported = tmp_path / "all.json"
    actions.export_to(exported, "json", everything=True)
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert "a question to export" in json.dumps(data)

    conversation_id = window._controller.conversation_id
    assert conversation_id is not None
    window._controller.delete_conversation(conversation_id)
    assert all(c.id != conversation_id for c in window._controller.conversations())
    actions.import_from(exported)
    assert any(c.id == conversation_id for c in window._controller.conversations())
    assert conversation_id in window.history.sidebar.visible_ids()
    actions.import_from(exported)  # idempotent
    assert [c.id for c in window._controller.conversations()].count(conversation_id) == 1


def test_a_broken_import_file_is_refused_and_changes_nothing(
    window: MainWindow, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"not": "an export"', encoding="utf-8")
    before = window._controller.conversations()
    shown: list[str] = []
    window.show_notice = shown.append  # type: ignore[method-assign]
    assert window.file_actions is not None
    window.file_actions.import_from(broken)
    assert shown and "not imported" in shown[0]
    assert window._controller.conversations() == before
