"""Fixtures for the window tests: the fake OpenAI server and a window over SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from streamchat_desktop.controllers.chat_controller import ChatController
from streamchat_desktop.controllers.exchange import ConversationExchange
from streamchat_desktop.core.chat_service import ChatService, ChatTarget
from streamchat_desktop.core.models import Conversation
from streamchat_desktop.providers.base import Endpoint
from streamchat_desktop.providers.openai_compat import OpenAICompatibleProvider
from streamchat_desktop.storage.repository import SqliteStore
from streamchat_desktop.ui.main_window import MainWindow
from tests.support.fake_openai import FakeOpenAIServer
from tests.support.fake_openai_fixtures import fake_openai  # noqa: F401


@pytest.fixture
def stored_window(
    qtbot: Any,
    fake_openai: FakeOpenAIServer,  # noqa: F811 (the fixture imported above)
    qloop: Any,
    tmp_path: Path,
) -> Iterator[MainWindow]:
    """The real window over a real SQLite profile, answering from the fake server."""
    provider = OpenAICompatibleProvider(Endpoint(base_url=fake_openai.base_url, timeout=5.0))
    store = SqliteStore.open(tmp_path / "conversations.sqlite3")

    def target(_conversation: Conversation) -> ChatTarget:
        return ChatTarget(provider.stream, "m")

    controller = ChatController(ChatService(store, target))
    window = MainWindow(controller, store.search, ConversationExchange(store))
    qtbot.addWidget(window)
    window.show()
    controller.new_conversation()
    yield window
    controller.detach()
    qloop.run_until_complete(controller.service.stop_all())
    qloop.run_until_complete(provider.aclose())
    store.close()
