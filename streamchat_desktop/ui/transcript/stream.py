"""The incremental renderer of one streaming answer: only the open tail is ever re-rendered.

The answer is a run of top-level Markdown blocks. A block is *committed* (rendered for the
last time) once a parse of the complete lines received so far shows a later block after it:
CommonMark never changes such a block again, except through link reference definitions
(then ``finish`` re-renders the whole answer once). Each flush removes the uncommitted tail
from the document and renders it again from its text, so its cost follows the tail, not the
answer. An open fenced code block at top level is the exception: it is written line by line
(only new lines per flush) and checked against a one-shot parse when it closes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtGui import QTextCursor

from streamchat_desktop.ui.transcript import segments, tables
from streamchat_desktop.ui.transcript.answer_text import AnswerText
from streamchat_desktop.ui.transcript.context import Context, Pen
from streamchat_desktop.ui.transcript.document import MarkdownWriter
from streamchat_desktop.ui.transcript.highlight import Line, highlight_lines, plain_line
from streamchat_desktop.ui.transcript.markdown import (
    Block,
    FenceOpening,
    closes_fence,
    fence_language,
    fence_opening,
    line_offsets,
    parse_blocks,
)
from streamchat_desktop.ui.transcript.messages import remove_to_end
from streamchat_desktop.ui.transcript.segments import find_cut, write_cut, write_with_cuts
from streamchat_desktop.ui.transcript.tables import TablePiece, TableRow, table_rows

if TYPE_CHECKING:
    from streamchat_desktop.core.models import Message


@dataclass
class _OpenFence:
    """A top-level fenced code block that has not closed yet, written line by line."""

    start_offset: int  # where its opening line starts in the answer text
    line: int  # line number of the opening line (names the Copy link)
    opening: FenceOpening
    language: str
    header_position: int  # a document position inside its header block
    scan_offset: int  # start of the first line not yet written as a complete line
    written: list[Line] = field(default_factory=list)
    partial: bool = False  # whether the last block shows an incomplete line


@dataclass
class _OpenTable:
    """A top-level table still growing: body rows are appended, never rewritten."""

    line: int  # line number of its header row
    head: str  # its header and divider lines: the context every row is parsed in
    piece: TablePiece
    rows: int  # body rows written for good
    scan_offset: int  # start of the first line not yet written as a row
    partial: bool = False  # whether the last row shows an incomplete line


# markdown-it stops a table after 65,536 autocompleted cells, counted from its start; stay
# far below so that parsing rows apart gives the same table.
TABLE_CELL_LIMIT = 30_000
PLAIN_PARTIAL_LINE = 2_000


def _table_fits(block: Block) -> bool:
    body = sum(token.type == "tr_open" for token in block.tokens)
    columns = sum(token.type == "th_open" for token in block.tokens)
    return (body + 2) * max(1, columns) <= TABLE_CELL_LIMIT


def _strip_indent(line: str, indent: int) -> str:
    removable = len(line) - len(line.lstrip(" "))
    return line[min(indent, removable) :]


class AnswerStream:
    """Text and commit state of one live answer, and the flushes that render it."""

    def __init__(
        self, writer: MarkdownWriter, pen: Pen, message_id: str, line_base: int = 0
    ) -> None:
        self._writer = writer
        self._pen = pen
        self.message_id = message_id
        self._line_base = line_base  # the reply's line it starts at (after its tool calls)
        self._answer = AnswerText()
        self.start_position = pen.position
        self._start_reuse = pen.reuse
        self._commit_position = pen.position
        self._commit_reuse = pen.reuse
        self._commit_offset = 0
        self._commit_line = line_base
        self._fence: _OpenFence | None = None
        self._table: _OpenTable | None = None
        self.has_references = False
        self._show_tail = True
        self._tail_shown = True  # whether the document shows the open tail

    # Text -----------------------------------------------------------------------------

    def feed(self, text: str) -> None:
        self._answer.feed(text)

    @property
    def dirty(self) -> bool:
        return self._answer.dirty

    def fold_rest(self) -> None:
        """Render nothing more of what arrived: a fold link stands for it."""
        self._answer.fold_rest()

    @property
    def received(self) -> bool:
        """Whether any text arrived (without cleaning a backlog to find out)."""
        return self._answer.received

    @property
    def backlog(self) -> int:
        """Characters received and not rendered yet."""
        return self._answer.backlog

    @property
    def _text(self) -> str:
        """The shown text (``fold.fold_text`` of the answer) taken so far."""
        return self._answer.shown

    def text(self) -> str:
        """The answer received so far, newlines normalised as markdown-it reads them."""
        return self._answer.text()

    # Positions ------------------------------------------------------------------------

    def shift(self, at: int, delta: int) -> None:
        """Text of ``delta`` characters was inserted (or removed) at ``at``, before us."""
        if self.start_position >= at:
            self.start_position += delta
        if self._commit_position >= at:
            self._commit_position += delta
        if self._fence is not None and self._fence.header_position >= at:
            self._fence.header_position += delta

    # Flushing -------------------------------------------------------------------------

    def flush(
        self, *, final: bool = False, room: int | None = None, show_tail: bool = True
    ) -> None:
        """Render what arrived since the last flush, at most ``room`` more shown characters;
        ``final`` renders all the rest for good. Without ``show_tail`` only what is final
        is rendered (a step of a backlog: the next step would render the open tail again)."""
        self._show_tail = show_tail
        self._writer.runs.message_id = self.message_id
        new = self._answer.take(final=final, room=None if final else room)
        if not (new or final or (show_tail and not self._tail_shown)):
            return  # nothing new to show (a folded line going on, past the answer fold)
        self._tail_shown = True  # unless _flush_open_blocks leaves the tail out
        if self._fence is not None:
            self._flush_fence(final)
        if self._fence is None and self._table is not None:
            self._flush_table(final)
        if self._fence is None and self._table is None:
            self._flush_blocks(final)
        if final and self.has_references:
            self._rerender_all()

    def _remove_tail(self) -> None:
        remove_to_end(self._pen.cursor, self._commit_position)
        self._pen.reuse = self._commit_reuse

    def _commit(self, offset: int, lines: int) -> None:
        self._commit_position = self._pen.position
        self._commit_reuse = self._pen.reuse
        self._commit_offset += offset
        self._commit_line += lines

    def _ctx(self, line_base: int) -> Context:
        return Context(self.message_id, line_base)

    def _flush_blocks(self, final: bool) -> None:
        self._remove_tail()
        while True:
            tail = self._text[self._commit_offset :]
            if final:
                self.has_references |= write_with_cuts(
                    self._writer, self._pen, tail, self.message_id, self._commit_line
                )
                self._commit(len(tail), tail.count("\n"))
                return
            if not self._commit_cut(tail):
                self._flush_open_blocks(tail)
                return

    def _commit_cut(self, tail: str) -> bool:
        """Commit up to the first cut among the complete lines of ``tail`` (``segments``)."""
        complete = tail[: tail.rfind("\n") + 1]
        if len(complete) <= segments.BLOCK_CUT and (
            complete.count("\n") <= segments.BLOCK_CUT_LINES
        ):
            return False
        parsed = parse_blocks(complete)
        cut = find_cut(complete, parsed.blocks)
        if cut is None:
            return False
        ctx = self._ctx(self._commit_line)
        self._writer.write_blocks(self._pen, parsed.blocks[: cut[0]], ctx)
        references, lines = write_cut(self._writer, self._pen, complete, cut, ctx)
        self.has_references |= references or parsed.has_references
        self._commit(cut[2], lines)
        return True

    def _flush_open_blocks(self, tail: str) -> None:
        cut = tail.rfind("\n") + 1
        display: list[Block] | None = None
        base = self._commit_line
        open_fence: Block | None = None
        open_table: Block | None = None
        boundary = 0
        if cut:
            complete = parse_blocks(tail[:cut])
            self.has_references |= complete.has_references
            blocks = complete.blocks
            if blocks:
                last = blocks[-1]
                closed = self._is_closed(tail, last, tail[:cut].count("\n"))
                committed = blocks if closed else blocks[:-1]
                boundary = last.end if closed else last.start
                self._writer.write_blocks(self._pen, committed, self._ctx(base))
                if last.kind == "fence" and not closed and self._streams_fence(tail, last):
                    open_fence = last
                elif last.kind == "table_open" and not closed and _table_fits(last):
                    open_table = last
                elif cut == len(tail) and not closed:
                    display = [last]
        self._commit(line_offsets(tail, boundary), boundary)
        if open_fence is not None:
            self._open_fence(open_fence, base)
            self._flush_fence(final=False)
            return
        if open_table is not None:
            self._open_table(open_table, base)
            self._flush_table(final=False)
            return
        if not self._show_tail:
            self._tail_shown = False
            return
        if display is None:
            rest = self._text[self._commit_offset :]
            line_start = rest.rfind("\n") + 1
            if len(rest) - line_start > PLAIN_PARTIAL_LINE:
                # a long unfinished line: shown as plain text in short blocks until it
                # ends (Qt would lay the whole paragraph out again at every flush)
                parsed = parse_blocks(rest[:line_start])
                self._writer.write_blocks(self._pen, parsed.blocks, self._ctx(self._commit_line))
                self._writer.write_plain_line(self._pen, rest[line_start:])
                return
            parsed = parse_blocks(rest)
            self.has_references |= parsed.has_references
            display, base = parsed.blocks, self._commit_line
        self._writer.write_blocks(self._pen, display, self._ctx(base))

    def _streams_fence(self, tail: str, block: Block) -> bool:
        """Whether an open fence is written line by line now. A step of a backlog leaves
        a short one for the next step, which will likely see it closed and write it in one
        go (a streamed fence is highlighted twice: line by line, then checked whole)."""
        if self._show_tail:
            return True
        return len(tail) - line_offsets(tail, block.start) > segments.BLOCK_CUT

    @staticmethod
    def _is_closed(tail: str, block: Block, complete_lines: int) -> bool:
        """A fence after its closing line, a table after a blank line, can never change."""
        if block.kind == "table_open":
            return block.end < complete_lines
        if block.kind != "fence" or block.end - block.start < 2:
            return False
        lines = tail.split("\n", block.end)
        opening = fence_opening(lines[block.start])
        return opening is not None and closes_fence(lines[block.end - 1], opening)

    # Open tables ----------------------------------------------------------------------

    def _open_table(self, block: Block, base: int) -> None:
        start = self._commit_offset
        rest = self._text[start:]
        head = rest[: line_offsets(rest, 2)]
        self._writer.write_block(self._pen, block, self._ctx(base))
        piece = self._writer.last_table
        assert piece is not None
        self._table = _OpenTable(
            base + block.start,
            head,
            piece,
            piece.body_rows,
            start + line_offsets(rest, block.end - block.start),
        )

    def _flush_table(self, final: bool) -> None:
        """Append the rows that arrived; commit the table once a line is not a row."""
        table = self._table
        assert table is not None
        text = self._text
        if table.partial:
            table.piece.table.removeRows(table.piece.table.rows() - 1, 1)
            table.piece.body_rows -= 1
            table.partial = False
        end = len(text) if final else text.rfind("\n") + 1
        if end > table.scan_offset:
            chunk = text[table.scan_offset : end]
            count = chunk.count("\n") + (not chunk.endswith("\n"))
            rows = self._table_rows(table, chunk, count)
            if rows is None:
                self._table = None  # too big to stream row by row, or not a table: re-render
                return
            self._writer.append_table_rows(self._pen, Context(), table.piece, rows)
            table.rows += len(rows)
            if len(rows) < count or final:
                self._table = None
                offset = table.scan_offset + line_offsets(chunk, len(rows))
                self._commit(
                    offset - self._commit_offset, table.line + 2 + table.rows - self._commit_line
                )
                return
            table.scan_offset = end
        partial = text[end:]
        if partial and not table.piece.full and table.piece.body_rows < tables.GRID_AFTER_ROWS:
            # a row that would start a piece or a line of text waits for its line end
            rows = self._table_rows(table, partial, 1)
            if rows:
                self._writer.append_table_rows(self._pen, Context(), table.piece, rows)
                table.partial = True

    def _table_rows(self, table: _OpenTable, lines: str, count: int) -> list[TableRow] | None:
        """Body rows among ``lines``, parsed under the table's own header and divider."""
        if (table.rows + count + 2) * table.piece.columns > TABLE_CELL_LIMIT:
            return None
        parsed = parse_blocks(table.head + lines)
        if not parsed.blocks or parsed.blocks[0].kind != "table_open":
            return None
        self.has_references |= parsed.has_references
        return table_rows(parsed.blocks[0].tokens, 0)[1]

    # Open code fences -----------------------------------------------------------------

    def _open_fence(self, block: Block, base: int) -> None:
        start = self._commit_offset
        first_line_end = self._text.index("\n", start) + 1
        opening = fence_opening(self._text[start : first_line_end - 1])
        assert opening is not None, "markdown-it saw a fence here"
        language = fence_language(block.tokens[0].info)
        line = base + block.start
        self._writer.write_code_header(
            self._pen, Context(), language, f"copy:{self.message_id}:{line}"
        )
        self._fence = _OpenFence(
            start, line, opening, language, self._pen.position - 1, first_line_end
        )

    def _flush_fence(self, final: bool) -> None:
        fence = self._fence
        assert fence is not None
        text = self._text
        if fence.partial:
            self._drop_last_block()
            fence.partial = False
        lines: list[str] = []
        closed_at: int | None = None
        position = fence.scan_offset
        while (newline := text.find("\n", position)) >= 0:
            line = text[position:newline]
            if closes_fence(line, fence.opening):
                closed_at = newline + 1
                break
            lines.append(_strip_indent(line, fence.opening.indent))
            position = newline + 1
        fence.scan_offset = position
        if lines:
            for code_line in highlight_lines("\n".join(lines) + "\n", fence.language):
                self._writer.write_code_line(self._pen, Context(), code_line)
                fence.written.append(code_line)
        if closed_at is not None or final:
            self._close_fence(fence, closed_at if closed_at is not None else len(text), final)
            return
        partial = text[position:]
        if partial:
            shown = plain_line(_strip_indent(partial, fence.opening.indent))
            self._writer.write_code_line(self._pen, Context(), shown)
            fence.partial = True

    def _close_fence(self, fence: _OpenFence, end: int, final: bool) -> None:
        """Check the streamed lines against a one-shot parse; rewrite the lines that differ."""
        source = self._text[fence.start_offset : end]
        parsed = parse_blocks(source)
        self._fence = None
        if len(parsed.blocks) != 1 or parsed.blocks[0].kind != "fence":
            self._flush_blocks(final)  # not what we took it for: render the tail anew
            return
        final_lines = highlight_lines(parsed.blocks[0].tokens[0].content, fence.language)
        document = self._pen.cursor.document()
        header = document.findBlock(fence.header_position).blockNumber()
        for index, line in enumerate(final_lines[: len(fence.written)]):
            if line != fence.written[index]:
                cursor = QTextCursor(document.findBlockByNumber(header + 1 + index))
                cursor.movePosition(
                    QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor
                )
                cursor.removeSelectedText()
                self._writer.write_code_runs(cursor, line)
        extra = len(fence.written) - len(final_lines)
        for _ in range(extra):
            self._drop_last_block()
        for line in final_lines[len(fence.written) :]:
            self._writer.write_code_line(self._pen, Context(), line)
        self._commit(end - self._commit_offset, source.count("\n"))

    def _drop_last_block(self) -> None:
        last = self._pen.cursor.document().lastBlock()
        remove_to_end(self._pen.cursor, last.position() - 1)

    def _rerender_all(self) -> None:
        """Reference definitions change earlier blocks: render the whole answer once more."""
        remove_to_end(self._pen.cursor, self.start_position)
        self._pen.reuse = self._start_reuse
        write_with_cuts(self._writer, self._pen, self._text, self.message_id, self._line_base)
        self._commit_offset, self._commit_line = 0, self._line_base
        self._commit(len(self._text), self._text.count("\n"))


@dataclass
class LiveReply:
    """The reply a transcript is streaming: its answer, and its reasoning shown so far and
    still to show (``reasoning_end``: the end of the header or of the last reasoning block)."""

    message: Message
    answer: AnswerStream
    reasoning: list[str] = field(default_factory=list)
    reasoning_pending: list[str] = field(default_factory=list)
    reasoning_end: int = 0
    ending: Message | None = None  # how it ended, while a backlog is still being rendered
    prefix: str = ""  # the text before its last tool call, written apart (not streamed)
