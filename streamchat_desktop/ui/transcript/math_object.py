"""Formulas in the transcript document: one object character each, drawn by ``FormulaObject``.

A formula is written as one object character whose format carries its LaTeX; what it looks
like is decided when Qt lays it out and paints it: typeset (an image from ``math_cache``)
once the worker has typeset it, its source in code style until then (or for good, if
ziamath refuses it). So the document's text and formats never depend on when typesetting
finished: a streamed answer and a one-shot render give the same document, positions never
shift when a formula arrives, and the only thing done then is to lay its block out again.

Inline formulas sit on the text baseline: the object's box ends at the baseline (Qt's
normal alignment), and the image is drawn ``depth`` pixels lower, as its own baseline says.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRect, QRectF, QSizeF, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontInfo,
    QFontMetricsF,
    QGuiApplication,
    QPainter,
    QPyTextObject,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from shiboken6 import isValid

from streamchat_desktop.ui.transcript.math_cache import (
    MALFORMED,
    FormulaKey,
    Metrics,
    Typesetter,
    shared_typesetter,
)

FORMULA_OBJECT = QTextFormat.ObjectTypes.UserObject + 20
LATEX_PROPERTY = QTextFormat.Property.UserProperty + 20
DISPLAY_PROPERTY = QTextFormat.Property.UserProperty + 21
SOURCE_PROPERTY = QTextFormat.Property.UserProperty + 22  # as written, for copies
CODE_BACKGROUND_PROPERTY = QTextFormat.Property.UserProperty + 23
SOURCE_PADDING = 2.0
WATCHED_PER_FORMULA = 16
DISPLAY_SIDE_ROOM = 48.0  # what a display block's width leaves for margins and indents
_HANDLER_FLAG = "streamchat_formulas"


class FormulaObject(QPyTextObject):
    """Sizes and paints the formula objects of every document it is registered with."""

    def __init__(self, typesetter: Typesetter) -> None:
        super().__init__()
        self._typesetter = typesetter
        self._watched: dict[tuple[str, bool, float], list[tuple[QTextDocument, int]]] = {}
        typesetter.typeset.connect(self._on_typeset)

    # QTextObjectInterface -------------------------------------------------------------

    def intrinsicSize(self, doc: QTextDocument, pos: int, fmt: QTextFormat) -> QSizeF:
        key = self._key(doc, fmt, _screen_ratio())
        metrics = self._typesetter.metrics.get(key.base)
        if metrics is None:
            self._typesetter.request(key)
            self._watch(doc, pos, key.base)
        if metrics is None or metrics is MALFORMED:
            return self._source_size(doc, fmt)
        return self._typeset_size(doc, metrics, key.display)

    def drawObject(
        self,
        painter: QPainter,
        box: QRectF | QRect,
        doc: QTextDocument,
        pos: int,
        fmt: QTextFormat,
    ) -> None:
        rect = QRectF(box)
        key = self._key(doc, fmt, painter.device().devicePixelRatioF())
        metrics = self._typesetter.metrics.get(key.base)
        formula = self._typesetter.images.get(key)
        if metrics is None or metrics is MALFORMED or formula is None:
            if metrics is not MALFORMED:
                self._typesetter.request(key)
                self._watch(doc, pos, key.base)
            if metrics is None or metrics is MALFORMED:
                self._draw_source(painter, rect, doc, fmt)
            return
        size = self._typeset_size(doc, metrics, key.display)
        if abs(rect.width() - size.width()) > 0.5 or abs(rect.height() - size.height()) > 0.5:
            self._heal(doc, pos, key.latex)  # laid out as source: no room for the image yet
            self._draw_source(painter, rect, doc, fmt)
            return
        scale = self._fit(doc, metrics, key.display)
        target = QRectF(rect.left(), rect.top(), metrics.width * scale, metrics.height * scale)
        painter.drawImage(target, formula.image)

    # Keys and sizes -------------------------------------------------------------------

    @staticmethod
    def _key(doc: QTextDocument, fmt: QTextFormat, ratio: float) -> FormulaKey:
        char = fmt.toCharFormat()
        color = char.foreground().color() if char.hasProperty(_FOREGROUND) else QColor("black")
        return FormulaKey(
            str(fmt.property(LATEX_PROPERTY) or ""),
            bool(fmt.property(DISPLAY_PROPERTY)),
            float(_pixel_size(doc, char)),
            color.name(QColor.NameFormat.HexRgb),
            round(ratio, 2),
        )

    def _typeset_size(self, doc: QTextDocument, metrics: Metrics, display: bool) -> QSizeF:
        """The object's box: an inline formula's ends at the baseline (its depth hangs
        below, as text's descenders do), a display formula's holds all of it."""
        scale = self._fit(doc, metrics, display)
        above = metrics.height if display else metrics.height - metrics.depth
        return QSizeF(metrics.width * scale, max(1.0, above * scale))

    @staticmethod
    def _fit(doc: QTextDocument, metrics: Metrics, display: bool) -> float:
        """A display formula wider than the text column is scaled down to fit it."""
        room = doc.textWidth() - 2 * doc.documentMargin() - DISPLAY_SIDE_ROOM
        if not display or doc.textWidth() <= 0 or metrics.width <= room:
            return 1.0
        return max(0.1, room / metrics.width)

    def _source_size(self, doc: QTextDocument, fmt: QTextFormat) -> QSizeF:
        metrics = QFontMetricsF(_source_font(doc, fmt.toCharFormat()))
        lines = _source_lines(fmt)
        width = max(metrics.horizontalAdvance(line) for line in lines) + 2 * SOURCE_PADDING
        room = doc.textWidth() - 2 * doc.documentMargin()
        if doc.textWidth() > 0:
            width = min(width, max(room, 40.0))
        return QSizeF(width, metrics.ascent() + (len(lines) - 1) * metrics.lineSpacing())

    def _draw_source(
        self, painter: QPainter, rect: QRectF, doc: QTextDocument, fmt: QTextFormat
    ) -> None:
        """The formula as written, in code style: until typeset, or for good if malformed."""
        char = fmt.toCharFormat()
        font = _source_font(doc, char)
        metrics = QFontMetricsF(font)
        painter.save()
        background = char.property(CODE_BACKGROUND_PROPERTY)
        box = QRectF(rect.left(), rect.top(), rect.width(), rect.height() + metrics.descent())
        if isinstance(background, QColor):
            painter.fillRect(box, background)
        painter.setFont(font)
        painter.setPen(
            char.foreground().color() if char.hasProperty(_FOREGROUND) else QColor("black")
        )
        painter.setClipRect(box)
        baseline = rect.top() + metrics.ascent()
        for line in _source_lines(fmt):
            shown = metrics.elidedText(line, Qt.TextElideMode.ElideRight, rect.width())
            painter.drawText(QPointF(rect.left() + SOURCE_PADDING, baseline), shown)
            baseline += metrics.lineSpacing()
        painter.restore()

    # Laying out again when a formula arrives ------------------------------------------

    def _watch(self, doc: QTextDocument, pos: int, base: tuple[str, bool, float]) -> None:
        """Remember where a formula waits (no cursor: making one here would lay out again)."""
        watched = self._watched.setdefault(base, [])
        watched.append((doc, pos))
        del watched[:-WATCHED_PER_FORMULA]

    def _on_typeset(self, base: tuple[str, bool, float]) -> None:
        for doc, pos in self._watched.pop(base, []):
            if not isValid(doc):
                continue
            if _formula_at(doc, pos) == base[0]:
                doc.markContentsDirty(pos, 1)
            else:  # moved since: repainting finds it (``_heal``)
                doc.documentLayout().update.emit(QRectF(0, 0, 1e9, 1e9))

    def _heal(self, doc: QTextDocument, pos: int, latex: str) -> None:
        """A formula laid out before it was typeset is painted: lay its block out again,
        after the paint (laying out while painting is not allowed)."""

        def relayout() -> None:
            if isValid(doc) and _formula_at(doc, pos) == latex:
                doc.markContentsDirty(pos, 1)

        QTimer.singleShot(0, relayout)


def _formula_at(doc: QTextDocument, pos: int) -> str | None:
    """The LaTeX of the formula object at ``pos``, if there is one."""
    if not 0 <= pos < doc.characterCount() - 1 or doc.characterAt(pos) != "\ufffc":
        return None
    block = doc.findBlock(pos)
    item = block.begin()
    while not item.atEnd():
        fragment = item.fragment()
        if fragment.position() <= pos < fragment.position() + fragment.length():
            fmt = fragment.charFormat()
            return str(fmt.property(LATEX_PROPERTY)) if fmt.objectType() == FORMULA_OBJECT else None
        item += 1
    return None


_FOREGROUND = QTextFormat.Property.ForegroundBrush


def _screen_ratio() -> float:
    app = QGuiApplication.instance()
    return app.devicePixelRatio() if isinstance(app, QGuiApplication) else 1.0


def _pixel_size(doc: QTextDocument, char: QTextCharFormat) -> int:
    font = char.font().resolve(doc.defaultFont())
    size = QFontInfo(font).pixelSize()
    adjust = char.property(QTextFormat.Property.FontSizeAdjustment)
    if isinstance(adjust, int) and adjust:
        size = round(size * 1.2 ** max(-2, min(3, adjust)))
    return max(6, min(size, 96))


def _source_font(doc: QTextDocument, char: QTextCharFormat) -> QFont:
    font = QFont(char.font().resolve(doc.defaultFont()))
    font.setFamilies([*char.fontFamilies(), "monospace"] if char.fontFamilies() else ["monospace"])
    font.setStyleHint(QFont.StyleHint.TypeWriter)
    font.setPixelSize(_pixel_size(doc, char))
    return font


def _source_lines(fmt: QTextFormat) -> list[str]:
    source = str(fmt.property(SOURCE_PROPERTY) or "")
    return source.split("\n") or [""]


@cache
def _formula_object() -> FormulaObject:
    return FormulaObject(shared_typesetter())


def ensure_handler(doc: QTextDocument) -> None:
    """Let ``doc`` lay out and paint formula objects (once per document)."""
    if doc.property(_HANDLER_FLAG):
        return
    doc.documentLayout().registerHandler(FORMULA_OBJECT, _formula_object())
    doc.setProperty(_HANDLER_FLAG, True)


class Formulas:
    """Whether any formula was written in this process (copies then map them back)."""

    written = False


def insert_formula(
    cursor: QTextCursor,
    latex: str,
    source: str,
    *,
    display: bool,
    base: QTextCharFormat,
    color: QColor,
    code_background: QColor,
) -> None:
    """Write one formula object at ``cursor``: ``latex`` to typeset, ``source`` as written."""
    ensure_handler(cursor.document())
    fmt = QTextCharFormat(base)
    fmt.setObjectType(FORMULA_OBJECT)
    fmt.setProperty(LATEX_PROPERTY, latex)
    fmt.setProperty(DISPLAY_PROPERTY, display)
    fmt.setProperty(SOURCE_PROPERTY, source)
    fmt.setProperty(CODE_BACKGROUND_PROPERTY, code_background)
    if not base.hasProperty(_FOREGROUND):
        fmt.setForeground(color)
    cursor.insertText("\ufffc", fmt)
    Formulas.written = True


def formula_source(fmt: QTextFormat) -> str | None:
    """The source of the formula ``fmt`` formats, or None if it is not a formula."""
    if fmt.objectType() != FORMULA_OBJECT:
        return None
    return str(fmt.property(SOURCE_PROPERTY) or "")
