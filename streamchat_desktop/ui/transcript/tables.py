"""Markdown tables in the document, written in pieces of at most ``TABLE_PIECE_ROWS`` rows.

Qt lays a table out as one frame: every row added re-lays the whole table, so a growing
table costs more per row the longer it is. Past ``TABLE_PIECE_ROWS`` body rows a table goes
on in a new QTextTable that repeats the header (as printed tables do). Even so, editing a
QTextTable costs about 20 ms a row (measured), far too slow for a generated CSV streaming at
thousands of rows a second: past ``GRID_AFTER_ROWS`` body rows, each row is one line of
monospaced text, its cells padded to the header's widths and separated by "│" (a few
hundred microseconds a row). ``GRID_BLOCK_ROWS`` such lines share one block (line
separators between them): a Qt block costs about 5 KB once laid out, whatever its length.
Past ``TABLE_FOLD_ROWS`` body rows the rest of the table is folded (like a long line): one
link says so and opens the whole table; the folded rows build nothing. Streaming appends
body rows with the same calls as a one-shot render, so both give the same document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QFont,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextTable,
    QTextTableFormat,
)

from streamchat_desktop.ui.transcript.context import _List
from streamchat_desktop.ui.transcript.fold import TABLE_FOLD_PREFIX
from streamchat_desktop.ui.transcript.writer_host import WriterHost

if TYPE_CHECKING:
    from markdown_it.token import Token

    from streamchat_desktop.ui.transcript.context import Context, Pen

TABLE_PIECE_ROWS = 25
GRID_AFTER_ROWS = 50  # body rows past this are lines of text: Qt edits a table row in ~20 ms
GRID_BLOCK_ROWS = 25  # lines of text a block holds (a block costs about 5 KB laid out)
TABLE_FOLD_ROWS = 500  # body rows past this are folded (not built): memory stays bounded
GRID_MIN_WIDTH = 3
QUOTE_INDENT = 14.0

TableRow = list[tuple[Qt.AlignmentFlag, "Token | None"]]


@dataclass
class TablePiece:
    """The table being written: its current QTextTable and what a next piece repeats."""

    table: QTextTable
    header: list[TableRow]
    columns: int
    body_rows: int = 0  # body rows written (or folded) in all pieces
    line: int = 0  # the source line of its header row (names its fold link)

    @property
    def full(self) -> bool:
        """Whether the next body row starts a new piece."""
        return self.body_rows > 0 and self.body_rows % TABLE_PIECE_ROWS == 0


class TableMixin(WriterHost):
    """The table half of ``MarkdownWriter``."""

    if TYPE_CHECKING:

        def write_inline(
            self, cursor: QTextCursor, token: Token, base: QTextCharFormat
        ) -> None: ...

    last_table: TablePiece | None = None  # the table written last (streaming goes on with it)

    def _write_table(self, pen: Pen, tokens: list[Token], index: int, ctx: Context) -> int:
        """A table: the header row(s) first, then body rows appended one by one."""
        line = ctx.line_base + (tokens[index].map or [0])[0]
        header, body, index = table_rows(tokens, index)
        columns = max((len(row) for row in header + body), default=1) or 1
        piece = self.start_table_piece(pen, ctx, header, columns)
        piece.line = line
        self.append_table_rows(pen, ctx, piece, body)
        return index

    def start_table_piece(
        self, pen: Pen, ctx: Context, header: list[TableRow], columns: int, body_rows: int = 0
    ) -> TablePiece:
        spacer = QTextBlockFormat()
        spacer.setLineHeight(1, QTextBlockFormat.LineHeightTypes.FixedHeight.value)
        self._leaf(pen, ctx, spacer, QTextCharFormat())
        table = pen.cursor.insertTable(max(1, len(header)), columns, self._table_format(ctx))
        for r, row in enumerate(header):
            self._write_row(table, r, row, header=True)
        pen.cursor.setPosition(table.lastPosition() + 1)
        pen.reuse = True
        piece = TablePiece(table, header, columns, body_rows)
        self.last_table = piece
        return piece

    def append_table_rows(
        self, pen: Pen, ctx: Context, piece: TablePiece, rows: list[TableRow]
    ) -> None:
        index = 0
        while index < len(rows):
            if piece.body_rows >= GRID_AFTER_ROWS:
                self._append_text_rows(pen, ctx, piece, rows[index:])
                return
            if piece.full:
                next_piece = self.start_table_piece(
                    pen, ctx, piece.header, piece.columns, piece.body_rows
                )
                piece.table, piece.body_rows = next_piece.table, next_piece.body_rows
                self.last_table = piece
            room = min(
                TABLE_PIECE_ROWS - piece.body_rows % TABLE_PIECE_ROWS,
                GRID_AFTER_ROWS - piece.body_rows,
            )
            batch = rows[index : index + room]
            first = piece.table.rows()
            piece.table.appendRows(len(batch))  # one re-layout of the table, not one a row
            for offset, row in enumerate(batch):
                self._write_row(piece.table, first + offset, row, header=False)
            piece.body_rows += len(batch)
            index += len(batch)
            pen.cursor.setPosition(piece.table.lastPosition() + 1)

    def _append_text_rows(
        self, pen: Pen, ctx: Context, piece: TablePiece, rows: list[TableRow]
    ) -> None:
        """Rows past ``GRID_AFTER_ROWS``: lines of text, then past ``TABLE_FOLD_ROWS``
        only counted (one fold link stands for them)."""
        for row in rows:
            if piece.body_rows < TABLE_FOLD_ROWS:
                self._write_grid_row(pen, ctx, piece, row)
            elif piece.body_rows == TABLE_FOLD_ROWS:
                self._write_table_fold(pen, ctx, piece)
            piece.body_rows += 1

    def _write_grid_row(self, pen: Pen, ctx: Context, piece: TablePiece, row: TableRow) -> None:
        fmt = self._grid_format()
        if (piece.body_rows - GRID_AFTER_ROWS) % GRID_BLOCK_ROWS == 0:
            self._start_grid_block(pen, ctx)
        else:
            pen.cursor.insertText("\u2028", fmt)
        widths = [max(GRID_MIN_WIDTH, len(_cell_text(cell))) for cell in piece.header[0]]
        for index, (_align, inline) in enumerate(row[: piece.columns]):
            pen.cursor.insertText("│ " if index == 0 else " │ ", fmt)
            if inline is not None:
                self.write_inline(pen.cursor, inline, fmt)
            width = widths[index] if index < len(widths) else GRID_MIN_WIDTH
            padding = width - len(_cell_text((_align, inline)))
            if padding > 0:
                pen.cursor.insertText(" " * padding, fmt)
        pen.cursor.insertText(" │", fmt)

    def _start_grid_block(self, pen: Pen, ctx: Context) -> None:
        bfmt = QTextBlockFormat()
        bfmt.setNonBreakableLines(True)
        bfmt.setTopMargin(0)
        self._leaf(pen, ctx, bfmt, self._grid_format())

    def _write_table_fold(self, pen: Pen, ctx: Context, piece: TablePiece) -> None:
        """The link that stands for the rows past ``TABLE_FOLD_ROWS`` (``fold.table_part``)."""
        self._start_grid_block(pen, ctx)
        link = QTextCharFormat()
        link.setAnchor(True)
        link.setAnchorHref(f"fold:{self.runs.message_id}:{TABLE_FOLD_PREFIX}{piece.line}")
        link.setForeground(self.theme.link)
        link.setFontUnderline(True)
        link.setFontItalic(True)
        pen.cursor.insertText(f"⋯ table folded after {TABLE_FOLD_ROWS:,} rows — show all", link)

    def _grid_format(self) -> QTextCharFormat:
        fmt = QTextCharFormat()
        fmt.setFontFamilies([self.theme.mono.family(), "monospace"])
        fmt.setFontFixedPitch(True)
        return fmt

    def _write_row(self, table: QTextTable, r: int, row: TableRow, *, header: bool) -> None:
        bold = QTextCharFormat()
        bold.setFontWeight(QFont.Weight.Bold)
        for c, (align, inline) in enumerate(row[: table.columns()]):
            cell = table.cellAt(r, c)
            if header:
                cell_format = cell.format()
                cell_format.setBackground(self.theme.table_header_background)
                cell.setFormat(cell_format)
            cursor = cell.firstCursorPosition()
            bfmt = QTextBlockFormat()
            bfmt.setAlignment(align)
            cursor.setBlockFormat(bfmt)
            if inline is not None:
                self.write_inline(cursor, inline, bold if header else QTextCharFormat())

    def _table_format(self, ctx: Context) -> QTextTableFormat:
        fmt = QTextTableFormat()
        fmt.setBorder(1)
        fmt.setBorderBrush(self.theme.table_border)
        fmt.setBorderStyle(QTextTableFormat.BorderStyle.BorderStyle_Solid)
        fmt.setBorderCollapse(True)
        fmt.setCellPadding(4)
        fmt.setCellSpacing(0)
        fmt.setHeaderRowCount(0)
        fmt.setTopMargin(12)  # clear of a code box above (``code_box``)
        quotes = sum(frame == "quote" for frame in ctx.stack)
        lists = sum(isinstance(frame, _List) for frame in ctx.stack)
        fmt.setLeftMargin(quotes * QUOTE_INDENT + lists * 24)
        return fmt


def table_rows(tokens: list[Token], index: int) -> tuple[list[TableRow], list[TableRow], int]:
    """Header rows, body rows, and the index after ``table_close``, from ``table_open``."""
    header: list[TableRow] = []
    body: list[TableRow] = []
    rows = header
    while tokens[index].type != "table_close":
        token = tokens[index]
        if token.type == "tbody_open":
            rows = body
        elif token.type == "tr_open":
            rows.append([])
        elif token.type in ("th_open", "td_open"):
            align = _alignment(str(token.attrGet("style") or ""))
            inline = tokens[index + 1] if tokens[index + 1].type == "inline" else None
            rows[-1].append((align, inline))
        index += 1
    return header, body, index + 1


def _cell_text(cell: tuple[Qt.AlignmentFlag, Token | None]) -> str:
    return cell[1].content if cell[1] is not None else ""


def _alignment(style: str) -> Qt.AlignmentFlag:
    if "right" in style:
        return Qt.AlignmentFlag.AlignRight
    if "center" in style:
        return Qt.AlignmentFlag.AlignHCenter
    return Qt.AlignmentFlag.AlignLeft
