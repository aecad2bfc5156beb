"""Painting of the conversation list: title, when and model, a live dot while streaming.

Loaded with the first rows, not with the window: the Qt painting classes it uses cost
the first frame a few milliseconds to set up.
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QLineEdit, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from streamchat_desktop.ui.app_theme import mix
from streamchat_desktop.ui.sidebar_roles import KIND_ROLE, STREAMING_ROLE, SUBTITLE_ROLE

Index = QModelIndex | QPersistentModelIndex
PAD = 10


class ConversationDelegate(QStyledItemDelegate):
    """Two-line rows with rounded selection, and small section headers (Today, …)."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        line = option.fontMetrics.height()
        if index.data(KIND_ROLE) == "header":
            return QSize(0, line + 12)
        return QSize(0, line * 2 + 16)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = option.palette
        rect = QRect(option.rect).adjusted(4, 1, -4, -1)
        if index.data(KIND_ROLE) == "header":
            self._paint_header(painter, option, rect, str(index.data()))
        else:
            self._paint_row(painter, option, rect, index, palette)
        painter.restore()

    def _paint_header(
        self, painter: QPainter, option: QStyleOptionViewItem, rect: QRect, text: str
    ) -> None:
        font = QFont(option.font)
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.85))
        font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(font)
        palette = option.palette
        painter.setPen(
            mix(
                palette.color(QPalette.ColorRole.Text), palette.color(QPalette.ColorRole.Base), 0.45
            )
        )
        painter.drawText(
            rect.adjusted(PAD, 4, -PAD, 0),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom),
            text.upper(),
        )

    def _paint_row(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        rect: QRect,
        index: Index,
        palette: QPalette,
    ) -> None:
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        accent = palette.color(QPalette.ColorRole.Highlight)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        if selected or hovered:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(mix(base, accent, 0.22 if selected else 0.08))
            painter.drawRoundedRect(QRectF(rect), 7, 7)

        streaming = bool(index.data(STREAMING_ROLE))
        inner = rect.adjusted(PAD, 6, -PAD - (14 if streaming else 0), -6)
        metrics = option.fontMetrics
        title_font = QFont(option.font)
        title_font.setWeight(QFont.Weight.Medium if selected else QFont.Weight.Normal)
        painter.setFont(title_font)
        painter.setPen(text)
        title = metrics.elidedText(
            str(index.data() or ""), Qt.TextElideMode.ElideRight, inner.width()
        )
        title_rect = QRect(inner.left(), inner.top(), inner.width(), metrics.height())
        painter.drawText(
            title_rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), title
        )

        small = QFont(option.font)
        small.setPointSizeF(max(6.0, small.pointSizeF() * 0.88))
        painter.setFont(small)
        painter.setPen(mix(text, base, 0.45))
        subtitle = "Replying…" if streaming else str(index.data(SUBTITLE_ROLE) or "")
        sub_rect = QRect(inner.left(), title_rect.bottom() + 2, inner.width(), metrics.height())
        elided = painter.fontMetrics().elidedText(
            subtitle, Qt.TextElideMode.ElideRight, inner.width()
        )
        painter.drawText(
            sub_rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), elided
        )

        if streaming:
            pulse = 0.55 + 0.45 * math.sin(time.monotonic() * 5.0)
            dot = QColor(accent)
            dot.setAlphaF(max(0.25, min(1.0, pulse)))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(dot)
            center_y = rect.center().y()
            painter.drawEllipse(QRectF(rect.right() - PAD - 8, center_y - 4, 8, 8))

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        editor = QLineEdit(parent)
        editor.setFrame(True)
        editor.setAccessibleName("Conversation title")
        return editor

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: Index
    ) -> None:
        rect = QRect(option.rect).adjusted(PAD - 2, 4, -PAD + 2, -4)
        height = editor.sizeHint().height()
        editor.setGeometry(rect.left(), rect.center().y() - height // 2, rect.width(), height)
