"""Bounded blocks: a top-level block longer than ``BLOCK_CUT`` characters is cut at a line end.

Qt lays out a whole paragraph again when it changes, and the streaming renderer renders the
open block again at every flush: a paragraph of 100,000 short lines, or a list nested 1,000
levels deep, would cost more at every flush. So a top-level block that goes on past the
first line end at least ``BLOCK_CUT`` characters after its start is cut there: the part
before is rendered on its own, and what follows is parsed anew from the cut, exactly as the
renderer parses on after a committed block. The cut depends only on the text, so streaming
and a one-shot render cut at the same places:

- a block followed by another block in a parse of complete lines never changes again, and
- a block's line range in a parse of a prefix never exceeds its range in a longer text,

so "the block spans past its cut" seen on a prefix holds for the whole text, and a block
that is final has its final range. Fences (written line by line) and tables (written in
pieces of rows) are never cut.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from streamchat_desktop.ui.transcript.context import Context
from streamchat_desktop.ui.transcript.markdown import Block, line_offsets, parse_blocks

if TYPE_CHECKING:
    from streamchat_desktop.ui.transcript.context import Pen
    from streamchat_desktop.ui.transcript.document import MarkdownWriter

BLOCK_CUT = 8_000
BLOCK_CUT_LINES = 50  # markdown-it's block rules cost per line: short lines count too
WINDOW = 64_000  # a one-shot render parses at most about this much text at a time
_UNCUT = frozenset({"fence", "table_open"})


def find_cut(text: str, blocks: list[Block]) -> tuple[int, int, int] | None:
    """The first block to cut among ``blocks`` (a parse of ``text``, complete lines):
    its index, the offset where it starts and the offset of its cut."""
    line = offset = 0
    for index, block in enumerate(blocks):
        if block.kind in _UNCUT:
            continue
        offset = line_offsets(text, block.start - line, offset)
        line = block.start
        cut = cut_offset(text, offset)
        if cut < 0:
            return None
        if block.end > line + text.count("\n", offset, cut):
            return index, offset, cut
    return None


def cut_offset(text: str, start: int) -> int:
    """Where a block starting at ``start`` is cut: after the first line end at least
    ``BLOCK_CUT`` characters or ``BLOCK_CUT_LINES`` lines on; -1 if ``text`` has none."""
    newline = text.find("\n", start + BLOCK_CUT)
    by_size = newline + 1 if newline >= 0 else -1
    by_lines = line_offsets(text, BLOCK_CUT_LINES, start)
    if text.count("\n", start, by_lines) < BLOCK_CUT_LINES:
        by_lines = -1
    found = [cut for cut in (by_size, by_lines) if cut >= 0]
    return min(found) if found else -1


def write_cut(
    writer: MarkdownWriter, pen: Pen, text: str, cut: tuple[int, int, int], ctx: Context
) -> tuple[bool, int]:
    """Render the block before the cut on its own; returns (has references, lines taken).

    ``ctx.line_base`` is the line ``text`` starts at; the blocks before the cut must have
    been written already.
    """
    _index, start, at = cut
    base = ctx.line_base + text.count("\n", 0, start)
    part = parse_blocks(text[start:at])
    writer.write_blocks(pen, part.blocks, Context(ctx.message_id, base))
    return part.has_references, text.count("\n", 0, at)


def write_with_cuts(
    writer: MarkdownWriter, pen: Pen, text: str, message_id: str, line_base: int = 0
) -> bool:
    """One-shot render of ``text`` with its cuts; returns whether it defines link references.

    Parses at most about ``WINDOW`` characters at a time (a whole text below that at once):
    in a window's parse every block but the last is final, so the next window starts at
    the last block.
    """
    has_references = False
    offset, window = 0, WINDOW
    while True:
        end = len(text) if len(text) - offset <= window else text.find("\n", offset + window) + 1
        end = end or len(text)
        part = text[offset:end]
        parsed = parse_blocks(part)
        has_references |= parsed.has_references
        blocks = parsed.blocks
        ctx = Context(message_id, line_base)
        cut = find_cut(part, blocks)
        if cut is not None:
            writer.write_blocks(pen, blocks[: cut[0]], ctx)
            references, lines = write_cut(writer, pen, part, cut, ctx)
            has_references |= references
            offset, line_base, window = offset + cut[2], line_base + lines, WINDOW
            continue
        if end == len(text):
            writer.write_blocks(pen, blocks, ctx)
            return has_references
        if not blocks:
            offset, line_base = end, line_base + part.count("\n")
            continue
        if len(blocks) == 1 and blocks[0].start == 0:
            window *= 2  # one block fills the window: look further before deciding
            continue
        writer.write_blocks(pen, blocks[:-1], ctx)
        last = blocks[-1]
        offset += line_offsets(part, last.start)
        line_base += last.start
        window = WINDOW
