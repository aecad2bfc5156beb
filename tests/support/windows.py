"""The real main window over a real controller, answering from an OpenAI-compatible server."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from streamchat_desktop.attachments.outbox import PromptFiles
from streamchat_desktop.attachments.parts import AttachmentParts
from streamchat_desktop.controllers.chat_controller import ChatController
from streamchat_desktop.controllers.exchange import ConversationExchange
from streamchat_desktop.core.attachments import AttachmentBlobs
from streamchat_desktop.core.chat_service import ChatService, ChatTarget
from streamchat_desktop.core.models import Conversation
from streamchat_desktop.core.store import ConversationStore
from streamchat_desktop.providers.base import Endpoint
from streamchat_desktop.providers.openai_compat import OpenAICompatibleProvider
from streamchat_desktop.ui.main_window import MainWindow
from streamchat_desktop.ui.search_model import SearchFunction


@dataclass
class OpenWindow:
    window: MainWindow
    controller: ChatController
    provider: OpenAICompatibleProvider

    async def close(self) -> None:
        """Detach the window, stop any reply, close the HTTP client."""
        self.controller.detach()
        await self.controller.service.stop_all()
        await self.provider.aclose()


def open_window(
    qtbot: Any,
    base_url: str,
    store: ConversationStore,
    *,
    search: SearchFunction = lambda _text: [],
    exchange: ConversationExchange | None = None,
    timeout: float = 60.0,
    files: AttachmentBlobs | None = None,
    api_key: str | None = None,
    model: str = "m",
) -> OpenWindow:
    """Shown, with a new conversation open; every reply goes to ``base_url`` as ``model``.

    ``timeout`` is the provider's read timeout: long, so an answer the test holds open
    stays open however busy the machine; a test about the timeout itself passes a short one.
    ``files``: where attachments are stored (the SqliteStore): the window can send them.
    """
    provider = OpenAICompatibleProvider(
        Endpoint(base_url=base_url, api_key=api_key, timeout=timeout)
    )

    def target(_conversation: Conversation) -> ChatTarget:
        return ChatTarget(provider.stream, model)

    if files is None:
        controller = ChatController(ChatService(store, target))
    else:
        service = ChatService(store, target, AttachmentParts(files))
        controller = ChatController(service, files=PromptFiles(files))
    window = MainWindow(controller, search, exchange)
    qtbot.addWidget(window)
    window.show()
    controller.new_conversation()
    return OpenWindow(window, controller, provider)
