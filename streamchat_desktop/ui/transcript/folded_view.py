"""The whole text behind a fold link, shown without freezing the window.

A QPlainTextEdit lays out only the lines on screen, but each line whole: a 1 MB line would
still freeze it. Lines are shown wrapped every ``WRAP`` characters (the dialog says so), the
text is added in slices of ``SLICE`` characters between events, and "Copy all" puts the
exact text on the clipboard.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from streamchat_desktop.ui.transcript.fold import describe_size, folded_text

WRAP = 2_000
SLICE = 50_000


def wrapped_lines(text: str, start: int, end: int) -> str:
    """``text[start:end]`` with lines longer than ``WRAP`` broken every ``WRAP`` characters."""
    out: list[str] = []
    for line in text[start:end].split("\n"):
        if len(line) <= WRAP:
            out.append(line)
        else:
            out.extend(line[i : i + WRAP] for i in range(0, len(line), WRAP))
    return "\n".join(out)


class FoldedTextDialog(QDialog):
    """Shows ``text`` whole, filled in slices; Copy all copies it exactly."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(900, 600)
        self._text = text
        self._position = 0
        note = QLabel(
            f"{describe_size(len(text))}. Lines longer than {WRAP:,} characters are shown "
            "wrapped; Copy all copies the exact text."
        )
        note.setWordWrap(True)
        self.editor = QPlainTextEdit(self)
        self.editor.setReadOnly(True)
        self.editor.setUndoRedoEnabled(False)
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        copy = QPushButton("Copy all", self)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self._on_copy_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.editor)
        layout.addWidget(buttons)
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._on_slice_due)
        self._on_slice_due()
        if not self.is_filled():
            self._timer.start()

    def is_filled(self) -> bool:
        return self._position >= len(self._text)

    def _on_slice_due(self) -> None:
        text = self._text
        end = text.find("\n", self._position + SLICE)
        end = len(text) if end < 0 else end
        cursor = self.editor.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        if self._position:
            cursor.insertText("\n")
        cursor.insertText(wrapped_lines(text, self._position, end))
        self._position = end + 1
        if self.is_filled():
            self._timer.stop()

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self._text)


def open_folded(parent: QWidget, text: str, fold: str) -> FoldedTextDialog | None:
    """Show the whole text behind the fold named ``fold`` of an answer
    (``fold.folded_text``); None for a fold name that means nothing."""
    found = folded_text(text, fold)
    if found is None:
        return None
    dialog = FoldedTextDialog(found[0], found[1], parent)
    dialog.setModal(False)
    dialog.show()
    return dialog
