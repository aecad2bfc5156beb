"""The transcript's reading column and what is painted behind its text.

The text column is capped (``READING_WIDTH`` pixels at 100 % zoom) and centred: a line of
text on a 2,560-pixel screen stays as long as a line in a book. The root frame's side
margins carry it, recomputed on resize only when they change (Qt lays the document out
again lazily, as it does for any width change).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent, QTextDocument
from PySide6.QtWidgets import QApplication, QTextBrowser

if TYPE_CHECKING:
    from streamchat_desktop.ui.transcript.backdrop import Backdrop
    from streamchat_desktop.ui.transcript.theme import Theme

READING_WIDTH = 800.0  # pixels of text at 100 % zoom
MIN_SIDE_MARGIN = 18.0
TOP_MARGIN = 10.0


def side_margin(viewport_width: float, zoom: float) -> float:
    """The margin left and right of the text column in a viewport this wide."""
    column = READING_WIDTH * zoom
    return float(max(MIN_SIDE_MARGIN, round((viewport_width - column) / 2)))


class TranscriptLook(QTextBrowser):
    """The column and backdrop of ``view.TranscriptView`` (a base class of it)."""

    _theme: Theme | None
    _backdrop_painter: Backdrop | None = None
    _side: float = MIN_SIDE_MARGIN

    def selected_span(self) -> tuple[float, float] | None:
        """The document span outlined as the keyboard's selection (none here)."""
        return None

    def apply_column(self, document: QTextDocument) -> None:
        """Give ``document`` the current side margins."""
        frame = document.rootFrame()
        fmt = frame.frameFormat()
        if fmt.leftMargin() == self._side and fmt.rightMargin() == self._side:
            return
        fmt.setTopMargin(TOP_MARGIN)
        fmt.setBottomMargin(TOP_MARGIN * 2)
        fmt.setLeftMargin(self._side)
        fmt.setRightMargin(self._side)
        frame.setFrameFormat(fmt)

    def _zoom(self) -> float:
        base = QApplication.font().pointSizeF()
        size = self.font().pointSizeF()
        return size / base if base > 0 and size > 0 else 1.0

    def _fit_column(self, width: float) -> None:
        side = side_margin(width, self._zoom())
        if side != self._side:
            self._side = side
            self.apply_column(self.document())

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._fit_column(event.size().width() - self.verticalScrollBar().sizeHint().width())
        super().resizeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        theme = self._theme
        if theme is not None:
            from streamchat_desktop.ui.transcript.backdrop import Backdrop, Visible

            if self._backdrop_painter is None or self._backdrop_painter.theme is not theme:
                self._backdrop_painter = Backdrop(theme)
            painter = QPainter(self.viewport())
            top = float(self.verticalScrollBar().value())
            painter.translate(-self.horizontalScrollBar().value(), -top)
            visible = Visible(top, top + self.viewport().height())
            self._backdrop_painter.paint(painter, self.document(), visible, self.selected_span())
            painter.end()
        super().paintEvent(event)
