"""The transcript's current QTextDocument: making one, installing it, and the pen at its end.

Separate from the view because a document swap has its own rules (formulas need their
handler before Qt lays the document out; Qt deletes only documents its text control owns;
the pen at the end is made again for the new document) that the rendering code should not
have to remember. Every edit goes through one ``EditBlock``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QTextCursor, QTextDocument

from streamchat_desktop.ui.transcript.editing import EditBlock
from streamchat_desktop.ui.transcript.follow import FollowScroll

if TYPE_CHECKING:
    from streamchat_desktop.ui.transcript.context import Pen


class DocumentHost(FollowScroll):
    """The document and end-of-document pen of ``view.TranscriptView`` (its edits keep
    following the bottom, so it builds on ``FollowScroll``)."""

    _document: QTextDocument | None = None
    _pen_at_end: Pen | None = None
    _pen_reuse: bool = True

    @property
    def _pen(self) -> Pen:
        """Writes at the end of the document."""
        if self._pen_at_end is None:
            from streamchat_desktop.ui.transcript.context import Pen

            cursor = QTextCursor(self.document())
            cursor.movePosition(QTextCursor.MoveOperation.End)
            self._pen_at_end = Pen(cursor, self._pen_reuse)
        return self._pen_at_end

    def _new_document(self) -> QTextDocument:
        document = QTextDocument(self)
        document.setUndoRedoEnabled(False)
        document.setDefaultFont(self.font())
        document.setIndentWidth(22)
        document.setDocumentMargin(10)
        self.apply_column(document)
        return document

    def _install_document(self, document: QTextDocument, reuse: bool = True) -> None:
        """Show ``document``; the pen then writes at its end (``reuse``: see Pen)."""
        previous = self._document
        from streamchat_desktop.ui.transcript.math_syntax import HAS_FORMULAS

        if document.property(HAS_FORMULAS):  # before Qt lays it out
            from streamchat_desktop.ui.transcript.math_object import ensure_handler

            ensure_handler(document)
        self.setDocument(document)
        self._document = document
        if previous is not None:
            previous.deleteLater()  # Qt deletes only documents its text control owns
        self._pen_at_end = None
        self._pen_reuse = reuse

    def _editing(self) -> EditBlock:
        return EditBlock(self)
