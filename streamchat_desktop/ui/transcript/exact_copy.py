"""Copy from the transcript gives the original text, not what Qt drew.

Separate from the view because it is a clipboard concern with its own lazy imports: bidi
labels turn back into the characters they stand for and formulas into their LaTeX source
(``clipboard.selection_text``), and the work is only done once such a run was written.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData
from PySide6.QtWidgets import QTextBrowser


class ExactCopy(QTextBrowser):
    """The copy override of ``view.TranscriptView``."""

    def createMimeDataFromSelection(self) -> QMimeData:
        """Copy gives the original text: bidi labels turn back into their characters,
        formulas into their LaTeX source."""
        mime = super().createMimeDataFromSelection()
        from streamchat_desktop.ui.transcript.math_object import Formulas
        from streamchat_desktop.ui.transcript.runs import RunWriter

        if RunWriter.labels_written or Formulas.written:
            from streamchat_desktop.ui.transcript.clipboard import selection_text

            cursor = self.textCursor()
            start, end = cursor.selectionStart(), cursor.selectionEnd()
            exact = QMimeData()  # Qt's own mime data rewrites its text when read
            if "\ufffc" not in cursor.selectedText():  # its HTML would lose formulas
                exact.setHtml(mime.html())
            exact.setText(selection_text(self.document(), start, end))
            return exact
        return mime
