"""Which message is where: a point or a document position to a message, and a message to
the stretch of document it takes.

Each message's header block is kept as the writer wrote it (``MessageWriter.headers``);
QTextBlock handles stay valid while the document changes elsewhere. A lookup is a binary
search over the shown messages' headers: a mouse move costs O(log n) block lookups, not a
walk over the document.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QTextBlock, QTextDocument

from streamchat_desktop.ui.transcript.properties import MESSAGE_ID_PROPERTY

SPAN_PAD = 8.0


class MessageSpans:
    """The header blocks of the shown messages, in the order of ``ids``."""

    def __init__(self, headers: dict[str, QTextBlock]) -> None:
        self.headers = headers

    def header(self, message_id: str) -> QTextBlock | None:
        """The message's header block, if it is shown (and still its own)."""
        block = self.headers.get(message_id)
        if block is None or not block.isValid():
            return None
        if block.blockFormat().property(MESSAGE_ID_PROPERTY) != message_id:
            return None
        return block

    def at_position(self, ids: Sequence[str], position: int) -> str | None:
        """The message whose span holds document ``position`` (the last header at or
        before it)."""
        low, high, found = 0, len(ids) - 1, None
        while low <= high:  # messages not rendered yet (``opening``) come first: "before"
            middle = (low + high) // 2
            block = self.header(ids[middle])
            if block is None or block.position() <= position:
                found = ids[middle] if block is not None else found
                low = middle + 1
            else:
                high = middle - 1
        return found

    def at_point(self, document: QTextDocument, ids: Sequence[str], point: QPointF) -> str | None:
        """The message under ``point`` (document coordinates)."""
        layout = document.documentLayout()
        if point.y() >= layout.documentSize().height() - 1:  # below the end (a hit test
            return self.at_position(ids, document.characterCount())  # there walks it all)
        position = layout.hitTest(point, Qt.HitTestAccuracy.FuzzyHit)
        if position < 0:
            return None
        return self.at_position(ids, position)

    def span(
        self, document: QTextDocument, ids: Sequence[str], message_id: str
    ) -> tuple[float, float] | None:
        """The top and bottom (document coordinates) of the message's blocks."""
        block = self.header(message_id)
        if block is None or message_id not in ids:
            return None
        layout = document.documentLayout()
        layout.blockBoundingRect(block)  # laid out now if the lazy layout has not got there
        top = block.layout().position().y() - SPAN_PAD
        index = list(ids).index(message_id)
        following = next(
            (b for mid in ids[index + 1 :] if (b := self.header(mid)) is not None), None
        )
        if following is None:
            return top, layout.documentSize().height() - SPAN_PAD
        layout.blockBoundingRect(following)
        gap = following.blockFormat().topMargin()
        return top, following.layout().position().y() - gap * 0.4
