"""Writing Markdown blocks straight into a QTextDocument with QTextCursor (no HTML round trip).

Why not ``insertHtml``: inserting HTML fragments one after another does not give the same
document as inserting their concatenation (Qt merges the first block of each fragment into
the block at the cursor, and drops margins). Writing blocks with the cursor API is
composable: rendering blocks one by one, in any number of flushes, gives the same document
as rendering them in one go. It is also several times faster, and interprets nothing:
model text only ever reaches ``insertText``.
"""

from __future__ import annotations

from collections.abc import Container
from typing import TYPE_CHECKING

from PySide6.QtGui import (
    QFont,
    QTextBlock,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
    QTextLength,
    QTextListFormat,
)

from streamchat_desktop.ui.transcript.context import CODE_BOX_PAD, Context, Pen, _Item, _List
from streamchat_desktop.ui.transcript.highlight import Line, highlight_lines
from streamchat_desktop.ui.transcript.markdown import (
    Block,
    fence_language,
    inline_text,
    is_allowed_link,
)
from streamchat_desktop.ui.transcript.math_syntax import INLINE_TOKENS
from streamchat_desktop.ui.transcript.math_writer import MathMixin
from streamchat_desktop.ui.transcript.properties import (
    CODE_HEADER_PROPERTY,
    CODE_LINE_PROPERTY,
    CODE_WRAPPED_PROPERTY,
    QUOTE_PROPERTY,
)
from streamchat_desktop.ui.transcript.runs import RunWriter
from streamchat_desktop.ui.transcript.tables import QUOTE_INDENT, TableMixin
from streamchat_desktop.ui.transcript.theme import Theme

if TYPE_CHECKING:
    from markdown_it.token import Token

CODE_PADDING = 8.0
QUOTE_GAP = 8.0  # between a quote's bar and its text
_BULLETS = (
    QTextListFormat.Style.ListDisc,
    QTextListFormat.Style.ListCircle,
    QTextListFormat.Style.ListSquare,
)
_HEADING_SIZE = {1: 3, 2: 2, 3: 1}


class MarkdownWriter(TableMixin, MathMixin):
    """Renders markdown-it blocks into a document, one top-level block at a time."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme
        self.runs = RunWriter(theme)
        self.last_table = None
        self.wraps: Container[str] = frozenset()  # the Wrap links the reader turned on

    # Blocks ---------------------------------------------------------------------------

    def write_blocks(self, pen: Pen, blocks: list[Block], ctx: Context) -> None:
        for block in blocks:
            self.write_block(pen, block, ctx)

    def write_block(self, pen: Pen, block: Block, ctx: Context) -> None:
        if ctx.message_id:
            self.runs.message_id = ctx.message_id
        tokens = block.tokens
        index = 0
        while index < len(tokens):
            index = self._write_token(pen, tokens, index, ctx)

    def _write_token(self, pen: Pen, tokens: list[Token], index: int, ctx: Context) -> int:
        token = tokens[index]
        kind = token.type
        if kind == "blockquote_open":
            ctx.stack.append("quote")
        elif kind in ("bullet_list_open", "ordered_list_open"):
            ctx.stack.append(_List(self._list_format(token, ctx)))
        elif kind == "list_item_open":
            owner = ctx.stack[-1]
            assert isinstance(owner, _List)
            ctx.stack.append(_Item(owner))
        elif kind == "list_item_close":
            item = ctx.stack.pop()
            if isinstance(item, _Item) and item.needs_marker:
                self._leaf(pen, ctx, self._paragraph_format(ctx, tight=True), QTextCharFormat())
        elif kind in ("blockquote_close", "bullet_list_close", "ordered_list_close"):
            ctx.stack.pop()
        elif kind == "paragraph_open":
            self._leaf(pen, ctx, self._paragraph_format(ctx, tight=token.hidden), QTextCharFormat())
            self.write_inline(pen.cursor, tokens[index + 1], QTextCharFormat())
            return index + 3
        elif kind == "heading_open":
            level = int(token.tag[1:])
            bfmt = self._paragraph_format(ctx, tight=False)
            bfmt.setHeadingLevel(level)
            bfmt.setTopMargin(14 if level <= 2 else 10)
            cfmt = QTextCharFormat()
            cfmt.setFontWeight(QFont.Weight.Bold)
            cfmt.setProperty(QTextFormat.Property.FontSizeAdjustment, _HEADING_SIZE.get(level, 0))
            self._leaf(pen, ctx, bfmt, cfmt)
            self.write_inline(pen.cursor, tokens[index + 1], cfmt)
            return index + 3
        elif kind in ("fence", "code_block"):
            language = fence_language(token.info) if kind == "fence" else ""
            line = ctx.line_base + (token.map[0] if token.map else 0)
            self.write_code_header(pen, ctx, language, f"copy:{ctx.message_id}:{line}")
            for code_line in highlight_lines(token.content, language):
                self.write_code_line(pen, ctx, code_line)
        elif kind == "hr":
            bfmt = self._paragraph_format(ctx, tight=False)
            bfmt.setProperty(
                QTextFormat.Property.BlockTrailingHorizontalRulerWidth,
                QTextLength(QTextLength.Type.PercentageLength, 100),
            )
            self._leaf(pen, ctx, bfmt, QTextCharFormat())
        elif kind == "table_open":
            return self._write_table(pen, tokens, index, ctx)
        elif kind == "math_block":
            self.write_math_block(pen, token, ctx)
        elif kind == "inline":  # loose inline (should not happen at block level)
            self.write_inline(pen.cursor, token, QTextCharFormat())
        return index + 1

    def _list_format(self, token: Token, ctx: Context) -> QTextListFormat:
        depth = sum(isinstance(frame, _List) for frame in ctx.stack) + 1
        fmt = QTextListFormat()
        fmt.setIndent(depth)
        if token.type == "ordered_list_open":
            fmt.setStyle(QTextListFormat.Style.ListDecimal)
            start = token.attrGet("start")
            fmt.setStart(
                int(start) if isinstance(start, (int, str)) and str(start).isdigit() else 1
            )
        else:
            fmt.setStyle(_BULLETS[(depth - 1) % len(_BULLETS)])
        return fmt

    def _paragraph_format(self, ctx: Context, *, tight: bool) -> QTextBlockFormat:
        bfmt = QTextBlockFormat()
        bfmt.setTopMargin(2 if tight else 8)
        return bfmt

    def _leaf(self, pen: Pen, ctx: Context, bfmt: QTextBlockFormat, cfmt: QTextCharFormat) -> None:
        """Start a block inside the current containers (quote margin, list marker)."""
        quotes = sum(frame == "quote" for frame in ctx.stack)
        lists = sum(isinstance(frame, _List) for frame in ctx.stack)
        if quotes:  # its tint and bar are painted behind it (``backdrop``)
            bfmt.setLeftMargin(bfmt.leftMargin() + quotes * QUOTE_INDENT + QUOTE_GAP)
            bfmt.setProperty(QUOTE_PROPERTY, quotes)
        if lists:
            bfmt.setIndent(lists)
        pen.start_block(bfmt, cfmt)
        item = ctx.stack[-1] if ctx.stack else None
        if isinstance(item, _Item) and item.needs_marker:
            item.needs_marker = False
            owner = item.owner
            if owner.qlist is None:
                owner.qlist = pen.cursor.createList(owner.fmt)
            else:
                owner.qlist.add(pen.cursor.block())

    def write_plain_line(self, pen: Pen, text: str, width: int = 2_000) -> None:
        """Text shown as is, in blocks of ``width`` characters (cheap to lay out)."""
        for start in range(0, len(text), width):
            self._leaf(
                pen, Context(), self._paragraph_format(Context(), tight=True), QTextCharFormat()
            )
            self.runs.insert(
                pen.cursor, inline_text(text[start : start + width]), QTextCharFormat()
            )

    # Code -----------------------------------------------------------------------------

    def code_block_format(self, *, wrapped: bool = False) -> QTextBlockFormat:
        """A code line: its rounded background is painted (``backdrop``); the padding is
        a margin, not an indent, so that the lines a wrap adds start under the first."""
        bfmt = QTextBlockFormat()
        bfmt.setNonBreakableLines(not wrapped)
        bfmt.setLeftMargin(CODE_PADDING)
        bfmt.setRightMargin(CODE_PADDING)
        bfmt.setProperty(CODE_LINE_PROPERTY, True)
        return bfmt

    def write_code_header(self, pen: Pen, ctx: Context, language: str, copy_href: str) -> None:
        bfmt = QTextBlockFormat()
        bfmt.setTopMargin(8 + CODE_BOX_PAD)
        bfmt.setBottomMargin(CODE_BOX_PAD)
        bfmt.setProperty(CODE_HEADER_PROPERTY, True)
        bfmt.setNonBreakableLines(True)
        bfmt.setTextIndent(CODE_PADDING)
        wrap_href = "wrap:" + copy_href.partition(":")[2]
        bfmt.setProperty(CODE_WRAPPED_PROPERTY, wrap_href in self.wraps)
        label = QTextCharFormat()
        label.setForeground(self.theme.dim)
        label.setProperty(QTextFormat.Property.FontSizeAdjustment, -1)
        self._leaf(pen, ctx, bfmt, label)
        self.runs.insert(pen.cursor, inline_text(language or "code") + "    ", label)
        for index, (text, href, tip) in enumerate(
            (
                ("Copy", copy_href, "Copy this code"),
                ("Wrap", wrap_href, "Wrap or unwrap the long lines of this code"),
            )
        ):
            link = QTextCharFormat(label)
            link.setAnchor(True)
            link.setAnchorHref(href)
            link.setForeground(self.theme.link)
            link.setToolTip(tip)
            if index:
                pen.cursor.insertText("   ", label)
            pen.cursor.insertText(text, link)

    def write_code_line(self, pen: Pen, ctx: Context, line: Line, *, follow: bool = True) -> None:
        """One line of code; it wraps as the code block it continues does (``follow``)."""
        bfmt = self.code_block_format(wrapped=follow and _wraps_after(pen.cursor.block()))
        self._leaf(pen, ctx, bfmt, self.theme.code_format(_text_token()))
        self.write_code_runs(pen.cursor, line)

    def write_code_runs(self, cursor: QTextCursor, line: Line) -> None:
        for ttype, text in line:
            self.runs.insert(cursor, inline_text(text), self.theme.code_format(ttype))

    # Inline ---------------------------------------------------------------------------

    def write_inline(self, cursor: QTextCursor, token: Token, base: QTextCharFormat) -> None:
        """Text, emphasis, code spans and links of one inline token."""
        stack = [base]
        for child in token.children or ():
            kind = child.type
            top = stack[-1]
            if kind in ("text", "text_special", "html_inline", "html_block"):
                self.runs.insert(cursor, inline_text(child.content), top)
            elif kind == "softbreak":
                cursor.insertText(" ", top)
            elif kind == "hardbreak":
                cursor.insertText("\u2028", top)
            elif kind == "code_inline":
                self.runs.insert(cursor, inline_text(child.content), self.inline_code_format(top))
            elif kind in INLINE_TOKENS:
                self.write_inline_formula(cursor, child, top)
            elif kind.endswith("_open"):
                stack.append(self._open_format(child, top))
            elif kind.endswith("_close"):
                if len(stack) > 1:
                    stack.pop()
            elif kind == "image":
                self._write_image(cursor, child, top)
            elif child.content:
                self.runs.insert(cursor, inline_text(child.content), top)

    def inline_code_format(self, top: QTextCharFormat) -> QTextCharFormat:
        fmt = QTextCharFormat(top)
        fmt.setFontFamilies([self.theme.mono.family(), "monospace"])
        fmt.setFontFixedPitch(True)
        fmt.setBackground(self.theme.inline_code_background)
        return fmt

    def _open_format(self, token: Token, top: QTextCharFormat) -> QTextCharFormat:
        fmt = QTextCharFormat(top)
        if token.type == "strong_open":
            fmt.setFontWeight(QFont.Weight.Bold)
        elif token.type == "em_open":
            fmt.setFontItalic(True)
        elif token.type == "s_open":
            fmt.setFontStrikeOut(True)
        elif token.type == "link_open":
            self._make_link(fmt, str(token.attrGet("href") or ""))
        return fmt

    def _make_link(self, fmt: QTextCharFormat, href: str) -> None:
        if is_allowed_link(href):
            fmt.setAnchor(True)
            fmt.setAnchorHref(href)
            fmt.setForeground(self.theme.link)
            fmt.setFontUnderline(True)

    def _write_image(self, cursor: QTextCursor, token: Token, top: QTextCharFormat) -> None:
        """Images are never loaded: shown as a link to their address."""
        fmt = QTextCharFormat(top)
        self._make_link(fmt, str(token.attrGet("src") or ""))
        alt = inline_text(token.content) or "image"
        self.runs.insert(cursor, f"[image: {alt}]", fmt)


def _wraps_after(block: QTextBlock) -> bool:
    """Whether a code line written after ``block`` wraps: as the code header or code line
    it follows (a streamed line follows a click made before it arrived)."""
    fmt = block.blockFormat()
    if fmt.boolProperty(CODE_HEADER_PROPERTY):
        return fmt.boolProperty(CODE_WRAPPED_PROPERTY)
    return fmt.boolProperty(CODE_LINE_PROPERTY) and not fmt.nonBreakableLines()


def _text_token() -> object:
    from pygments.token import Token as PygmentsToken

    return PygmentsToken.Text
