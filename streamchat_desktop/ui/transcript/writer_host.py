"""What ``MarkdownWriter``'s halves (tables, math) rely on from the writer they are mixed
into: declared once, so each half states only what is its own."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QTextBlockFormat, QTextCharFormat

    from streamchat_desktop.ui.transcript.context import Context, Pen
    from streamchat_desktop.ui.transcript.runs import RunWriter
    from streamchat_desktop.ui.transcript.theme import Theme


class WriterHost:
    """The writer's theme, its run writer and its leaf-block writer (given by the writer)."""

    if TYPE_CHECKING:
        theme: Theme
        runs: RunWriter

        def _leaf(
            self, pen: Pen, ctx: Context, bfmt: QTextBlockFormat, cfmt: QTextCharFormat
        ) -> None: ...
