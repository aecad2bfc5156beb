"""File menu actions that move conversations in and out: export as Markdown or JSON, import."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu

from streamchat_desktop.controllers.exchange import ConversationExchange, ExchangeError

if TYPE_CHECKING:
    from streamchat_desktop.controllers.chat_controller import ChatController

_FILTERS = {"md": "Markdown (*.md)", "json": "StreamChat export (*.json)"}


class FileActions:
    """Builds the actions into ``menu`` (above ``before``, if given); dialogs open over
    ``window``."""

    def __init__(
        self,
        window: QMainWindow,
        controller: ChatController,
        exchange: ConversationExchange,
        menu: QMenu,
        *,
        before: QAction | None = None,
    ) -> None:
        self._window = window
        self._controller = controller
        self._exchange = exchange
        self.export_md = QAction("Export conversation as Markdown…", window)
        self.export_folder = QAction("Export conversation to a folder (with its pictures)…", window)
        self.export_json = QAction("Export conversation as JSON…", window)
        self.export_all = QAction("Export all conversations as JSON…", window)
        self.import_json = QAction("Import conversations…", window)
        self.export_md.triggered.connect(lambda: self._export("md", everything=False))
        self.export_folder.triggered.connect(self._export_folder)
        self.export_json.triggered.connect(lambda: self._export("json", everything=False))
        self.export_all.triggered.connect(lambda: self._export("json", everything=True))
        self.import_json.triggered.connect(self._import)
        actions = (
            self.export_md, self.export_folder, self.export_json, self.export_all, self.import_json
        )  # fmt: skip
        for action in actions:
            if before is None:
                menu.addAction(action)
            else:
                menu.insertAction(before, action)

    def export_to(self, path: Path, fmt: str, *, everything: bool) -> None:
        """Write the active conversation (or all) to ``path``; problems are shown."""
        conversation_id = self._controller.conversation_id
        ids = None if everything or conversation_id is None else [conversation_id]
        try:
            text = self._exchange.export(ids, fmt)
            path.write_text(text, encoding="utf-8")
        except (ExchangeError, OSError) as exc:
            self._notice(f"The export was not written: {exc}")
            return
        self._window.statusBar().showMessage(f"Exported to {path}", 5000)

    def export_folder_to(self, folder: Path) -> None:
        """The active conversation as Markdown in ``folder``, its pictures in files/."""
        conversation_id = self._controller.conversation_id
        ids = None if conversation_id is None else [conversation_id]
        try:
            written = self._exchange.export_folder(ids, folder)
        except (ExchangeError, OSError) as exc:
            self._notice(f"The export was not written: {exc}")
            return
        self._window.statusBar().showMessage(f"Exported to {written}", 5000)

    def _export_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self._window, "Export to folder", str(Path.home())
        )
        if folder:
            self.export_folder_to(Path(folder))

    def import_from(self, path: Path) -> None:
        try:
            summary = self._exchange.import_json(path.read_bytes())
        except (ExchangeError, OSError) as exc:
            self._notice(str(exc))
            return
        self._window.statusBar().showMessage(summary, 8000)

    def _export(self, fmt: str, *, everything: bool) -> None:
        conversation = self._controller.conversation()
        stem = "conversations" if everything or conversation is None else conversation.title
        suggested = f"{_safe_name(stem)}.{fmt}"
        path, _ = QFileDialog.getSaveFileName(
            self._window, "Export", str(Path.home() / suggested), _FILTERS[fmt]
        )
        if path:
            self.export_to(Path(path), fmt, everything=everything)

    def _import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self._window, "Import conversations", str(Path.home()), _FILTERS["json"]
        )
        if path:
            self.import_from(Path(path))

    def _notice(self, text: str) -> None:
        show = getattr(self._window, "show_notice", None)
        if callable(show):
            show(text)


def _safe_name(title: str) -> str:
    """A file name from a conversation title: no separators or control characters."""
    name = re.sub(r"[^\w\- ]+", "", title).strip()[:60]
    return name or "conversation"
