"""Keyboard use of the window: the shortcut list comes from its actions, and text zoom
with Ctrl+=, Ctrl+- and Ctrl+0 scales the transcript and the prompt box."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication

from streamchat_desktop.ui.main_window import MainWindow
from streamchat_desktop.ui.shortcuts_dialog import ShortcutsDialog
from streamchat_desktop.ui.text_zoom import MAX_STEP, MIN_STEP


def test_help_lists_every_shortcut_of_the_window(stored_window: MainWindow, qtbot: Any) -> None:
    window = stored_window
    window.menus.shortcuts_action.trigger()
    dialog = window.findChild(ShortcutsDialog)
    assert dialog is not None and dialog.isVisible()
    shown = dict(dialog.rows())
    with_keys = [a for a in window.findChildren(QAction) if not a.shortcut().isEmpty()]
    assert len(with_keys) >= 12
    for action in with_keys:
        keys = shown[action.text().replace("&", "")]
        assert action.shortcut().toString(QKeySequence.SequenceFormat.NativeText) in keys
    assert "Keyboard shortcuts" in shown and "Larger text" in shown
    dialog.reject()


def focus_the_prompt(window: MainWindow, qtbot: Any) -> None:
    window.activateWindow()
    window.composer.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.composer)


def press(window: MainWindow, qtbot: Any, key: Qt.Key) -> None:
    qtbot.keyClick(window.composer, key, Qt.KeyboardModifier.ControlModifier)


def test_ctrl_plus_minus_and_zero_zoom_the_text_and_say_so(
    stored_window: MainWindow, qtbot: Any
) -> None:
    window = stored_window
    focus_the_prompt(window, qtbot)
    normal = window.transcript.font().pointSizeF(), window.composer.font().pointSizeF()
    told: list[int] = []
    window.text_zoom_changed.connect(told.append)

    press(window, qtbot, Qt.Key.Key_Equal)
    press(window, qtbot, Qt.Key.Key_Equal)
    assert told == [1, 2]
    assert window.transcript.font().pointSizeF() == pytest.approx(normal[0] * 1.2)
    assert window.composer.font().pointSizeF() == pytest.approx(normal[1] * 1.2)
    press(window, qtbot, Qt.Key.Key_Minus)
    assert told[-1] == 1
    press(window, qtbot, Qt.Key.Key_0)
    assert told[-1] == 0
    assert window.transcript.font().pointSizeF() == pytest.approx(normal[0])

    for _ in range(MAX_STEP + 3):
        window.menus.zoom_in_action.trigger()
    assert window.zoom.step == MAX_STEP and told.count(MAX_STEP) == 1
    window.zoom.set_step(-100)
    assert window.zoom.step == MIN_STEP


def test_tab_goes_from_the_prompt_to_send_and_reaches_the_welcome(
    stored_window: MainWindow, qtbot: Any
) -> None:
    window = stored_window
    focus_the_prompt(window, qtbot)
    qtbot.keyClick(window.composer, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is window.send_button
    qtbot.keyClick(window.send_button, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is window.attach_button
    examples = set(window.live.welcome.examples)
    reached = set()
    for _ in range(40):  # the whole chain, round to the prompt again
        focused = QApplication.focusWidget()
        assert focused is not None
        reached.add(focused)
        if focused is window.composer:
            break
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is window.composer
    assert examples <= reached and window.transcript in reached
