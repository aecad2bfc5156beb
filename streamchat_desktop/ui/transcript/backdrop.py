"""What Qt's rich text cannot draw, painted behind the document's visible blocks.

A prompt's rounded tinted box, the bar left of a quote, and the outline of the message the
keyboard selected. Only the blocks on screen are visited (found with the layout's hit
test), so a paint costs the viewport, not the conversation.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QTextBlock, QTextDocument

from streamchat_desktop.ui.transcript.code_box import CodeBox
from streamchat_desktop.ui.transcript.messages import BUBBLE_PAD, USER_INSET, USER_SECTIONS
from streamchat_desktop.ui.transcript.properties import (
    CODE_HEADER_PROPERTY,
    CODE_LINE_PROPERTY,
    QUOTE_PROPERTY,
    SECTION_PROPERTY,
)
from streamchat_desktop.ui.transcript.theme import Theme

QUOTE_BAR_WIDTH = 3.0
BOX_RADIUS = 10.0
QUOTE_PAD = 3.0  # the tint of a quote above its first line
OFF_SCREEN = 24.0  # a box cut by the viewport's edge goes on past it: no rounded corner there


@dataclass(frozen=True)
class Visible:
    """The part of the document on screen, in document coordinates."""

    top: float
    bottom: float


def visible_blocks(document: QTextDocument, visible: Visible) -> list[QTextBlock]:
    """The blocks that cross ``visible``: the first found by the layout's hit test at its
    top (a lookup, not a walk), then block by block to its bottom. (A hit test below the
    end of the document walks all of it: the bottom is found by walking.)"""
    layout = document.documentLayout()
    position = layout.hitTest(QPointF(0.0, visible.top), Qt.HitTestAccuracy.FuzzyHit)
    block = document.findBlock(max(0, position))
    found: list[QTextBlock] = []
    while block.isValid() and layout.blockBoundingRect(block).top() <= visible.bottom:
        found.append(block)
        block = block.next()
    return found


class Backdrop:
    """Paints the boxes and bars behind the text of one theme."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme
        self._kinds: dict[int, tuple[str, int]] = {}  # block format index -> its decoration
        self._document: QTextDocument | None = None

    def _kind(self, block: QTextBlock) -> tuple[str, int]:
        """What is painted behind ``block``: ("user" | "header" | "code" | "quote" | "",
        quote depth), read once per block format (blocks share a few formats)."""
        index = block.blockFormatIndex()
        kind = self._kinds.get(index)
        if kind is None:
            fmt = block.blockFormat()
            if fmt.boolProperty(CODE_HEADER_PROPERTY):
                kind = ("header", 0)
            elif fmt.boolProperty(CODE_LINE_PROPERTY):
                kind = ("code", 0)
            elif fmt.stringProperty(SECTION_PROPERTY) in USER_SECTIONS:
                kind = ("user", 0)
            else:
                depth = fmt.intProperty(QUOTE_PROPERTY)
                kind = ("quote", depth) if depth > 0 else ("", 0)
            self._kinds[index] = kind
        return kind

    def paint(
        self,
        painter: QPainter,
        document: QTextDocument,
        visible: Visible,
        selected: tuple[float, float] | None = None,
    ) -> None:
        if document is not self._document:
            self._document, self._kinds = document, {}
        frame = document.rootFrame().frameFormat()
        left = frame.leftMargin()
        right = document.pageSize().width() - frame.rightMargin()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if selected is not None:
            self._paint_selection(painter, left, right, selected, visible)
        box: QRectF | None = None
        code = CodeBox(painter, self.theme)
        quoted = 0  # the quote depth of the block before
        for block in visible_blocks(document, visible):
            kind, depth = self._kind(block)
            if kind in ("header", "code"):
                code.take(block, kind == "header", right)
                continue
            code.paint()
            if kind == "user":
                text = block.layout()
                text_top = text.position().y()
                top = text_top - BUBBLE_PAD if box is None else box.top()
                box = QRectF(left + USER_INSET, top, right - left - USER_INSET, 0)
                box.setBottom(text_top + text.boundingRect().height() + BUBBLE_PAD)
                continue
            if box is not None:
                self._paint_box(painter, box, visible)
                box = None
            if depth > 0:
                rect = document.documentLayout().blockBoundingRect(block)
                if quoted < depth:  # a quote starts: its tint begins near its text
                    rect.setTop(block.layout().position().y() - QUOTE_PAD)
                self._paint_quote(painter, left, right, rect, depth)
            quoted = depth
        if box is not None:
            self._paint_box(painter, box, visible)
        code.paint()

    def _paint_box(self, painter: QPainter, box: QRectF, visible: Visible) -> None:
        if box.top() < visible.top:
            box.setTop(visible.top - OFF_SCREEN)
        if box.bottom() > visible.bottom:
            box.setBottom(visible.bottom + OFF_SCREEN)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.theme.user_background)
        painter.drawRoundedRect(box, BOX_RADIUS, BOX_RADIUS)

    def _paint_quote(
        self, painter: QPainter, left: float, right: float, rect: QRectF, depth: int
    ) -> None:
        from streamchat_desktop.ui.transcript.tables import QUOTE_INDENT

        painter.setPen(Qt.PenStyle.NoPen)
        x = left + (depth - 1) * QUOTE_INDENT
        painter.fillRect(
            QRectF(x, rect.top(), right - x, rect.height()), self.theme.quote_background
        )
        bar = QRectF(x, rect.top(), QUOTE_BAR_WIDTH, rect.height())
        painter.fillRect(bar, self.theme.quote_bar)

    def _paint_selection(
        self,
        painter: QPainter,
        left: float,
        right: float,
        selected: tuple[float, float],
        visible: Visible,
    ) -> None:
        top, bottom = selected
        if bottom < visible.top or top > visible.bottom:
            return
        area = QRectF(left - 8, max(top, visible.top - OFF_SCREEN), right - left + 16, 0)
        area.setBottom(min(bottom, visible.bottom + OFF_SCREEN))
        outline = QColor(self.theme.link)
        fill = QColor(outline)
        outline.setAlpha(150)
        fill.setAlpha(14)
        painter.setPen(QPen(outline, 1.5))
        painter.setBrush(fill)
        painter.drawRoundedRect(area, BOX_RADIUS, BOX_RADIUS)
