"""The transcript's look: a capped, centred reading column; prompts in a painted box;
light and dark themes drawn distinctly; a code block's Wrap link."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from streamchat_desktop.core.models import Message, Role
from streamchat_desktop.ui.app_theme import dark_palette
from streamchat_desktop.ui.transcript.look import READING_WIDTH
from streamchat_desktop.ui.transcript.messages import BUBBLE_PAD, USER_INSET
from streamchat_desktop.ui.transcript.properties import CODE_LINE_PROPERTY
from streamchat_desktop.ui.transcript.view import TranscriptView

LONG_CODE = "```python\n" + "x = 1  # " + "long " * 80 + "\n```\n"


def _view(qtbot: Any, width: int, palette: QPalette | None = None) -> TranscriptView:
    view = TranscriptView(open_links=False)
    if palette is not None:
        view.setPalette(palette)
    qtbot.addWidget(view)
    view.resize(width, 600)
    view.show()
    qtbot.waitExposed(view)
    view.set_messages(
        [Message(Role.USER, "hello there"), Message(Role.ASSISTANT, "Hi.\n\n" + LONG_CODE)]
    )
    return view


def test_the_text_column_stays_a_reading_width_on_a_wide_window(qtbot: Any) -> None:
    view = _view(qtbot, 2560)
    frame = view.document().rootFrame().frameFormat()
    column = view.document().pageSize().width() - frame.leftMargin() - frame.rightMargin()
    assert column <= READING_WIDTH + 40
    assert abs(frame.leftMargin() - frame.rightMargin()) < 1  # centred
    view.resize(600, 600)
    qtbot.waitUntil(lambda: view.document().rootFrame().frameFormat().leftMargin() < 40)


def _pixel_in_prompt_box(view: TranscriptView) -> QColor:
    block = view._writer.headers[view.message_ids()[0]].next()
    top = block.layout().position().y() - view.verticalScrollBar().value()
    x = view.document().rootFrame().frameFormat().leftMargin() + USER_INSET + BUBBLE_PAD / 2
    return view.viewport().grab().toImage().pixelColor(int(x), int(top))


def test_light_and_dark_themes_paint_the_prompt_box_distinctly(qtbot: Any) -> None:
    light = _view(qtbot, 900, QApplication.style().standardPalette())
    dark = _view(qtbot, 900, dark_palette())
    light_box, dark_box = _pixel_in_prompt_box(light), _pixel_in_prompt_box(dark)
    light_base = light.palette().color(QPalette.ColorRole.Base)
    dark_base = dark.palette().color(QPalette.ColorRole.Base)
    assert light_box != light_base and dark_box != dark_base  # the box is painted
    assert light_box.lightness() > 128 > dark_box.lightness()
    assert light._theme is not None and dark._theme is not None
    assert light._theme.dark is False and dark._theme.dark is True
    assert light._theme.code_background != dark._theme.code_background


def test_wrap_toggles_the_wrapping_of_its_code_block(qtbot: Any) -> None:
    view = _view(qtbot, 900)
    code = [b for b in _blocks(view) if b.blockFormat().property(CODE_LINE_PROPERTY)]
    assert code and all(b.blockFormat().nonBreakableLines() for b in code)
    found = view.document().find("Wrap")
    href = found.charFormat().anchorHref()
    assert href.startswith("wrap:")
    view._on_anchor_clicked(QUrl(href))
    code = [b for b in _blocks(view) if b.blockFormat().property(CODE_LINE_PROPERTY)]
    assert not any(b.blockFormat().nonBreakableLines() for b in code)


def _blocks(view: TranscriptView) -> list[Any]:
    block, found = view.document().begin(), []
    while block.isValid():
        found.append(block)
        block = block.next()
    return found


def test_the_column_grows_with_the_text_zoom(qtbot: Any) -> None:
    view = _view(qtbot, 2560)
    before = view.document().rootFrame().frameFormat().leftMargin()
    font = view.font()
    font.setPointSizeF(font.pointSizeF() * 1.5)
    view.setFont(font)  # what Ctrl+= does (``TextZoom``)
    after = view.document().rootFrame().frameFormat().leftMargin()
    assert after < before - READING_WIDTH * 0.2  # a wider column, still centred
