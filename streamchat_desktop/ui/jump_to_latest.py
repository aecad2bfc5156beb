""" "Jump to latest ↓": offered while the user reads higher up during a stream; a click
returns to the bottom, where the transcript follows the new text again."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QToolButton

from streamchat_desktop.ui.transcript.view import TranscriptView

MARGIN_PX = 12


class JumpToLatest(QToolButton):
    """Floats at the bottom right of ``view``; shown while streaming and scrolled up."""

    def __init__(self, view: TranscriptView) -> None:
        super().__init__(view)
        self._view = view
        self._streaming = False
        self.setText("Jump to latest ↓")
        self.setAccessibleName("Jump to latest")
        self.setToolTip("Scroll to the newest text and follow it again")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.hide()
        bar = view.verticalScrollBar()
        # after the view's own slots: its "following" flag is up to date by then
        bar.valueChanged.connect(self._refresh)
        bar.rangeChanged.connect(self._refresh)
        self.clicked.connect(self._on_clicked)
        view.installEventFilter(self)

    def set_streaming(self, streaming: bool) -> None:
        self._streaming = streaming
        self._refresh()

    def _refresh(self, *_args: object) -> None:
        wanted = self._streaming and not self._view.is_following()
        if wanted != self.isVisible():
            self.setVisible(wanted)
            if wanted:
                self._place()
                self.raise_()

    def _on_clicked(self) -> None:
        bar = self._view.verticalScrollBar()
        bar.setValue(bar.maximum())  # the view sees itself at the bottom and follows again
        self._refresh()

    def _place(self) -> None:
        self.adjustSize()
        view = self._view
        bar = view.verticalScrollBar()
        right = view.width() - (bar.width() if bar.isVisible() else 0) - MARGIN_PX
        self.move(right - self.width(), view.height() - self.height() - MARGIN_PX)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._view and event.type() == QEvent.Type.Resize:
            self._place()
        return False
