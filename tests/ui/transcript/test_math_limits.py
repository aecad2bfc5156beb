"""Math against untrusted sizes and failures: huge images, slow formulas, a bounded image
cache, exceptions inside Qt's virtuals, and the batched relayout as a fact to wait on."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable

import pytest
from PySide6.QtCore import QRectF, QSizeF
from PySide6.QtGui import QColor, QImage, QPainter, QTextCharFormat, QTextCursor, QTextDocument

from streamchat_desktop.core.models import MessageState
from streamchat_desktop.ui.transcript import math_object
from streamchat_desktop.ui.transcript.math_cache import (
    IMAGE_BYTES,
    FormulaKey,
    Typesetter,
    shared_typesetter,
)
from streamchat_desktop.ui.transcript.math_object import FormulaObject, insert_formula
from streamchat_desktop.ui.transcript.math_typeset import fits, refusal, svg_of, typeset
from streamchat_desktop.ui.transcript.view import TranscriptView
from tests.support.formulas import formulas
from tests.ui.transcript.conftest import REPLY_ID, assistant
from tests.ui.transcript.test_math import shown, wait_typeset

ViewFactory = Callable[..., TranscriptView]
SQUARE = "\\rule{60em}{60em}"  # about 1,281 logical pixels a side at 16 px


def _typeset(latex: str, ratio: float) -> object:
    return typeset(latex, display=False, size=16, color="#000000", ratio=ratio)


@pytest.mark.parametrize(
    "latex", ["\\rule{300em}{300em}", "\\rule{300em}{1em}"], ids=["square", "wide"]
)
def test_a_short_formula_asking_for_a_huge_image_is_refused(latex: str) -> None:
    assert svg_of(latex, display=False, size=16, color="#000000") is not None
    assert _typeset(latex, ratio=2) is None


def test_the_pixel_budget_counts_the_device_pixel_ratio() -> None:
    assert _typeset(SQUARE, ratio=2) is not None
    assert _typeset(SQUARE, ratio=4) is None  # 5,124² device pixels
    assert fits(4_096, 10, 1) and not fits(4_097, 10, 1) and not fits(10, 4_097, 1)
    assert fits(4_000, 4_000, 1) and not fits(4_000, 4_000, 2)


def test_the_image_cache_is_bounded_by_bytes() -> None:
    formula = _typeset(SQUARE, ratio=2)
    assert formula is not None
    size = formula.image.sizeInBytes()  # type: ignore[attr-defined]
    typesetter = Typesetter()
    count = IMAGE_BYTES // size + 2
    for n in range(count):
        key = FormulaKey(f"{SQUARE} {n}", False, 16.0, "#000000", 2.0)
        typesetter.images.put(key, formula)  # type: ignore[arg-type]
    assert len(typesetter.images) < count
    assert typesetter.images.weight <= IMAGE_BYTES
    assert typesetter.images.weight == len(typesetter.images) * size


@pytest.mark.parametrize(
    "latex", ["a+" * 990, "a+" * 251, "ab" * 160], ids=["990 terms", "502 chars", "symbols"]
)
def test_a_formula_too_slow_to_typeset_is_refused(latex: str) -> None:
    assert refusal(latex) is not None
    assert refusal("\\alpha " * 60) is None


class _FailingTypesetter(Typesetter):
    """A typesetter with a bug: asking it for a formula raises."""

    def request(self, key: FormulaKey) -> None:
        raise ValueError("a bug in the typesetter")


def _one_formula(handler: FormulaObject) -> tuple[QTextDocument, QTextCharFormat]:
    doc = QTextDocument()
    handler.register(doc)
    cursor = QTextCursor(doc)
    insert_formula(
        cursor,
        "x^{failing}",
        "$x^{failing}$",
        display=False,
        base=QTextCharFormat(),
        color=QColor("black"),
        code_background=QColor("#eeeeee"),
    )
    fragment = doc.begin().begin().fragment()
    return doc, fragment.charFormat()


def test_an_exception_in_the_qt_virtuals_stays_inside_them(
    qapp: object, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=math_object.__name__)
    handler = FormulaObject(_FailingTypesetter())
    doc, fmt = _one_formula(handler)  # laid out as it is inserted: intrinsicSize failed
    caplog.clear()
    size = handler.intrinsicSize(doc, 0, fmt)
    assert isinstance(size, QSizeF) and size.width() > 0 and size.height() > 0
    image = QImage(200, 50, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    handler.drawObject(painter, QRectF(0, 0, size.width(), size.height()), doc, 0, fmt)
    painter.end()
    assert [r.message for r in caplog.records] == ["formula not sized", "formula not drawn"]


def test_formulas_are_inserted_and_laid_out_with_the_collector_held_off(
    make_view: ViewFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    states: list[bool] = []
    sized = FormulaObject._intrinsic_size

    def recording(self: FormulaObject, *args: object) -> QSizeF:
        states.append(gc.isenabled())
        return sized(self, *args)  # type: ignore[arg-type]

    view = shown(make_view, "first $y$")
    view.begin_reply(assistant(state=MessageState.STREAMING))
    monkeypatch.setattr(FormulaObject, "_intrinsic_size", recording)
    collecting = gc.isenabled()  # off in the whole suite (main_thread_gc): on for this test
    gc.enable()
    try:
        view.append_text(REPLY_ID, "held $z^{held}$ off")
        view.flush_pending()  # a shown document lays the formula out as it is inserted
        assert states and not any(states)
        assert gc.isenabled()
    finally:
        if not collecting:
            gc.disable()


def test_pending_says_a_typeset_formula_waits_for_its_relayout(
    qtbot: object, make_view: ViewFactory
) -> None:
    handler = math_object._formula_object()
    seen: list[bool] = []
    typesetter = shared_typesetter()
    typesetter.typeset.connect(lambda _base: seen.append(handler.pending))
    try:
        view = shown(make_view, "a fraction $\\frac{p}{q_{pending}}$ here")
        wait_typeset(qtbot, view)
    finally:
        typesetter.typeset.disconnect()
    assert seen and seen[0], "the formula's relayout was still to come when it arrived"
    assert not handler.pending
    metrics = next(v for k, v in typesetter.metrics._items.items() if k[0].endswith("{pending}}"))
    position, _ = formulas(view.document())[0]
    block = view.document().findBlock(position)
    line = block.layout().lineForTextPosition(position - block.position())
    assert line.ascent() >= metrics.height - metrics.depth - 0.5
