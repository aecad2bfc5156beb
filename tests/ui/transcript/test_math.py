"""Math in the transcript: typeset formulas, prices left alone, malformed and hostile LaTeX,
copies, the cache, and display blocks while they stream."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import pytest
from PySide6.QtGui import QColor, QGuiApplication, QPalette, QTextDocument
from PySide6.QtWidgets import QApplication

from streamchat_desktop.core.models import MessageState
from streamchat_desktop.ui.transcript.math_cache import MALFORMED, shared_typesetter
from streamchat_desktop.ui.transcript.math_object import _formula_object
from streamchat_desktop.ui.transcript.math_typeset import refusal, svg_of
from streamchat_desktop.ui.transcript.properties import CODE_LINE_PROPERTY
from streamchat_desktop.ui.transcript.view import TranscriptView
from tests.support.formulas import formulas
from tests.support.qt_events import PATIENCE_MS
from tests.ui.transcript.conftest import REPLY_ID, assistant, one_shot_html, stream_into

ViewFactory = Callable[..., TranscriptView]

ANSWER = (
    "Energy: $E=mc^2$, a ratio \\(\\frac{a}{b}\\) and a sum:\n\n"
    "$$\n\\sum_{i=1}^{n} i = \\frac{n(n+1)}{2}\n$$\n\n"
    "\\[\n\\int_0^1 x\\,dx\n\\]\n"
)


def shown(make_view: ViewFactory, text: str) -> TranscriptView:
    view = make_view()
    view.resize(700, 500)
    view.show()
    view.set_messages([assistant(text)])
    return view


def wait_typeset(qtbot: object, view: TranscriptView) -> None:
    """Until every formula of the view is typeset (or found malformed), laid out again
    (the relayout is batched on a timer: ``pending``) and painted."""
    typesetter = shared_typesetter()
    handler = _formula_object()

    def settled() -> bool:
        return not typesetter.busy and not handler.pending

    def done() -> bool:
        view.viewport().grab()  # paints: painting asks for the images at the screen's ratio
        return settled()

    qtbot.waitUntil(done, timeout=PATIENCE_MS)  # type: ignore[attr-defined]
    view.viewport().grab()
    qtbot.waitUntil(settled, timeout=PATIENCE_MS)  # type: ignore[attr-defined]


def _images_of(view: TranscriptView) -> list[object]:
    typesetter = shared_typesetter()
    return [
        key
        for key in list(typesetter.images._items)
        if any(key.latex in source for _, source in formulas(view.document()))
    ]


def test_inline_and_display_formulas_are_typeset_as_images(
    qtbot: object, make_view: ViewFactory
) -> None:
    view = shown(make_view, ANSWER)
    found = formulas(view.document())
    assert [source for _, source in found] == [
        "$E=mc^2$",
        "\\(\\frac{a}{b}\\)",
        "$$\n\\sum_{i=1}^{n} i = \\frac{n(n+1)}{2}\n$$",
        "\\[\n\\int_0^1 x\\,dx\n\\]",
    ]
    wait_typeset(qtbot, view)
    typesetter = shared_typesetter()
    text = view.palette().color(QPalette.ColorRole.Text)
    for latex, display in [
        ("E=mc^2", False),
        ("\\frac{a}{b}", False),
        ("\\sum_{i=1}^{n} i = \\frac{n(n+1)}{2}\n", True),
        ("\\int_0^1 x\\,dx\n", True),
    ]:
        keys = [k for k in typesetter.images._items if (k.latex, k.display) == (latex, display)]
        assert keys, f"{latex!r} was not typeset"
        image = typesetter.images.get(keys[-1]).image  # type: ignore[union-attr]
        assert image.width() > 4 and image.height() > 4
        assert keys[-1].color == text.name(QColor.NameFormat.HexRgb)
    plain = view.document().toPlainText()
    assert "E=mc^2" not in plain  # the source is not in the text: the formula is an object


def test_inline_formula_hangs_below_the_baseline_by_its_depth(
    qtbot: object, make_view: ViewFactory
) -> None:
    view = shown(make_view, "a fraction $\\frac{1}{2}$ here")
    wait_typeset(qtbot, view)
    metrics = next(
        value
        for key, value in shared_typesetter().metrics._items.items()
        if key[0] == "\\frac{1}{2}"
    )
    assert 0 < metrics.depth < metrics.height
    position, _ = formulas(view.document())[0]
    block = view.document().findBlock(position)
    line = block.layout().lineForTextPosition(position - block.position())
    # the object's box is the part above the baseline: the line is at least that tall
    assert line.ascent() >= metrics.height - metrics.depth - 0.5


def test_prices_stay_text(make_view: ViewFactory) -> None:
    view = shown(make_view, "It costs $5 and $10, or $ 3 $ at most.")
    assert formulas(view.document()) == []
    assert "It costs $5 and $10, or $ 3 $ at most." in view.document().toPlainText()


def test_a_formula_opening_a_paragraph_that_ends_in_a_digit_is_math(
    make_view: ViewFactory,
) -> None:
    # dollarmath itself reads the paragraph's last character as the one before the "$"
    view = shown(make_view, "$x$ is 5")
    assert [source for _, source in formulas(view.document())] == ["$x$"]


def test_malformed_latex_is_shown_as_code_without_a_dialog_or_warning(
    qtbot: object, make_view: ViewFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    view = shown(make_view, "broken: $\\frac{a$ and $\\left( x$ end")
    wait_typeset(qtbot, view)
    typesetter = shared_typesetter()
    for latex in ("\\frac{a", "\\left( x"):
        assert typesetter.metrics.get((latex, False, _size_of(view))) is MALFORMED
    assert not [w for w in QApplication.topLevelWidgets() if w.isVisible() and w is not view]
    assert not [r for r in caplog.records if r.levelno >= logging.INFO and "formula" in r.message]
    image = view.viewport().grab().toImage()
    background = view.palette().color(QPalette.ColorRole.Base)
    code = {image.pixelColor(x, y).name() for x in range(image.width()) for y in range(60)}
    assert code - {background.name()}, "the malformed formula's source is drawn"


def _size_of(view: TranscriptView) -> float:
    keys = [k for k in shared_typesetter().metrics._items if k[0] == "\\frac{a"]
    return keys[-1][2]


@pytest.mark.parametrize(
    "latex",
    ["{" * 10_000 + "x" + "}" * 10_000, "x+" * 500_000, "\\left(" * 40 + "x" + "\\right)" * 40],
    ids=["10,000 nested braces", "1 MB formula", "nested \\left"],
)
def test_hostile_formulas_are_refused_before_ziamath(latex: str) -> None:
    assert refusal(latex) is not None
    assert svg_of(latex, display=False, size=16, color="#000000") is None


def test_a_refused_formula_is_written_as_inline_code(make_view: ViewFactory) -> None:
    nested = "{" * 10_000 + "x" + "}" * 10_000
    view = shown(make_view, f"deep: ${nested}$ end")
    assert formulas(view.document()) == []
    assert f"${nested[:50]}" in view.document().toPlainText()


def test_copy_gives_the_latex_source(qtbot: object, make_view: ViewFactory) -> None:
    view = shown(make_view, ANSWER)
    wait_typeset(qtbot, view)
    view.selectAll()
    copied = view.createMimeDataFromSelection().text()
    assert "Energy: $E=mc^2$, a ratio \\(\\frac{a}{b}\\) and a sum:" in copied
    assert "$$\n\\sum_{i=1}^{n} i = \\frac{n(n+1)}{2}\n$$" in copied
    assert "\\[\n\\int_0^1 x\\,dx\n\\]" in copied
    view.copy()
    assert "$E=mc^2$" in QGuiApplication.clipboard().text()


def test_a_repeated_formula_is_a_cache_hit(qtbot: object, make_view: ViewFactory) -> None:
    view = shown(make_view, "first $q_{repeat}^2$")
    wait_typeset(qtbot, view)
    typesetter = shared_typesetter()
    renders = typesetter.renders
    view.set_messages([assistant("again $q_{repeat}^2$ and $q_{repeat}^2$")])
    wait_typeset(qtbot, view)
    assert typesetter.renders == renders
    assert len(formulas(view.document())) == 2


def test_an_open_display_block_is_source_until_it_closes(
    qtbot: object, make_view: ViewFactory
) -> None:
    view = make_view()
    view.resize(700, 500)
    view.show()
    view.set_messages([])
    view.begin_reply(assistant(state=MessageState.STREAMING))
    view.append_text(REPLY_ID, "Sum:\n\n$$\n\\sum_k k^3\n")
    view.flush_pending()
    assert formulas(view.document()) == []
    code = _code_lines(view.document())
    assert code == ["$$", "\\sum_k k^3"]
    view.append_text(REPLY_ID, "$$\n\nafter")
    view.flush_pending()
    assert [s for _, s in formulas(view.document())] == ["$$\n\\sum_k k^3\n$$"]
    assert _code_lines(view.document()) == []
    wait_typeset(qtbot, view)
    assert any(k.latex == "\\sum_k k^3\n" for k in shared_typesetter().images._items)


def _code_lines(document: QTextDocument) -> list[str]:
    lines = []
    block = document.begin()
    while block.isValid():
        if block.blockFormat().property(CODE_LINE_PROPERTY):
            lines.append(block.text())
        block = block.next()
    return lines


MATH_CASES = {
    "inline and display": ANSWER,
    "display in a list": "- item\n\n  $$\n  x^2\n  $$\n- next $y$\n",
    "unclosed display": "text\n$$\n\\alpha\n\\beta",
    "display in a quote": "> $$\n> a+b\n> $$\n> after $c$\n",
    "prices and code": "costs $5 and $10; `$x$` is code; \\(z\\) is math\n",
    "one-line display": "$$ a^2 + b^2 $$\n\n\\[ c \\]\ntext",
}


@pytest.mark.parametrize("text", MATH_CASES.values(), ids=MATH_CASES.keys())
@pytest.mark.parametrize("size", [1, 3])
def test_streamed_math_equals_the_one_shot_render(
    make_view: ViewFactory, text: str, size: int
) -> None:
    streamed = make_view(frame_ms=60_000)
    reference = make_view()
    pieces = [text[i : i + size] for i in range(0, len(text), size)]
    stream_into(streamed, pieces, [True] * len(pieces))
    expected = one_shot_html(reference, text)
    assert streamed.document().toHtml() == expected
    assert formulas(streamed.document()) == formulas(reference.document())


def test_the_formula_takes_the_dark_theme_text_colour(
    qtbot: object, make_view: ViewFactory
) -> None:
    view = make_view()
    palette = view.palette()
    palette.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#e8e8e8"))
    view.setPalette(palette)
    view.resize(600, 300)
    view.show()
    view.set_messages([assistant("dark $\\omega_{dark}$")])
    wait_typeset(qtbot, view)
    key = next(k for k in shared_typesetter().images._items if k.latex == "\\omega_{dark}")
    assert key.color == QColor("#e8e8e8").name(QColor.NameFormat.HexRgb)
    image = shared_typesetter().images.get(key).image  # type: ignore[union-attr]
    inked = [
        image.pixelColor(x, y)
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() > 160
    ]
    assert inked and all(color.lightness() > 180 for color in inked)


def test_typesetting_on_other_threads_gives_the_same_svg() -> None:
    """ziamath keeps module state; the typesetter's worker and any other thread agree."""
    formulas_ = [f"\\frac{{{i}}}{{x_{i}}} + \\sqrt{{{i}}}" for i in range(12)]
    expected = [svg_of(f, display=False, size=16, color="#000000") for f in formulas_]
    results: dict[int, object] = {}

    def work(offset: int) -> None:
        for index in range(len(formulas_)):
            turn = (index + offset) % len(formulas_)
            results[offset * 100 + turn] = svg_of(
                formulas_[turn], display=False, size=16, color="#000000"
            )

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for key, value in results.items():
        assert value == expected[key % 100]
