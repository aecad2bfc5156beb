"""Every control of the window has a name for screen readers and a tooltip."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextBrowser,
)

from streamchat_desktop.ui.main_window import MainWindow

CONTROLS = (QAbstractButton, QLineEdit, QPlainTextEdit, QComboBox, QTextBrowser)


def unnamed_controls(window: MainWindow) -> list[str]:
    missing = []
    for kind in CONTROLS:
        for widget in window.findChildren(kind):
            if not widget.accessibleName() or not widget.toolTip():
                label = getattr(widget, "text", lambda: "")()
                missing.append(f"{type(widget).__name__} {widget.objectName()!r} {label!r}")
    return missing


def test_every_control_has_an_accessible_name_and_a_tooltip(stored_window: MainWindow) -> None:
    assert unnamed_controls(stored_window) == []
