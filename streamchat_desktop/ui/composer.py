"""The prompt box: multi-line, Enter sends, Shift+Enter starts a new line; pasted or
dropped files and images are handed on as attachments."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPlainTextEdit, QWidget


class Composer(QPlainTextEdit):
    """Signals:
    send_requested(str): the user pressed Enter on a prompt with text or files.
    files_offered(QMimeData): files or an image were pasted or dropped here (handle the
        data at once: it belongs to the clipboard or the drag).
    """

    send_requested = Signal(str)
    files_offered = Signal(QMimeData)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText("Ask anything — Enter sends, Shift+Enter adds a line")
        self.setTabChangesFocus(True)
        self.setAccessibleName("Prompt")
        self.document().contentsChanged.connect(self._fit_height)
        self._fit_height()
        self.has_files: Callable[[], bool] = lambda: False  # files wait to go with it

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return _offers_files(source) or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        if _offers_files(source):
            self.files_offered.emit(source)
        else:
            super().insertFromMimeData(source)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        modifiers = event.modifiers()
        if enter and not modifiers & (
            Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.AltModifier
        ):
            self.request_send()
            return
        super().keyPressEvent(event)

    def request_send(self) -> None:
        text = self.toPlainText()
        if text.strip() or self.has_files():
            self.send_requested.emit(text)

    def _fit_height(self) -> None:
        """Grow with the prompt from 2 up to 10 lines, then scroll."""
        line = self.fontMetrics().lineSpacing()
        lines = max(2, min(10, int(self.document().size().height()) or 1))
        margins = self.contentsMargins().top() + self.contentsMargins().bottom()
        frame = int(self.document().documentMargin() * 2) + margins + 4
        self.setFixedHeight(lines * line + frame)


def _offers_files(mime: QMimeData) -> bool:
    """Local files, or an image that is not a rendering of copied text."""
    local = mime.hasUrls() and any(url.isLocalFile() for url in mime.urls())
    return local or (mime.hasImage() and not mime.hasText())
