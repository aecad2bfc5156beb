"""Starts the companion endpoint when asked (flag, setting or menu), tells the user its
URL, keeps the views on the window's conversation, and stops it in order."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, TextIO

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication

from streamchat_desktop.controllers.chat_controller import ChatController
from streamchat_desktop.core.chat_service import ChatService
from streamchat_desktop.ui.main_window import MainWindow

if TYPE_CHECKING:
    from streamchat_desktop.companion.server import CompanionServer
    from streamchat_desktop.companion.uploads import CompanionFiles

log = logging.getLogger(__name__)


class CompanionCoordinator:
    """Owns the optional CompanionServer of one running app."""

    def __init__(
        self,
        service: ChatService,
        controller: ChatController,
        window: MainWindow,
        *,
        port: int,
        announce_to: TextIO,
        files: CompanionFiles | None = None,
    ) -> None:
        self._service = service
        self._controller = controller
        self._window = window
        self._port = port
        self._out = announce_to
        self._server: CompanionServer | None = None
        self._files = files  # attachments from the views, checked like the window's
        window.companion_requested.connect(self._on_open_requested)
        window.copy_companion_url_requested.connect(self._on_copy_requested)
        controller.conversation_changed.connect(self._on_conversation_changed)

    @property
    def url(self) -> str | None:
        return self._server.url if self._server is not None else None

    async def start(self) -> str | None:
        """Start listening (once); the URL with its token, or None with the reason shown."""
        if self._server is not None:
            return self.url
        from streamchat_desktop.companion.server import CompanionServer, CompanionStartError

        server = CompanionServer(self._service, port=self._port, files=self._files)
        try:
            await server.start()
        except (CompanionStartError, OSError) as exc:
            self._window.show_notice(f"The companion view could not start: {exc}")
            log.warning("companion did not start: %s", exc)
            return None
        self._server = server
        server.set_active_conversation(self._controller.conversation_id)
        if server.port_in_use is not None:
            self._window.show_notice(
                f"Port {server.port_in_use} is in use, so the companion view listens on "
                f"port {server.port} instead."
            )
        print(f"Companion view: {server.url}", file=self._out, flush=True)
        self._window.set_companion_url(server.url)
        return server.url

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            await server.stop()

    def _on_open_requested(self) -> None:
        import asyncio

        async def open_in_browser() -> None:
            url = await self.start()
            if url is not None:
                QDesktopServices.openUrl(QUrl(url))

        self._opening = asyncio.ensure_future(open_in_browser())

    def _on_copy_requested(self) -> None:
        if self.url:
            QGuiApplication.clipboard().setText(self.url)
            self._window.statusBar().showMessage("Companion URL copied", 3000)

    def _on_conversation_changed(self, conversation_id: str) -> None:
        if self._server is not None:
            self._server.set_active_conversation(conversation_id)


def announce_stream(exit_after_reply: bool) -> TextIO:
    """Where to print the URL: stdout, unless stdout is reserved for the reply."""
    return sys.stderr if exit_after_reply else sys.stdout
