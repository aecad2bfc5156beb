"""Where the Markdown writer is: the pen (a cursor at the end) and the containers around it."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtGui import (
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextList,
    QTextListFormat,
)

CODE_BOX_PAD = 6.0  # the painted box of a code block reaches this far past its text


class Pen:
    """Where the next block goes: a cursor at the end of the last block written.

    ``reuse`` is set when the current block is the empty block Qt leaves after a table:
    the next block fills it instead of adding one, so there is no stray empty line.
    """

    def __init__(self, cursor: QTextCursor, reuse: bool) -> None:
        self.cursor = cursor
        self.reuse = reuse

    @property
    def position(self) -> int:
        return self.cursor.position()

    def start_block(self, block_format: QTextBlockFormat, char_format: QTextCharFormat) -> None:
        if self.reuse:
            self.cursor.setBlockFormat(block_format)
            self.cursor.setBlockCharFormat(char_format)
            self.reuse = False
        else:
            self.cursor.insertBlock(block_format, char_format)


@dataclass
class _List:
    fmt: QTextListFormat
    qlist: QTextList | None = None


@dataclass
class _Item:
    owner: _List
    needs_marker: bool = True


@dataclass
class Context:
    """The containers around a block (quotes, lists) and where copy links point."""

    message_id: str = ""
    line_base: int = 0
    stack: list[object] = field(default_factory=list)
