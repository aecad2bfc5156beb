"""A ChatService on a real SQLite file whose replies come from the tests' OpenAI server
through the real openai SDK: for tests of the per-message actions (regenerate, edit,
switch versions, delete with Undo, continue). Import the fixture into a test module:

from tests.support.live_chat import live_chat  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from streamchat_desktop.core.chat_service import ChatService, ChatTarget
from streamchat_desktop.core.models import Conversation, Message
from streamchat_desktop.providers.base import Endpoint
from streamchat_desktop.providers.openai_compat import OpenAICompatibleProvider
from streamchat_desktop.storage import SqliteStore
from tests.support.fake_openai import FakeOpenAIServer, Script
from tests.support.observers import RecordingObserver
from tests.support.waiting import wait_until

RunAsync = Callable[..., Any]


@dataclass
class LiveChat:
    """The service, its store, the server it asks and what its observer heard."""

    service: ChatService
    store: SqliteStore
    server: FakeOpenAIServer
    observer: RecordingObserver
    run_async: RunAsync

    def wait_idle(self, conversation_id: str) -> None:
        """Until no reply streams in the conversation (each reply ends exactly once)."""
        self.run_async(wait_until(lambda: self.service.active_reply(conversation_id) is None))

    def answer_with(self, text: str, **script: Any) -> None:
        """The next reply streams ``text`` word by word."""
        words = text.split(" ")
        deltas = [word if i == 0 else " " + word for i, word in enumerate(words)]
        self.server.enqueue(Script(deltas=deltas, **script))

    def turns(self, pairs: list[tuple[str, str]]) -> Conversation:
        """A new conversation with these (prompt, answer) turns, each reply ended."""
        conversation = self.service.new_conversation()
        for prompt, answer in pairs:
            self.answer_with(answer)
            self.service.send(conversation.id, prompt)
            self.wait_idle(conversation.id)
        return conversation

    def texts(self, conversation_id: str) -> list[str]:
        return [m.content for m in self.service.messages(conversation_id)]

    def branch(self, conversation_id: str) -> list[Message]:
        return self.service.messages(conversation_id)

    def last_sent(self) -> list[tuple[str, str]]:
        """(role, content) of each message in the newest request the server got."""
        body = self.server.chat_requests[-1].json
        return [(m["role"], m["content"]) for m in body["messages"]]


@pytest.fixture
def live_chat(
    tmp_path: Path, fake_openai: FakeOpenAIServer, run_async: RunAsync
) -> Iterator[LiveChat]:
    store = SqliteStore.open(tmp_path / "profile" / "conversations.sqlite3")
    provider = OpenAICompatibleProvider(Endpoint(fake_openai.base_url, "sk-test", 5.0, 2.0))

    def resolve(_conversation: Conversation) -> ChatTarget:
        return ChatTarget(provider.stream, "m")

    service = ChatService(store, resolve)
    observer = RecordingObserver()
    service.add_observer(observer)
    yield LiveChat(service, store, fake_openai, observer, run_async)
    run_async(service.stop_all())
    run_async(provider.aclose())
    store.close()
