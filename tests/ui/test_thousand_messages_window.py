"""Issue 4: opening a conversation of 1,000 messages in the real window shows all of it (its
last screen at once, the rest as it is needed: issue 15) and builds no widget per message
(the transcript is one QTextDocument). How long it takes is
bench/history.py's business (transcript_1000_ms), not a test's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from streamchat_desktop.controllers.chat_controller import ChatController
from streamchat_desktop.core.chat_service import ChatService, ChatTarget
from streamchat_desktop.core.models import Conversation
from streamchat_desktop.storage import SqliteStore
from streamchat_desktop.ui.main_window import MainWindow
from tests.support.sqlite_fixtures import add_turns

ANSWER = "Some **Markdown** with `code`, a [link](https://example.com) and a list:\n\n- one\n- two"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore.open(tmp_path / "profile" / "conversations.sqlite3")
    yield opened
    opened.close()


def test_a_thousand_message_conversation_opens_whole_without_a_widget_each(
    store: SqliteStore, qtbot: Any
) -> None:
    small, _ = add_turns(store, [("hello", "hi")], title="small")
    big, _ = add_turns(
        store, [(f"prompt {i}", f"answer {i}. {ANSWER}") for i in range(500)], title="big"
    )

    def unused(_c: Conversation) -> ChatTarget:
        raise AssertionError("nothing is sent in this test")

    controller = ChatController(ChatService(store, unused))
    window = MainWindow(controller, store.search)
    qtbot.addWidget(window)
    window.resize(900, 700)
    window.show()
    controller.open_conversation(small.id)
    QApplication.processEvents()
    widgets = len(window.findChildren(QWidget))

    controller.open_conversation(big.id)
    QApplication.processEvents()  # layout and first paint of the opened conversation

    assert len(window.transcript.message_ids()) == 1000
    assert "answer 499." in window.transcript.toPlainText()  # the last screen at once
    first = window.transcript.message_ids()[0]
    assert window.transcript.scroll_to_message(first)  # the earlier ones as they are needed
    assert "prompt 0" in window.transcript.toPlainText()
    assert len(window.findChildren(QWidget)) - widgets < 5  # no widget per message
