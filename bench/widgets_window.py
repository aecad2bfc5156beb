"""A reference for the start-up benchmark: the app's first frame without the app.

The same widgets as StreamChat's window shows at its first paint (a search box, a New
chat button and a list on the left; a QTextBrowser, a composer and Send on the right; a
toolbar with three actions and a model picker; three menus; a status bar), built the
plainest way, with none of the app's code. Between the floor (an empty QMainWindow)
and the app, it shows what those widgets cost PySide6 and Qt by themselves: the fonts,
the ``Qt`` namespace's Python enums, wrapping the widget classes. It reports its first
paint exactly as the app does (see floor_window.py).
"""

from __future__ import annotations

import sys

from floor_window import FloorWindow
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStatusBar,
    QTextBrowser,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

MENUS = {
    "&File": ["New chat", "Settings…", "Open companion view", "Copy companion URL",
              "Start companion view at launch", "Export as Markdown…", "Export as JSON…",
              "Export all…", "Import…", "Quit"],
    "&View": ["System", "Light", "Dark"],
    "&Chat": ["Retry", "Regenerate answer", "Edit last prompt", "Previous version",
              "Next version", "Stop", "Search conversations", "Copy last answer",
              "Conversation settings…"],
}  # fmt: skip


class WidgetsWindow(FloorWindow):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("StreamChat")
        side = QWidget(self)
        side_column = QVBoxLayout(side)
        side_column.addWidget(QLineEdit(side, placeholderText="Search all conversations"))
        side_column.addWidget(QPushButton("+  New chat", side))
        side_column.addWidget(QListWidget(side), 1)
        chat = QWidget(self)
        chat_column = QVBoxLayout(chat)
        chat_column.addWidget(QTextBrowser(chat), 1)
        row = QHBoxLayout()
        row.addWidget(QPlainTextEdit(chat), 1)
        row.addWidget(QPushButton("Send", chat), 0, Qt.AlignmentFlag.AlignBottom)
        chat_column.addLayout(row)
        splitter = QSplitter(self)
        splitter.addWidget(side)
        splitter.addWidget(chat)
        splitter.setSizes([260, 720])
        self.setCentralWidget(splitter)

        toolbar = QToolBar("Main", self)
        self.addToolBar(toolbar)
        for name, keys in (("New chat", "Ctrl+N"), ("Retry", "Ctrl+R"), ("Stop", "Esc")):
            action = QAction(name, self)
            action.setShortcut(QKeySequence(keys))
            toolbar.addAction(action)
        spacer = QWidget(self)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addWidget(QLabel("Model", self))
        toolbar.addWidget(QComboBox(self))
        for title, items in MENUS.items():
            menu = self.menuBar().addMenu(title)
            for item in items:
                menu.addAction(QAction(item, self))
        status = QStatusBar(self)
        status.addPermanentWidget(QLabel("", self))
        self.setStatusBar(status)


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = WidgetsWindow()
    QTimer.singleShot(0, window.show)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
