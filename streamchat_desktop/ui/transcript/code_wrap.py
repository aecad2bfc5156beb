"""A code block's Wrap link: its long lines wrap at the column, or scroll again."""

from __future__ import annotations

from PySide6.QtGui import QTextBlock, QTextCursor

from streamchat_desktop.ui.transcript.document import CODE_LINE_PROPERTY

WRAP_LABEL = "Wrap"


def toggle_wrap(start: QTextBlock, href: str) -> bool:
    """Find the code header holding the link ``href`` from ``start`` (its message's header)
    on, and flip the wrapping of the code lines under it; whether it was found."""
    document = start.document()
    cursor = QTextCursor(start)
    while True:
        cursor = document.find(WRAP_LABEL, cursor)
        if cursor.isNull():
            return False
        if cursor.charFormat().anchorHref() == href:
            break
    block = cursor.block().next()
    if not block.isValid() or not block.blockFormat().property(CODE_LINE_PROPERTY):
        return True
    wrap = block.blockFormat().nonBreakableLines()
    edit = QTextCursor(block)
    edit.beginEditBlock()
    while block.isValid() and block.blockFormat().property(CODE_LINE_PROPERTY):
        fmt = block.blockFormat()
        fmt.setNonBreakableLines(not wrap)
        QTextCursor(block).setBlockFormat(fmt)
        block = block.next()
    edit.endEditBlock()
    return True
