"""Export and import for the window: the same formats as ``streamchat export|import``."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from streamchat_desktop.storage.errors import StorageError
from streamchat_desktop.storage.exchange import (
    InvalidExportError,
    export_text,
    import_conversations,
    parse_json,
)
from streamchat_desktop.storage.markdown_folder import export_markdown_folder
from streamchat_desktop.storage.repository import SqliteStore


class ExchangeError(Exception):
    """An export or import that did not happen; the message says why. Nothing was written."""


class ConversationExchange(QObject):
    """Turns conversations into Markdown/JSON text and JSON exports back into conversations.

    Signals:
        conversations_imported(summary): an import added conversations behind the
            window's back; ``summary`` says what was added, in one line.
    """

    conversations_imported = Signal(str)

    def __init__(self, store: SqliteStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store

    def export(self, conversation_ids: list[str] | None, fmt: str) -> str:
        """``None``: every conversation. ``fmt``: ``md`` or ``json``."""
        try:
            return export_text(self._store, self._ids(conversation_ids), fmt)
        except StorageError as exc:
            raise ExchangeError(exc.message) from exc

    def export_folder(self, conversation_ids: list[str] | None, folder: Path) -> Path:
        """Markdown with the attached pictures beside it in ``folder``; the .md file."""
        try:
            return export_markdown_folder(self._store, self._ids(conversation_ids), folder)
        except StorageError as exc:
            raise ExchangeError(exc.message) from exc

    def _ids(self, conversation_ids: list[str] | None) -> list[str]:
        """The given conversations, or (``None``) every one."""
        if conversation_ids is not None:
            return conversation_ids
        return [c.id for c in self._store.list_conversations()]

    def import_json(self, data: bytes) -> str:
        """Import an export (idempotent); a one-line summary of what was added."""
        try:
            summary = import_conversations(self._store, parse_json(data)).summary
        except InvalidExportError as exc:
            raise ExchangeError(f"This file was not imported: {exc}") from exc
        except StorageError as exc:
            raise ExchangeError(f"This file was not imported: {exc.message}") from exc
        self.conversations_imported.emit(summary)
        return summary
