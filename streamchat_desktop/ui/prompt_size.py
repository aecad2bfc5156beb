"""A quiet size hint under a long prompt: its characters and roughly how many tokens it
costs (about four characters a token), so a paste that eats the context is noticed
before it is sent. Counting reads the document's size, never its text: O(1) per key."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget

SHOWN_FROM_CHARS = 500  # shorter prompts need no hint
CHARS_PER_TOKEN = 4


def size_hint_text(characters: int) -> str:
    tokens = max(1, round(characters / CHARS_PER_TOKEN))
    return f"{characters:,} characters · about {tokens:,} tokens"


class PromptSizeHint(QLabel):
    """Follows ``box``; shown while its text is at least ``SHOWN_FROM_CHARS`` long."""

    def __init__(self, box: QPlainTextEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._box = box
        self.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.setEnabled(False)  # drawn in the palette's quieter colour
        self.setAccessibleName("Prompt size")
        self.setToolTip("A rough count: about four characters make a token")
        self.hide()
        box.document().contentsChanged.connect(self._refresh)

    def _refresh(self) -> None:
        characters = self._box.document().characterCount() - 1  # minus the final separator
        long_enough = characters >= SHOWN_FROM_CHARS
        if long_enough:
            self.setText(size_hint_text(characters))
        if long_enough == self.isHidden():
            self.setVisible(long_enough)
