"""The prompt box grows with its text up to ten lines, tells the size of a long prompt,
and takes a 20,000-line paste whole (its speed is measured in bench/paste.py)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QMimeData

from streamchat_desktop.ui.main_window import MainWindow
from streamchat_desktop.ui.prompt_size import SHOWN_FROM_CHARS


def test_the_box_grows_with_its_lines_up_to_ten(stored_window: MainWindow) -> None:
    box = stored_window.composer
    box.setPlainText("one line")
    two_lines = box.height()
    box.setPlainText("\n".join(["line"] * 5))
    five_lines = box.height()
    box.setPlainText("\n".join(["line"] * 10))
    ten_lines = box.height()
    box.setPlainText("\n".join(["line"] * 40))
    assert two_lines < five_lines < ten_lines
    assert box.height() == ten_lines  # then it scrolls
    assert box.verticalScrollBar().maximum() > 0


def test_a_long_prompt_shows_its_size_in_characters_and_tokens(
    stored_window: MainWindow,
) -> None:
    box, hint = stored_window.composer, stored_window.prompt_size
    box.setPlainText("x" * (SHOWN_FROM_CHARS - 1))
    assert not hint.isVisible()
    box.setPlainText("y" * 2000)
    assert hint.isVisible()
    assert hint.text() == "2,000 characters · about 500 tokens"
    box.clear()
    assert not hint.isVisible()


def test_a_paste_of_twenty_thousand_lines_arrives_intact(
    stored_window: MainWindow, qtbot: Any
) -> None:
    box = stored_window.composer
    offered: list[QMimeData] = []
    box.files_offered.connect(offered.append)
    text = "\n".join(f"line {i:05d} of the pasted log" for i in range(20_000))
    mime = QMimeData()
    mime.setText(text)
    box.setPlainText("Explain this log:\n")
    box.moveCursor(box.textCursor().MoveOperation.End)
    box.insertFromMimeData(mime)
    assert box.toPlainText() == "Explain this log:\n" + text
    assert box.document().blockCount() == 20_001
    assert offered == []  # text is text, not an attachment
    assert stored_window.prompt_size.isVisible()
    assert f"about {round(len(box.toPlainText()) / 4):,} tokens" in (
        stored_window.prompt_size.text()
    )
    box.setPlainText("\n".join(["line"] * 10))
    ten_lines = box.height()
    box.insertFromMimeData(mime)
    assert box.height() == ten_lines  # the box stays at its limit
