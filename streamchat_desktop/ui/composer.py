"""The prompt box: multi-line, Enter sends, Shift+Enter starts a new line."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPlainTextEdit, QWidget


class Composer(QPlainTextEdit):
    """Signals: send_requested(str) — the user pressed Enter on a non-empty prompt."""

    send_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText("Ask anything — Enter sends, Shift+Enter adds a line")
        self.setTabChangesFocus(True)
        self.setAccessibleName("Prompt")
        self.document().contentsChanged.connect(self._fit_height)
        self._fit_height()

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
        if text.strip():
            self.send_requested.emit(text)

    def _fit_height(self) -> None:
        """Grow with the prompt from 2 up to 10 lines, then scroll."""
        line = self.fontMetrics().lineSpacing()
        lines = max(2, min(10, int(self.document().size().height()) or 1))
        margins = self.contentsMargins().top() + self.contentsMargins().bottom()
        frame = int(self.document().documentMargin() * 2) + margins + 4
        self.setFixedHeight(lines * line + frame)
