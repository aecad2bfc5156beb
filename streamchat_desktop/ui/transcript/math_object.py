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

import gc
import itertools
import logging
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from PySide6.QtCore import QRect, QRectF, QSizeF, QTimer
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QPainter,
    QPyTextObject,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import QTextEdit
from shiboken6 import isValid

from streamchat_desktop.ui.transcript.math_cache import (
    MALFORMED,
    FormulaKey,
    Metrics,
    Typesetter,
    shared_typesetter,
)
from streamchat_desktop.ui.transcript.math_page import (
    FOREGROUND,
    HANDLER_FLAG,
    Page,
    draw_source,
    page_of,
    pixel_size,
    source_size,
)
from streamchat_desktop.ui.transcript.math_syntax import HAS_FORMULAS
from streamchat_desktop.ui.transcript.properties import (
    CODE_BACKGROUND_PROPERTY,
    DISPLAY_PROPERTY,
    LATEX_PROPERTY,
    SOURCE_PROPERTY,
)

log = logging.getLogger(__name__)

FORMULA_OBJECT = QTextFormat.ObjectTypes.UserObject + 20
WATCHED_PER_FORMULA = 16
RELAYOUT_MS = 40  # formulas typeset meanwhile are laid out in one pass
MAX_DOCUMENTS = 256  # views remembered (a view shows one document at a time)
DISPLAY_SIDE_ROOM = 48.0  # what a display block's width leaves for margins and indents


class FormulaObject(QPyTextObject):
    """Sizes and paints the formula objects of every document it is registered with."""

    def __init__(self, typesetter: Typesetter) -> None:
        super().__init__()
        self._typesetter = typesetter
        self._numbers = itertools.count(1)
        # the view of each registered document (weakly): documents are reached through
        # their view only, which tells whether it is still alive and still shows them
        self._views: OrderedDict[int, weakref.ref[QTextEdit]] = OrderedDict()
        self._watched: dict[tuple[str, bool, float], dict[tuple[int, int], None]] = {}
        self._healing: list[tuple[int, int, str]] = []
        self._arrived: list[tuple[int, int, str]] = []
        typesetter.typeset.connect(self._on_typeset)

    @property
    def pending(self) -> bool:
        """Whether typeset formulas wait to be laid out again (the relayout is batched)."""
        return bool(self._arrived or self._healing)

    # QTextObjectInterface: Python run inside Qt's layout and painting, where an exception
    # escaping crashes PySide (so any failure is logged and the formula stays source) and
    # a garbage collection may free Qt objects the layout still uses (so none runs there).

    def intrinsicSize(self, doc: QTextDocument, pos: int, fmt: QTextFormat) -> QSizeF:
        try:
            with _collector_held():
                return self._intrinsic_size(doc, pos, fmt)
        except Exception:
            log.debug("formula not sized", exc_info=True)
            try:
                return source_size(page_of(doc), fmt)
            except Exception:
                return QSizeF(1.0, 1.0)

    def drawObject(
        self,
        painter: QPainter,
        box: QRectF | QRect,
        doc: QTextDocument,
        pos: int,
        fmt: QTextFormat,
    ) -> None:
        try:
            with _collector_held():
                self._draw_object(painter, QRectF(box), doc, pos, fmt)
        except Exception:
            log.debug("formula not drawn", exc_info=True)

    def _intrinsic_size(self, doc: QTextDocument, pos: int, fmt: QTextFormat) -> QSizeF:
        page = page_of(doc)
        key = self._key(page, fmt, _screen_ratio())
        metrics = self._typesetter.metrics.get(key.base)
        if metrics is None:
            self._typesetter.request(key)
            self._watch(page, pos, key.base)
        if metrics is None or metrics is MALFORMED:
            return source_size(page, fmt)
        return self._typeset_size(page, metrics, key.display)

    def _draw_object(
        self, painter: QPainter, rect: QRectF, doc: QTextDocument, pos: int, fmt: QTextFormat
    ) -> None:
        page = page_of(doc)
        key = self._key(page, fmt, painter.device().devicePixelRatioF())
        metrics = self._typesetter.metrics.get(key.base)
        formula = self._typesetter.images.get(key)
        if metrics is None or metrics is MALFORMED or formula is None:
            if metrics is not MALFORMED:
                self._typesetter.request(key)
                self._watch(page, pos, key.base)
            if metrics is None or metrics is MALFORMED:
                draw_source(painter, rect, page, fmt)
            return
        size = self._typeset_size(page, metrics, key.display)
        if abs(rect.width() - size.width()) > 0.5 or abs(rect.height() - size.height()) > 0.5:
            self._heal(page, pos, key.latex)  # laid out as source: no room for the image yet
            draw_source(painter, rect, page, fmt)
            return
        scale = self._fit(page, metrics, key.display)
        target = QRectF(rect.left(), rect.top(), metrics.width * scale, metrics.height * scale)
        painter.drawImage(target, formula.image)

    # Keys and sizes -------------------------------------------------------------------

    @staticmethod
    def _key(page: Page, fmt: QTextFormat, ratio: float) -> FormulaKey:
        char = fmt.toCharFormat()
        rgb = char.foreground().color().rgb() if char.hasProperty(FOREGROUND) else 0
        return FormulaKey(
            str(fmt.property(LATEX_PROPERTY) or ""),
            bool(fmt.property(DISPLAY_PROPERTY)),
            float(pixel_size(page, char)),
            f"#{rgb & 0xFFFFFF:06x}",
            round(ratio, 2),
        )

    def _typeset_size(self, page: Page, metrics: Metrics, display: bool) -> QSizeF:
        """The object's box: an inline formula's ends at the baseline (its depth hangs
        below, as text's descenders do), a display formula's holds all of it."""
        scale = self._fit(page, metrics, display)
        above = metrics.height if display else metrics.height - metrics.depth
        return QSizeF(metrics.width * scale, max(1.0, above * scale))

    @staticmethod
    def _fit(page: Page, metrics: Metrics, display: bool) -> float:
        """A display formula wider than the text column is scaled down to fit it."""
        room = page.text_width - 2 * page.margin - DISPLAY_SIDE_ROOM
        if not display or page.text_width <= 0 or metrics.width <= room:
            return 1.0
        return max(0.1, room / metrics.width)

    # Laying out again when a formula arrives ------------------------------------------

    def register(self, doc: QTextDocument) -> None:
        """Lay out and paint the formula objects of ``doc`` (in a view: its parent)."""
        number = next(self._numbers)
        doc.setProperty(HANDLER_FLAG, number)
        doc.documentLayout().registerHandler(FORMULA_OBJECT, self)
        view = doc.parent()
        if isinstance(view, QTextEdit):
            self._views[number] = weakref.ref(view)
            while len(self._views) > MAX_DOCUMENTS:
                self._views.popitem(last=False)

    def _shown(self, number: int) -> QTextDocument | None:
        """Document ``number`` if its view is alive and shows it, else None. (A wrapper
        kept from before could be stale: PySide then raises on any call.)"""
        ref = self._views.get(number)
        view = ref() if ref is not None else None
        if view is None or not isValid(view):
            self._views.pop(number, None)
            return None
        try:
            doc = view.document()
            return doc if doc.property(HANDLER_FLAG) == number else None
        except RuntimeError:
            return None

    def _watch(self, page: Page, pos: int, base: tuple[str, bool, float]) -> None:
        """Remember where a formula waits (no cursor: making one during layout lays out)."""
        if page.number:
            watched = self._watched.setdefault(base, {})
            watched[page.number, pos] = None
            if len(watched) > WATCHED_PER_FORMULA:
                del watched[next(iter(watched))]

    def _on_typeset(self, base: tuple[str, bool, float]) -> None:
        """Formulas arrive one by one; their blocks are laid out again together, at most
        every ``RELAYOUT_MS`` (Qt lays out all that follows a changed block again)."""
        if not self._arrived:
            QTimer.singleShot(RELAYOUT_MS, self._relayout_arrived)
        for number, pos in self._watched.pop(base, {}):
            self._arrived.append((number, pos, base[0]))

    def _relayout_arrived(self) -> None:
        arrived, self._arrived = self._arrived, []
        spans: dict[int, tuple[int, int]] = {}
        for number, pos, latex in arrived:
            doc = self._shown(number)
            if doc is None:
                continue
            if _formula_at(doc, pos) == latex:
                low, high = spans.get(number, (pos, pos))
                spans[number] = (min(low, pos), max(high, pos))
            else:  # moved since: repainting finds it (``_heal``)
                doc.documentLayout().update.emit(QRectF(0, 0, 1e9, 1e9))
        for number, (low, high) in spans.items():
            doc = self._shown(number)
            if doc is not None:
                _relayout(doc, low, high - low + 1)

    def _heal(self, page: Page, pos: int, latex: str) -> None:
        """A formula laid out before it was typeset is painted: lay its block out again,
        after the paint (laying out while painting is not allowed)."""
        if not page.number:
            return
        if not self._healing:
            QTimer.singleShot(0, self._heal_now)
        self._healing.append((page.number, pos, latex))

    def _heal_now(self) -> None:
        healing, self._healing = self._healing, []
        for number, pos, latex in healing:
            doc = self._shown(number)
            if doc is not None and _formula_at(doc, pos) == latex:
                _relayout(doc, pos)


@contextmanager
def _collector_held() -> Iterator[None]:
    """The garbage collector held off while Qt lays formulas out: a collection inside the
    layout (``intrinsicSize`` runs Python) that freed Qt objects left behind made Qt touch
    freed memory (measured: 1 run in 3 of tests/ui/transcript/test_math.py without it,
    none in 25 with it)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _relayout(doc: QTextDocument, pos: int, length: int = 1) -> None:
    """Lay the block of the formula at ``pos`` out again (its size changed)."""
    with _collector_held():
        doc.markContentsDirty(pos, length)


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


def _screen_ratio() -> float:
    app = QGuiApplication.instance()
    return app.devicePixelRatio() if isinstance(app, QGuiApplication) else 1.0


@cache
def _formula_object() -> FormulaObject:
    return FormulaObject(shared_typesetter())


def ensure_handler(doc: QTextDocument) -> None:
    """Let ``doc`` lay out and paint formula objects (once per document). This makes its
    layout: a document not shown yet would then be laid out at every insertion, so the
    view registers a document it shows (``HAS_FORMULAS``) only when it shows it."""
    if not doc.property(HANDLER_FLAG):
        _formula_object().register(doc)


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
    doc = cursor.document()
    if not doc.property(HANDLER_FLAG):
        doc.setProperty(HAS_FORMULAS, True)
        view = doc.parent()
        if isinstance(view, QTextEdit) and view.document() is doc:
            ensure_handler(doc)  # shown already: laid out as it is written anyway
    fmt = QTextCharFormat(base)
    fmt.setObjectType(FORMULA_OBJECT)
    fmt.setProperty(LATEX_PROPERTY, latex)
    fmt.setProperty(DISPLAY_PROPERTY, display)
    fmt.setProperty(SOURCE_PROPERTY, source)
    fmt.setProperty(CODE_BACKGROUND_PROPERTY, code_background)
    if not base.hasProperty(FOREGROUND):
        fmt.setForeground(color)
    with _collector_held():  # a shown document lays the formula out as it is inserted
        cursor.insertText("\ufffc", fmt)
    Formulas.written = True


def formula_source(fmt: QTextFormat) -> str | None:
    """The source of the formula ``fmt`` formats, or None if it is not a formula."""
    if fmt.objectType() != FORMULA_OBJECT:
        return None
    return str(fmt.property(SOURCE_PROPERTY) or "")
