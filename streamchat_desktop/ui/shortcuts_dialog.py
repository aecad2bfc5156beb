"""Help → Keyboard shortcuts: the list is read from the window's own actions, so it
never drifts from what the keys really do."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


def shortcut_rows(window: QWidget) -> list[tuple[str, str]]:
    """(what it does, keys) for every action of ``window`` that has a shortcut."""
    rows: dict[tuple[str, str], None] = {}
    for action in window.findChildren(QAction):
        keys = ", ".join(
            sequence.toString(QKeySequence.SequenceFormat.NativeText)
            for sequence in action.shortcuts()
            if not sequence.isEmpty()
        )
        if keys:
            rows[(action.text().replace("&", ""), keys)] = None
    return sorted(rows, key=lambda row: row[0].casefold())


class ShortcutsDialog(QDialog):
    """A read-only table of the window's shortcuts."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        rows = shortcut_rows(window)
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setToolTip("Every shortcut of the main window")
        self.table.setHorizontalHeaderLabels(["Action", "Shortcut"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for index, (text, keys) in enumerate(rows):
            self.table.setItem(index, 0, QTableWidgetItem(text))
            self.table.setItem(index, 1, QTableWidgetItem(keys))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(460, 420)

    def rows(self) -> list[tuple[str, str]]:
        """What the table shows, row by row."""
        return [(self._cell(row, 0), self._cell(row, 1)) for row in range(self.table.rowCount())]

    def _cell(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""
