"""How a search hit looks: its rich text, and the delegate that paints it.

Loaded with the first results, not with the window: the Qt painting classes it uses
cost the first frame a few milliseconds to set up.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QAbstractTextDocumentLayout, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from streamchat_desktop.core.models import Role
from streamchat_desktop.ui.app_theme import mix
from streamchat_desktop.ui.search_model import HTML_ROLE, SearchResult
from streamchat_desktop.ui.time_labels import short_date

Index = QModelIndex | QPersistentModelIndex


def hit_html(hit: SearchResult, mark_color: str, palette: QPalette) -> str:
    """A hit as rich text: title, who and when, then the snippet with matches marked."""
    dim = mix(palette.color(QPalette.ColorRole.Text), palette.color(QPalette.ColorRole.Base), 0.45)
    who = "You" if hit.role is Role.USER else hit.role.value.capitalize()
    when = short_date(hit.created_at)
    if hit.attachment_name:  # labelled: the words are in a file, not in what was typed
        when += f" · in attached file {hit.attachment_name}"
    parts: list[str] = []
    position = 0
    for start, end in hit.highlights:
        parts.append(html.escape(hit.snippet[position:start]))
        marked = html.escape(hit.snippet[start:end])
        parts.append(f'<span style="background-color:{mark_color};">{marked}</span>')
        position = end
    parts.append(html.escape(hit.snippet[position:]))
    snippet = "".join(parts).replace("\n", " ")
    return (
        f"<div><b>{html.escape(hit.conversation_title)}</b></div>"
        f'<div style="color:{dim.name()}; font-size:small;">{who} · {html.escape(when)}</div>'
        f'<div style="margin-top:2px;">{snippet}</div>'
    )


class HitDelegate(QStyledItemDelegate):
    """Rich-text rows: a QTextDocument laid out at the row's width."""

    def _document(self, option: QStyleOptionViewItem, index: Index, width: int) -> QTextDocument:
        document = QTextDocument()
        document.setDefaultFont(option.font)
        document.setDocumentMargin(8)
        document.setHtml(str(index.data(HTML_ROLE) or ""))
        document.setTextWidth(max(80, width))
        return document

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        width = option.rect.width() or (option.widget.width() if option.widget else 280)
        document = self._document(option, index, width - 8)
        return QSize(width, int(document.size().height()) + 4)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = option.palette
        rect = option.rect.adjusted(4, 2, -4, -2)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        if selected or hovered:
            base = palette.color(QPalette.ColorRole.Base)
            accent = palette.color(QPalette.ColorRole.Highlight)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(mix(base, accent, 0.2 if selected else 0.07))
            painter.drawRoundedRect(QRectF(rect), 7, 7)
        document = self._document(option, index, rect.width())
        painter.translate(rect.topLeft())
        context = QAbstractTextDocumentLayout.PaintContext()
        context.palette.setColor(QPalette.ColorRole.Text, palette.color(QPalette.ColorRole.Text))
        document.documentLayout().draw(painter, context)
        painter.restore()
