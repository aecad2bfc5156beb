"""One chat as the app composes it: the real window and controller, the companion server
with a real Socket.IO view, one ChatService over the store a test gives, and the tests'
OpenAI-compatible server answering through the real SDK."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import socketio

from streamchat_desktop.companion.server import CompanionServer
from streamchat_desktop.core.store import ConversationStore
from tests.companion.conftest import Viewer
from tests.support.fake_openai_fixtures import fake_openai  # noqa: F401
from tests.support.windows import OpenWindow, open_window


@dataclass
class Chat:
    opened: OpenWindow
    server: CompanionServer
    viewer: Viewer


@pytest.fixture
def open_chat(
    qtbot: Any,
    fake_openai: Any,  # noqa: F811 (the fixture imported above)
    run_async: Callable[..., Any],
) -> Iterator[Callable[[ConversationStore], Chat]]:
    built: list[Chat] = []

    def build(store: ConversationStore) -> Chat:
        opened = open_window(qtbot, fake_openai.base_url, store)
        server = CompanionServer(opened.controller.service)
        run_async(server.start())
        server.set_active_conversation(opened.controller.conversation_id)
        viewer = Viewer(socketio.AsyncClient(reconnection=False))
        viewer.attach()
        run_async(
            viewer.client.connect(
                f"http://127.0.0.1:{server.port}",
                auth={"token": server.token},
                transports=["websocket"],
                wait_timeout=30,
            )
        )
        run_async(viewer.wait_for(lambda: bool(viewer.snapshots)))
        chat = Chat(opened, server, viewer)
        built.append(chat)
        return chat

    yield build
    for chat in built:
        if chat.viewer.client.connected:
            run_async(chat.viewer.client.disconnect())
        run_async(chat.opened.close())
        run_async(chat.server.stop())
