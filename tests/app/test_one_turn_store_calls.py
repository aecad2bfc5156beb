"""One prompt and its answer, through the window, the controller and the companion:
the store is read once for the conversation and once for its branch, and nobody reads
it back for the reply they were told about."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from streamchat_desktop.companion import protocol as p
from streamchat_desktop.core.models import Message
from streamchat_desktop.storage.repository import SqliteStore
from tests.app.conftest import Chat
from tests.support.fake_openai import FakeOpenAIServer, Script
from tests.support.waiting import wait_until

READS = {"get_conversation", "list_conversations", "messages", "versions", "get_message"}


class CountingStore:
    """The real SqliteStore, counting every method called on it by name."""

    def __init__(self, store: SqliteStore) -> None:
        self._store = store
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._store, name)
        if not callable(attribute):
            return attribute

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return attribute(*args, **kwargs)

        return counted

    def reads(self) -> dict[str, int]:
        return {name: n for name, n in self.calls.items() if name in READS}


def test_one_turn_reads_the_conversation_once_and_nobody_reads_it_back(
    tmp_path: Path,
    open_chat: Callable[[CountingStore], Chat],
    fake_openai: FakeOpenAIServer,
    qtbot: Any,
    run_async: Callable[..., Any],
) -> None:
    store = CountingStore(SqliteStore.open(tmp_path / "conversations.sqlite3"))
    chat = open_chat(store)
    window, controller, viewer = chat.opened.window, chat.opened.controller, chat.viewer
    answer = [f"word{i} " for i in range(40)]
    fake_openai.enqueue(Script(deltas=answer))
    ended: list[Message] = []
    controller.reply_ended.connect(lambda _cid, message, _stats: ended.append(message))
    store.calls.clear()

    window.composer.setPlainText("One turn, please")
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)

    def finished_in_view() -> bool:
        return any(name == p.MESSAGE_FINISHED for name, _ in viewer.events)

    run_async(wait_until(lambda: bool(ended) and finished_in_view(), timeout=15))
    reads = store.reads()
    print(f"store calls for one turn: {dict(store.calls)}")
    assert reads == {"get_conversation": 1, "messages": 1}, reads
    assert store.calls["add_message"] == 2  # the prompt and the reply
    assert store.calls["update_conversation"] == 1  # its title and time
    (reply,) = ended
    assert reply.content == "".join(answer)
    assert window.transcript.reply_text(reply.id) == "".join(answer)
    assert viewer.replies[reply.id].text == "".join(answer)
    title = window.history.sidebar.list.item(1).text()  # under the "Today" header
    assert title == "One turn, please" and window.windowTitle().startswith(title)
    store.close()
