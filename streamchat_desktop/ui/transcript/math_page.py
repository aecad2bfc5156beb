"""What a formula object needs from its document, and how it looks as its source.

A formula shows its LaTeX source in code style until it is typeset, or for good if ziamath
refuses it; its size follows the text around it (the document's font, a heading's size).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontInfo,
    QFontMetricsF,
    QGuiApplication,
    QPainter,
    QTextCharFormat,
    QTextDocument,
    QTextFormat,
)

from streamchat_desktop.ui.transcript.properties import CODE_BACKGROUND_PROPERTY, SOURCE_PROPERTY

SOURCE_PADDING = 2.0
HANDLER_FLAG = "streamchat_formulas"  # a document's number with the formula handler

FOREGROUND = QTextFormat.Property.ForegroundBrush


@dataclass(frozen=True, slots=True)
class Page:
    """What sizing a formula needs from its document."""

    font: QFont
    text_width: float
    margin: float
    number: int  # the handler's number for the document (0: unknown)


def page_of(doc: QTextDocument) -> Page:
    """The facts of ``doc``. PySide can hand a virtual a stale wrapper of a document at
    a reused address (calls on it raise): then the app's font and no width are assumed,
    because an exception must not leave a Qt virtual (PySide crashes on it)."""
    try:
        number = doc.property(HANDLER_FLAG)
        return Page(
            doc.defaultFont(),
            doc.textWidth(),
            doc.documentMargin(),
            number if isinstance(number, int) else 0,
        )
    except RuntimeError:
        return Page(QGuiApplication.font(), -1.0, 0.0, 0)


def pixel_size(page: Page, char: QTextCharFormat) -> int:
    """Pixels per em of the text around a formula (formats set no font sizes: only the
    document's font and a heading's size adjustment count)."""
    size = _font_pixels(page.font.family(), page.font.pointSizeF(), page.font.pixelSize())
    adjust = char.property(QTextFormat.Property.FontSizeAdjustment)
    if isinstance(adjust, int) and adjust:
        size = round(size * 1.2 ** max(-2, min(3, adjust)))
    return max(6, min(size, 96))


@cache
def _font_pixels(family: str, points: float, pixels: int) -> int:
    """The pixel size of a font (Qt resolves it: a few microseconds each, so kept)."""
    font = QFont(family)
    if pixels > 0:
        font.setPixelSize(pixels)
    elif points > 0:
        font.setPointSizeF(points)
    return QFontInfo(font).pixelSize()


def _source_font(page: Page, char: QTextCharFormat) -> QFont:
    font = QFont(char.font().resolve(page.font))
    font.setFamilies([*char.fontFamilies(), "monospace"] if char.fontFamilies() else ["monospace"])
    font.setStyleHint(QFont.StyleHint.TypeWriter)
    font.setPixelSize(pixel_size(page, char))
    return font


def _source_lines(fmt: QTextFormat) -> list[str]:
    source = str(fmt.property(SOURCE_PROPERTY) or "")
    return source.split("\n") or [""]


def source_size(page: Page, fmt: QTextFormat) -> QSizeF:
    """The box of a formula shown as its source (one line or more, code style)."""
    metrics = QFontMetricsF(_source_font(page, fmt.toCharFormat()))
    lines = _source_lines(fmt)
    width = max(metrics.horizontalAdvance(line) for line in lines) + 2 * SOURCE_PADDING
    room = page.text_width - 2 * page.margin
    if page.text_width > 0:
        width = min(width, max(room, 40.0))
    return QSizeF(width, metrics.ascent() + (len(lines) - 1) * metrics.lineSpacing())


def draw_source(painter: QPainter, rect: QRectF, page: Page, fmt: QTextFormat) -> None:
    """The formula as written, in code style: until typeset, or for good if malformed."""
    char = fmt.toCharFormat()
    font = _source_font(page, char)
    metrics = QFontMetricsF(font)
    painter.save()
    background = char.property(CODE_BACKGROUND_PROPERTY)
    box = QRectF(rect.left(), rect.top(), rect.width(), rect.height() + metrics.descent())
    if isinstance(background, QColor):
        painter.fillRect(box, background)
    painter.setFont(font)
    painter.setPen(char.foreground().color() if char.hasProperty(FOREGROUND) else QColor("black"))
    painter.setClipRect(box)
    baseline = rect.top() + metrics.ascent()
    for line in _source_lines(fmt):
        shown = metrics.elidedText(line, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(QPointF(rect.left() + SOURCE_PADDING, baseline), shown)
        baseline += metrics.lineSpacing()
    painter.restore()
