"""The math half of ``MarkdownWriter``: formulas as objects, refused or open ones as code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextBlockFormat, QTextCharFormat, QTextCursor

from streamchat_desktop.ui.transcript.highlight import Line, plain_line
from streamchat_desktop.ui.transcript.markdown import inline_text
from streamchat_desktop.ui.transcript.math_object import insert_formula
from streamchat_desktop.ui.transcript.math_syntax import source_of
from streamchat_desktop.ui.transcript.math_typeset import refusal
from streamchat_desktop.ui.transcript.writer_host import WriterHost

if TYPE_CHECKING:
    from markdown_it.token import Token

    from streamchat_desktop.ui.transcript.context import Context, Pen


class MathMixin(WriterHost):
    """Writes ``math_inline`` / ``math_inline_double`` tokens and ``math_block`` blocks."""

    if TYPE_CHECKING:

        def _paragraph_format(self, ctx: Context, *, tight: bool) -> QTextBlockFormat: ...

        def write_code_line(
            self, pen: Pen, ctx: Context, line: Line, *, follow: bool = True
        ) -> None: ...

        def inline_code_format(self, top: QTextCharFormat) -> QTextCharFormat: ...

    def write_inline_formula(self, cursor: QTextCursor, token: Token, top: QTextCharFormat) -> None:
        """``$…$``, ``\\(…\\)`` or ``$$…$$`` inside a paragraph."""
        display = token.type == "math_inline_double"
        source = source_of(token.content, token.markup, display=False)
        if refusal(token.content) is not None:
            self.runs.insert(cursor, inline_text(source), self.inline_code_format(top))
            return
        insert_formula(
            cursor,
            token.content,
            inline_text(source),
            display=display,
            base=top,
            color=self.theme.text,
            code_background=self.theme.inline_code_background,
        )

    def write_math_block(self, pen: Pen, token: Token, ctx: Context) -> None:
        """A display formula centred on its own line; an open or refused one as code."""
        source = source_of(token.content, token.markup, display=True)
        closed = bool(token.meta.get("closed"))
        if not closed or refusal(token.content) is not None or not token.content.strip():
            shown = source if closed else source[: source.rfind("\n")]  # no closing yet
            for line in shown.split("\n"):
                self.write_code_line(pen, ctx, plain_line(line), follow=False)
            return
        bfmt = self._paragraph_format(ctx, tight=False)
        bfmt.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        bfmt.setBottomMargin(4)
        self._leaf(pen, ctx, bfmt, QTextCharFormat())
        insert_formula(
            pen.cursor,
            token.content,
            source,
            display=True,
            base=QTextCharFormat(),
            color=self.theme.text,
            code_background=self.theme.inline_code_background,
        )
