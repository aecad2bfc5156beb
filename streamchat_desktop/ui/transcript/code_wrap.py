"""A code block's Wrap link: its long lines wrap at the column, or scroll again.

The choice is written on the block's header bar (``CODE_WRAPPED_PROPERTY``); each code line
takes it from the block above it as it is written, so the lines of a streaming block that
arrive after a click follow it too."""

from __future__ import annotations

from PySide6.QtGui import QTextBlock, QTextCursor

from streamchat_desktop.ui.transcript.properties import CODE_LINE_PROPERTY, CODE_WRAPPED_PROPERTY

WRAP_LABEL = "Wrap"


def toggle_wrap(start: QTextBlock, href: str) -> bool | None:
    """Find the code header holding the link ``href`` from ``start`` (its message's header)
    on, and flip the wrapping of the code lines under it; whether they wrap now (None: the
    link is not there)."""
    document = start.document()
    cursor = QTextCursor(start)
    while True:
        cursor = document.find(WRAP_LABEL, cursor)
        if cursor.isNull():
            return None
        if cursor.charFormat().anchorHref() == href:
            break
    header = cursor.block()
    wrap = not header.blockFormat().boolProperty(CODE_WRAPPED_PROPERTY)
    edit = QTextCursor(header)
    edit.beginEditBlock()
    fmt = header.blockFormat()
    fmt.setProperty(CODE_WRAPPED_PROPERTY, wrap)
    edit.setBlockFormat(fmt)
    block = header.next()
    while block.isValid() and block.blockFormat().boolProperty(CODE_LINE_PROPERTY):
        fmt = block.blockFormat()
        fmt.setNonBreakableLines(not wrap)
        QTextCursor(block).setBlockFormat(fmt)
        block = block.next()
    edit.endEditBlock()
    return wrap
