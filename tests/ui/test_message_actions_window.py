"""The actions on each message, in the real window over a real SQLite profile with the
tests' OpenAI server: the hover bar, edit an earlier prompt, versions, regenerate a middle
answer, delete with Undo, copy, continue, and the keyboard path."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QGuiApplication, QMouseEvent
from PySide6.QtWidgets import QApplication

from streamchat_desktop.ui.main_window import MainWindow
from streamchat_desktop.ui.shortcuts_dialog import shortcut_rows
from streamchat_desktop.ui.transcript.action_bar import MessageAction
from tests.support.fake_openai import FakeOpenAIServer, Script
from tests.support.waiting import wait_until


@pytest.fixture
def window(stored_window: MainWindow) -> MainWindow:
    stored_window.resize(1000, 800)
    stored_window.show()
    return stored_window


def settle(window: MainWindow, run_async: Any, condition: Any = None) -> None:
    """Until no reply streams (and ``condition`` holds)."""
    controller = window._controller

    async def body() -> None:
        await wait_until(
            lambda: controller.streaming_reply() is None and (condition is None or condition())
        )

    run_async(body())


def ask(
    window: MainWindow, run_async: Any, server: FakeOpenAIServer, text: str, answer: str
) -> None:
    server.enqueue(Script(deltas=answer.split("|")))
    window._controller.send(text)
    settle(
        window,
        run_async,
        lambda: window._controller.messages()[-1].content == answer.replace("|", ""),
    )


def contents(window: MainWindow) -> list[str]:
    return [m.content for m in window._controller.messages()]


def act(window: MainWindow, action: MessageAction, index: int) -> str:
    """Press ``action`` on the bar of the ``index``-th message, as a click does."""
    message_id = window._controller.messages()[index].id
    window.transcript.message_action_requested.emit(action.value, message_id)
    return message_id


def hover(window: MainWindow, message_id: str) -> None:
    """Move the pointer over the message's header, like a user."""
    view = window.transcript
    block = view._writer.headers[message_id]
    rect = view.document().documentLayout().blockBoundingRect(block)
    bar = view.verticalScrollBar()
    bar.setValue(int(rect.top()) - 10)
    point = QPointF(rect.left() + 20, rect.center().y() - bar.value())
    event = QMouseEvent(
        QEvent.Type.MouseMove, point, view.viewport().mapToGlobal(point),
        Qt.MouseButton.NoButton, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(view.viewport(), event)


def test_hover_shows_the_bar_with_the_message_s_actions(
    window: MainWindow, fake_openai: FakeOpenAIServer, run_async: Any
) -> None:
    ask(window, run_async, fake_openai, "one", "First| answer")
    prompt, answer = (m.id for m in window._controller.messages())
    bar = window.transcript.action_bar
    hover(window, answer)
    assert bar.isVisible() and bar.message_id == answer
    offered = bar.visible_actions()
    assert MessageAction.REGENERATE in offered and MessageAction.EDIT not in offered
    assert MessageAction.DELETE in offered and MessageAction.COPY_MARKDOWN in offered
    assert bar.time_label.text()  # the time shows on hover
    hover(window, prompt)
    assert bar.message_id == prompt and MessageAction.EDIT in bar.visible_actions()
    for button in bar.buttons.values():
        assert button.accessibleName() and button.toolTip()


def test_edit_an_earlier_prompt_makes_a_version_and_switching_back_restores(
    window: MainWindow, fake_openai: FakeOpenAIServer, run_async: Any
) -> None:
    ask(window, run_async, fake_openai, "one", "A1")
    ask(window, run_async, fake_openai, "two", "A2")
    act(window, MessageAction.EDIT, 0)
    assert window.composer.toPlainText() == "one"
    window.composer.setPlainText("one, edited")
    fake_openai.enqueue(Script(deltas=["B1"]))
    window.composer.send_requested.emit("one, edited")
    settle(window, run_async, lambda: contents(window) == ["one, edited", "B1"])
    assert window.transcript.message_ids() == [m.id for m in window._controller.messages()]
    edited = window._controller.messages()[0].id
    hover(window, edited)
    assert window.transcript.action_bar.version_label.text() == "2/2"

    act(window, MessageAction.PREVIOUS_VERSION, 0)
    settle(window, run_async, lambda: contents(window) == ["one", "A1", "two", "A2"])
    assert window.transcript.message_ids() == [m.id for m in window._controller.messages()]
    hover(window, window._controller.messages()[0].id)
    assert window.transcript.action_bar.version_label.text() == "1/2"


def test_regenerate_a_middle_answer(
    window: MainWindow, fake_openai: FakeOpenAIServer, run_async: Any
) -> None:
    ask(window, run_async, fake_openai, "one", "A1")
    ask(window, run_async, fake_openai, "two", "A2")
    fake_openai.enqueue(Script(deltas=["A1", " again"]))
    act(window, MessageAction.REGENERATE, 1)
    settle(window, run_async, lambda: contents(window) == ["one", "A1 again"])
    assert "A1 again" in window.transcript.toPlainText()
    answer = window._controller.messages()[1].id
    assert window._controller.edits.branch().position(answer) == (2, 2)


def test_delete_then_undo_with_the_bar_and_ctrl_z(
    window: MainWindow, fake_openai: FakeOpenAIServer, run_async: Any
) -> None:
    ask(window, run_async, fake_openai, "one", "A1")
    ask(window, run_async, fake_openai, "two", "A2")
    deleted = act(window, MessageAction.DELETE, 1)
    settle(window, run_async, lambda: deleted not in window.transcript.message_ids())
    assert "Undo" in window.statusBar().currentMessage()
    undo = window.message_actions._undo_button
    assert undo is not None and undo.isVisible() and undo.accessibleName() == "Undo delete"
    window.message_actions.undo_action.trigger()  # Ctrl+Z
    settle(window, run_async, lambda: deleted in window.transcript.message_ids())
    assert contents(window) == ["one", "A1", "two", "A2"]


def test_copy_as_markdown_and_as_plain_text(
    window: MainWindow, fake_openai: FakeOpenAIServer, run_async: Any
) -> None:
    ask(window, run_async, fake_openai, "one", "**bold** |and `code`")
    act(window, MessageAction.COPY_MARKDOWN, 1)
    assert QGuiApplication.clipboard().text() == "**bold** and `code`"
    act(window, MessageAction.COPY_TEXT, 1)
    assert QGuiApplication.clipboard().text().strip() == "bold and code"
    act(window, MessageAction.COPY_TEXT, 0)
    assert QGuiApplication.clipboard().text() == "one"


def test_continue_a_cut_answer(
    window: MainWindow, fake_openai: FakeOpenAIServer, run_async: Any
) -> None:
    fake_openai.enqueue(Script(deltas=["Half"], finish_reason="length"))
    window._controller.send("go")
    settle(window, run_async, lambda: contents(window) == ["go", "Half"])
    answer = window._controller.messages()[1].id
    hover(window, answer)
    assert MessageAction.CONTINUE in window.transcript.action_bar.visible_actions()
    fake_openai.enqueue(Script(deltas=[" and the rest"]))
    act(window, MessageAction.CONTINUE, 1)
    settle(window, run_async, lambda: contents(window)[-1] == "Half and the rest")


def test_the_keyboard_selects_a_message_and_acts_on_it(
    window: MainWindow, fake_openai: FakeOpenAIServer, run_async: Any
) -> None:
    ask(window, run_async, fake_openai, "one", "A1")
    ask(window, run_async, fake_openai, "two", "A2")
    ids = [m.id for m in window._controller.messages()]
    keys = {a.text(): a for a in window.message_actions.actions}
    keys["Select previous message"].trigger()  # Alt+Up from nothing: the last message
    assert window.transcript.selected_message() == ids[3]
    keys["Select previous message"].trigger()
    keys["Select previous message"].trigger()
    assert window.transcript.selected_message() == ids[1]
    assert window.transcript.action_bar.message_id == ids[1]
    assert window.transcript.selected_span() is not None  # outlined
    keys["Copy message as Markdown"].trigger()
    assert QGuiApplication.clipboard().text() == "A1"
    keys["Select next message"].trigger()
    keys["Edit selected prompt"].trigger()
    assert window.composer.toPlainText() == "two"
    rows = dict(shortcut_rows(window))
    assert rows["Select previous message"] == "Alt+Up"
    assert rows["Delete selected message"] == "Alt+Del"
    assert "Undo delete" in rows


def test_the_context_menu_offers_the_message_s_actions(
    window: MainWindow, fake_openai: FakeOpenAIServer, run_async: Any
) -> None:
    ask(window, run_async, fake_openai, "one", "A1")
    prompt, answer = (m.id for m in window._controller.messages())
    view = window.transcript
    menu = view.context_menu(QPoint(10, 10), answer)
    labels = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert "Regenerate answer" in labels and "Copy as Markdown" in labels
    assert "Edit prompt" not in labels
    copy = next(a for a in menu.actions() if a.text() == "Copy as plain text")
    copy.trigger()
    assert QGuiApplication.clipboard().text().strip() == "A1"
    menu = view.context_menu(QPoint(10, 10), prompt)
    assert "Edit prompt" in [a.text() for a in menu.actions()]


def test_alt_up_typed_in_the_window_selects_the_last_message(
    qtbot: Any, window: MainWindow, fake_openai: FakeOpenAIServer, run_async: Any
) -> None:
    ask(window, run_async, fake_openai, "one", "A1")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.composer.setFocus()
    qtbot.keyClick(window.composer, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert window.transcript.selected_message() == window._controller.messages()[-1].id
    qtbot.keyClick(window.transcript, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert window.transcript.selected_message() == window._controller.messages()[0].id


def delete_second(window: MainWindow, run_async: Any, server: FakeOpenAIServer) -> str:
    """Two turns, then the first answer deleted with the bar (the Undo toast shows)."""
    ask(window, run_async, server, "one", "A1")
    ask(window, run_async, server, "two", "A2")
    deleted = act(window, MessageAction.DELETE, 1)
    settle(window, run_async, lambda: deleted not in window.transcript.message_ids())
    assert window.message_actions.undo_action.isEnabled()
    return deleted


def test_undo_goes_with_its_toast(
    monkeypatch: pytest.MonkeyPatch,
    window: MainWindow,
    fake_openai: FakeOpenAIServer,
    run_async: Any,
) -> None:
    monkeypatch.setattr("streamchat_desktop.ui.message_actions.UNDO_SHOWN_MS", 50)
    delete_second(window, run_async, fake_openai)
    actions = window.message_actions
    settle(window, run_async, lambda: actions._undo_button is None)
    assert not actions.undo_action.isEnabled()
    actions.undo_action.trigger()  # a late Ctrl+Z
    assert not window._controller.edits.undo_delete()
    assert contents(window) == ["one", "two", "A2"]


def test_undo_goes_when_another_conversation_opens(
    window: MainWindow, fake_openai: FakeOpenAIServer, run_async: Any
) -> None:
    delete_second(window, run_async, fake_openai)
    first = window._controller.conversation_id
    window._controller.new_conversation()
    actions = window.message_actions
    assert actions._undo_button is None and not actions.undo_action.isEnabled()
    assert not window._controller.edits.undo_delete()
    assert first is not None
    window._controller.open_conversation(first)
    assert contents(window) == ["one", "two", "A2"]


def test_ctrl_z_in_the_composer_undoes_the_delete_unless_it_has_typing_to_undo(
    qtbot: Any, window: MainWindow, fake_openai: FakeOpenAIServer, run_async: Any
) -> None:
    deleted = delete_second(window, run_async, fake_openai)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    composer = window.composer
    composer.setFocus()
    qtbot.keyClicks(composer, "hi")
    qtbot.keyClick(composer, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert composer.toPlainText() == ""  # the composer's own typing went first
    assert deleted not in window.transcript.message_ids()
    while composer.document().isUndoAvailable():
        composer.undo()
    qtbot.keyClick(composer, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    settle(window, run_async, lambda: deleted in window.transcript.message_ids())
    assert contents(window) == ["one", "A1", "two", "A2"]


def test_keys_typed_in_the_composer_ignore_the_message_under_the_pointer(
    qtbot: Any, window: MainWindow, fake_openai: FakeOpenAIServer, run_async: Any
) -> None:
    ask(window, run_async, fake_openai, "one", "A1")
    answer = window._controller.messages()[1].id
    hover(window, answer)
    assert window.transcript.target_message() == answer
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.composer.setFocus()
    qtbot.keyClick(window.composer, Qt.Key.Key_Delete, Qt.KeyboardModifier.AltModifier)
    assert contents(window) == ["one", "A1"]
    assert "Select a message first" in window.statusBar().currentMessage()
    window.transcript.setFocus()  # in the transcript the pointer's message counts
    qtbot.keyClick(window.transcript, Qt.Key.Key_Delete, Qt.KeyboardModifier.AltModifier)
    settle(window, run_async, lambda: contents(window) == ["one"])
