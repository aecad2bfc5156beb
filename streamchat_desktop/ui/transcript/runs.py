"""Inserting untrusted text into the document: bidi controls made visible, fold marks as links.

Bidirectional controls (embeddings, overrides, isolates, marks) reorder what is shown:
``abc<RLO>gnp.exe<PDF>`` displays as "abcexe.png". Like code editors, the transcript shows
each one as a small dimmed label (``⟨RLO⟩``) instead of obeying it, so what you read is
the order of the characters. The label carries the character it stands for
(``ORIGINAL_PROPERTY``): copying a selection gives the original text back
(``exact_copy.ExactCopy.createMimeDataFromSelection``), and the stored text never changes.
"""

from __future__ import annotations

import re

from PySide6.QtGui import QTextCharFormat, QTextCursor, QTextFormat

from streamchat_desktop.ui.transcript.fold import mark_index
from streamchat_desktop.ui.transcript.properties import ORIGINAL_PROPERTY
from streamchat_desktop.ui.transcript.theme import Theme

BIDI_LABELS = {
    "\u061c": "ALM",
    "\u200e": "LRM",
    "\u200f": "RLM",
    "\u202a": "LRE",
    "\u202b": "RLE",
    "\u202c": "PDF",
    "\u202d": "LRO",
    "\u202e": "RLO",
    "\u2066": "LRI",
    "\u2067": "RLI",
    "\u2068": "FSI",
    "\u2069": "PDI",
}
_SPECIAL = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\U000f0000-\U0010ffff]")


class RunWriter:
    """Inserts text runs; ``message_id`` names the message whose fold links are written."""

    labels_written = False  # a bidi label was written in this process: copies map them back

    def __init__(self, theme: Theme) -> None:
        self.theme = theme
        self.message_id = ""

    def insert(self, cursor: QTextCursor, text: str, fmt: QTextCharFormat) -> None:
        if not _SPECIAL.search(text):
            cursor.insertText(text, fmt)
            return
        position = 0
        for match in _SPECIAL.finditer(text):
            if match.start() > position:
                cursor.insertText(text[position : match.start()], fmt)
            self._insert_special(cursor, match.group(), fmt)
            position = match.end()
        if position < len(text):
            cursor.insertText(text[position:], fmt)

    def _insert_special(self, cursor: QTextCursor, char: str, fmt: QTextCharFormat) -> None:
        label = BIDI_LABELS.get(char)
        if label is not None:
            shown = QTextCharFormat(fmt)
            shown.setForeground(self.theme.dim)
            shown.setBackground(self.theme.inline_code_background)
            shown.setProperty(QTextFormat.Property.FontSizeAdjustment, -1)
            shown.setProperty(ORIGINAL_PROPERTY, char)
            cursor.insertText(f"⟨{label}⟩", shown)
            RunWriter.labels_written = True
            return
        index = mark_index(char)
        if index is None:
            cursor.insertText("\ufffd", fmt)
            return
        link = QTextCharFormat(fmt)
        link.setAnchor(True)
        link.setAnchorHref(f"fold:{self.message_id}:{index}")
        link.setForeground(self.theme.link)
        link.setFontUnderline(True)
        link.setFontItalic(True)
        cursor.insertText(" ", fmt)
        if index < 0:
            cursor.insertText("⋯ the rest of this answer is folded — show all", link)
        else:
            cursor.insertText("⋯ long line folded — show all", link)
