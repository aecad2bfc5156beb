"""The rounded box behind a code block: its header bar (language, Copy, Wrap) in one tint,
its lines in another. Collected from the visible blocks by ``backdrop``."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QTextBlock

from streamchat_desktop.ui.transcript.context import CODE_BOX_PAD
from streamchat_desktop.ui.transcript.theme import Theme

CODE_RADIUS = 8.0


class CodeBox:
    """One code block's box, grown block by block, then painted."""

    def __init__(self, painter: QPainter, theme: Theme) -> None:
        self.painter, self.theme = painter, theme
        self.header: QRectF | None = None
        self.box: QRectF | None = None

    def take(self, block: QTextBlock, header: bool, right: float) -> None:
        """Grow the box with ``block``: a code block's header bar, or one of its lines."""
        text = block.layout()
        where = text.position()
        top, left = where.y(), where.x()
        bottom = top + text.boundingRect().height()
        if header:
            self.paint()  # a new code block starts right after the last one
            self.header = QRectF(left, top - CODE_BOX_PAD, right - left, 0)
            self.header.setBottom(bottom + CODE_BOX_PAD)
            self.box = QRectF(self.header)
        elif self.box is None:  # its header is above the viewport
            self.box = QRectF(left, top - CODE_BOX_PAD - CODE_RADIUS, right - left, 0)
        assert self.box is not None
        self.box.setBottom(max(self.box.bottom(), bottom + CODE_BOX_PAD))

    def paint(self) -> None:
        """Paint the box collected so far (if any) and start again."""
        painter, theme = self.painter, self.theme
        box, header = self.box, self.header
        self.box = self.header = None
        if box is None:
            return
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.code_background)
        painter.drawRoundedRect(box, CODE_RADIUS, CODE_RADIUS)
        if header is not None:
            painter.save()
            painter.setClipRect(header)
            painter.setBrush(theme.code_header_background)
            painter.drawRoundedRect(box, CODE_RADIUS, CODE_RADIUS)
            painter.restore()
