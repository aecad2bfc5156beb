"""One document edit in the transcript, keeping the user's selection and scroll position."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtWidgets import QScrollBar


class TranscriptView(Protocol):
    """What an edit needs of the view (``view.TranscriptView``)."""

    _updating: bool
    _following: bool

    def document(self) -> QTextDocument: ...
    def textCursor(self) -> QTextCursor: ...
    def setTextCursor(self, cursor: QTextCursor) -> None: ...
    def verticalScrollBar(self) -> QScrollBar: ...
    def horizontalScrollBar(self) -> QScrollBar: ...
    def is_following(self) -> bool: ...
    def _scroll_to_bottom(self) -> None: ...


class EditBlock:
    """One document edit block: Qt lays out and repaints once; the user's selection and
    scroll position survive (re-rendering the open tail would otherwise drop a selection
    made in it), and the view follows the bottom if it did."""

    def __init__(self, view: TranscriptView) -> None:
        self._view = view
        self._cursor = QTextCursor(view.document())
        self._following = view.is_following()
        selection = view.textCursor()
        self._selection = (
            (selection.anchor(), selection.position()) if selection.hasSelection() else None
        )
        self._scroll = view.verticalScrollBar().value(), view.horizontalScrollBar().value()

    def __enter__(self) -> None:
        self._view._updating = True
        self._cursor.beginEditBlock()

    def __exit__(self, *_exc: object) -> None:
        self._cursor.endEditBlock()
        view = self._view
        if self._selection is not None:
            self._restore_selection(*self._selection)
        view._updating = False
        if self._following:
            view._following = True
            view._scroll_to_bottom()

    def _restore_selection(self, anchor: int, position: int) -> None:
        view = self._view
        current = view.textCursor()
        if (current.anchor(), current.position()) == (anchor, position):
            return
        end = view.document().characterCount() - 1
        cursor = QTextCursor(view.document())
        cursor.setPosition(min(anchor, end))
        cursor.setPosition(min(position, end), QTextCursor.MoveMode.KeepAnchor)
        view.setTextCursor(cursor)
        if not self._following:
            view.verticalScrollBar().setValue(self._scroll[0])
            view.horizontalScrollBar().setValue(self._scroll[1])
