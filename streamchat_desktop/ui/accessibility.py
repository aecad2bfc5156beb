"""Names and tooltips for the controls Qt makes on the window's behalf (a toolbar's
action buttons, its overflow button, an editable combo box's line edit), so that a
screen reader and a mouse user learn what every control does."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLineEdit, QToolButton, QWidget

# The overflow buttons Qt adds when a toolbar or the menu bar does not fit
_OVERFLOW = {
    "qt_toolbar_ext_button": "More toolbar actions",
    "qt_menubar_ext_button": "More menus",
}


def name_controls(root: QWidget) -> None:
    """Fill in a missing accessible name or tooltip where the control itself says what
    it does: from its action, from its combo box, or as one of Qt's overflow buttons."""
    for button in root.findChildren(QToolButton):
        action = button.defaultAction()
        if isinstance(button.parent(), QLineEdit) and (action is None or not action.text()):
            _fill(button, "Clear", "Clear the text")  # a line edit's clear button
        elif action is not None:
            text = action.text().replace("&", "")
            shortcut = action.shortcut().toString()
            _fill(button, text, f"{text} ({shortcut})" if shortcut else text)
        elif button.objectName() in _OVERFLOW:
            _fill(button, _OVERFLOW[button.objectName()], _OVERFLOW[button.objectName()])
    for combo in root.findChildren(QComboBox):
        line = combo.lineEdit()
        if isinstance(line, QLineEdit):
            _fill(line, combo.accessibleName(), combo.toolTip())


def _fill(widget: QWidget, name: str, tooltip: str) -> None:
    if not widget.accessibleName():
        widget.setAccessibleName(name)
    if not widget.toolTip():
        widget.setToolTip(tooltip)
