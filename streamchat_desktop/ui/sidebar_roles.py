"""The item data roles of the conversation list, shared by the list and its painter."""

from __future__ import annotations

from PySide6.QtCore import Qt

ID_ROLE = Qt.ItemDataRole.UserRole
KIND_ROLE = Qt.ItemDataRole.UserRole + 1  # "header" or "conversation"
SUBTITLE_ROLE = Qt.ItemDataRole.UserRole + 2
STREAMING_ROLE = Qt.ItemDataRole.UserRole + 3
