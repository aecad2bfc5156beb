"""The parts of a transcript around the Markdown: headers, user text, reasoning, status notes."""

from __future__ import annotations

import time

from PySide6.QtGui import (
    QFont,
    QTextBlock,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)

from streamchat_desktop.core.models import Message, MessageState, Role
from streamchat_desktop.core.tool_history import split_at_calls
from streamchat_desktop.ui.transcript.attachments import ThumbnailSource, write_attachments
from streamchat_desktop.ui.transcript.context import Pen
from streamchat_desktop.ui.transcript.document import MarkdownWriter
from streamchat_desktop.ui.transcript.fold import fold_text
from streamchat_desktop.ui.transcript.markdown import inline_text, normalize_newlines, sanitize
from streamchat_desktop.ui.transcript.properties import (
    MESSAGE_ID_PROPERTY,
    ROLE_PROPERTY,
    SECTION_PROPERTY,
)
from streamchat_desktop.ui.transcript.segments import write_with_cuts
from streamchat_desktop.ui.transcript.theme import Theme
from streamchat_desktop.ui.transcript.tool_blocks import ToolBlockWriter
from streamchat_desktop.ui.transcript.tool_display import ToolDisplay

SIDE_MARGIN = 4.0
MESSAGE_GAP = 26.0  # above each message's header
USER_INSET = 56.0  # a prompt is set in from the left, in a tinted box (``backdrop``)
BUBBLE_PAD = 10.0  # between the prompt's box and its text
USER_SECTIONS = ("user", "attachments")
EARLIER_SECTION = "earlier"


def clean(text: str) -> str:
    """Model or user text as the transcript stores it (see ``markdown.sanitize``)."""
    return normalize_newlines(sanitize(text))


def status_note(message: Message) -> tuple[str, list[tuple[str, str]]]:
    """The note that ends a reply and its links as (label, href); ``("", [])`` for none.

    A partial answer (stopped, failed, interrupted, cut at the limit) can be continued
    where it ended; a failed or interrupted one can also be asked again from scratch.
    """
    mid = message.id
    go_on = [("Continue", f"continue:{mid}")] if message.content else []
    if message.state is MessageState.STOPPED:
        return "Stopped", go_on
    if message.state is MessageState.FAILED:
        retry = [("Retry", f"retry:{mid}")]
        if message.error_kind == "images_refused":  # the prompt's files stay: pick a model
            retry.append(("Retry with another model", f"othermodel:{mid}"))
        return (message.error_message or "The reply failed"), [*retry, *go_on]
    if message.state is MessageState.INTERRUPTED:
        return "Interrupted before the end", [("Retry", f"retry:{mid}"), *go_on]
    if message.finish_reason == "length":
        return "Cut at the token limit", [("Continue", f"continue:{mid}")]
    if message.finish_reason == "content_filter":
        return "Blocked by the content filter", []
    return "", []


class MessageWriter:
    """Writes whole messages (one-shot) and the fixed parts of a live reply."""

    def __init__(
        self,
        theme: Theme,
        thumbnails: ThumbnailSource | None = None,
        tools: ToolDisplay | None = None,
    ) -> None:
        self.theme = theme
        self.markdown = MarkdownWriter(theme)
        self.thumbnails = thumbnails  # images attached to prompts, shown small
        self.tools = ToolBlockWriter(theme, tools or ToolDisplay())
        self.headers: dict[str, QTextBlock] = {}  # each message's header (``message_spans``)

    def write_message(self, pen: Pen, message: Message, *, reasoning_expanded: bool) -> None:
        if message.role is Role.SYSTEM:
            return
        self.write_header(pen, message)
        if message.role is Role.USER:
            if message.content or not message.attachments:
                self.write_user_text(pen, message.content, message.id)
            self.write_attachments(pen, message)
            return
        reasoning = clean(message.reasoning)
        if reasoning:
            self.write_reasoning_toggle(pen, message.id, expanded=reasoning_expanded)
            if reasoning_expanded:
                self.write_reasoning(pen, message.id, reasoning, fresh=True)
        rest, line = self.write_tool_calls(pen, message)
        self.write_answer(pen, message.id, clean(rest), line)
        self.write_status(pen, message)

    def write_tool_calls(self, pen: Pen, message: Message) -> tuple[str, int]:
        """The reply's text up to its last tool call, with each call's block where it was
        made; returns the text after the last call (all of it when there are none) and the
        line of the reply it starts at. Each part's code links name their line in the whole
        reply: Copy finds the code there, and two parts' blocks never share a Wrap link."""
        groups, rest = split_at_calls(message)
        line = 0
        for text, records in groups:
            cleaned = clean(text)
            if text.strip():
                self.write_answer(pen, message.id, cleaned, line)
            line += cleaned.count("\n")
            for record in records:
                self.tools.write(pen, message.id, record)
        return rest, line

    def write_answer(self, pen: Pen, message_id: str, text: str, line: int = 0) -> bool:
        """One-shot render of a whole answer (folded, cut: see ``fold``, ``segments``) that
        starts at ``line`` of its reply; returns whether it defines link references."""
        return write_with_cuts(self.markdown, pen, fold_text(text), message_id, line)

    def write_header(self, pen: Pen, message: Message) -> None:
        """A quiet line above the message: who wrote it (the model's name for an answer);
        the time shows on hover (its tooltip, and the action bar)."""
        bfmt = self._tagged(message.id, "header")
        bfmt.setTopMargin(MESSAGE_GAP)
        bfmt.setBottomMargin(2)
        bfmt.setProperty(ROLE_PROPERTY, message.role.value)
        if message.role is Role.USER:
            bfmt.setLeftMargin(USER_INSET + SIDE_MARGIN)
        cfmt = QTextCharFormat()
        cfmt.setFontWeight(QFont.Weight.DemiBold)
        cfmt.setForeground(self.theme.dim)
        cfmt.setProperty(QTextFormat.Property.FontSizeAdjustment, -1)
        cfmt.setToolTip(message_time(message.created_at))
        pen.start_block(bfmt, cfmt)
        self.headers[message.id] = pen.cursor.block()
        label = "You" if message.role is Role.USER else "Assistant"
        if message.role is Role.ASSISTANT and message.model:
            label += f" · {inline_text(sanitize(message.model))}"
        self.markdown.runs.insert(pen.cursor, label, cfmt)

    def write_user_text(self, pen: Pen, text: str, message_id: str = "") -> None:
        """User text is plain: every character shown as typed, nothing interpreted (long
        lines and texts folded as answers are)."""
        self.markdown.runs.message_id = message_id
        lines = fold_text(clean(text)).split("\n")
        for index, line in enumerate(lines):
            bfmt = self._tagged("", "user")  # the box behind it is painted (``backdrop``)
            bfmt.setTopMargin(BUBBLE_PAD + 6 if index == 0 else 0)
            bfmt.setBottomMargin(BUBBLE_PAD if index == len(lines) - 1 else 0)
            bfmt.setLeftMargin(USER_INSET + BUBBLE_PAD)
            bfmt.setRightMargin(BUBBLE_PAD)
            pen.start_block(bfmt, QTextCharFormat())
            self.markdown.runs.insert(pen.cursor, line, QTextCharFormat())

    def write_attachments(self, pen: Pen, message: Message) -> None:
        def block_format() -> QTextBlockFormat:
            bfmt = self._tagged(message.id, "attachments")
            bfmt.setTopMargin(6)
            bfmt.setLeftMargin(USER_INSET + BUBBLE_PAD)
            bfmt.setRightMargin(BUBBLE_PAD)
            return bfmt

        write_attachments(pen, message, self.theme, self.thumbnails, block_format)

    # Reasoning ------------------------------------------------------------------------

    def reasoning_format(self) -> tuple[QTextBlockFormat, QTextCharFormat]:
        bfmt = QTextBlockFormat()
        bfmt.setProperty(SECTION_PROPERTY, "reasoning")
        bfmt.setLeftMargin(12)
        cfmt = QTextCharFormat()
        cfmt.setForeground(self.theme.dim)
        cfmt.setFontItalic(True)
        return bfmt, cfmt

    def write_reasoning_toggle(self, pen: Pen, message_id: str, *, expanded: bool) -> None:
        bfmt = self._tagged(message_id, "toggle")
        bfmt.setTopMargin(6)
        cfmt = QTextCharFormat()
        cfmt.setForeground(self.theme.dim)
        link = QTextCharFormat(cfmt)
        link.setAnchor(True)
        link.setAnchorHref(f"reasoning:{message_id}")
        pen.start_block(bfmt, cfmt)
        pen.cursor.insertText(("▾ " if expanded else "▸ ") + "Thinking", link)

    def write_reasoning(self, pen: Pen, message_id: str, text: str, *, fresh: bool) -> None:
        """Append reasoning text; ``fresh`` starts a new block, else it continues the last."""
        bfmt, cfmt = self.reasoning_format()
        for index, line in enumerate(text.split("\n")):
            if index or fresh:
                pen.start_block(bfmt, cfmt)
            if line:
                self.markdown.runs.insert(pen.cursor, line, cfmt)

    # Earlier messages (opening) ------------------------------------------------------

    def write_earlier_note(self, pen: Pen, count: int) -> None:
        bfmt = self._tagged("", EARLIER_SECTION)
        cfmt = QTextCharFormat()
        cfmt.setForeground(self.theme.dim)
        cfmt.setFontItalic(True)
        pen.start_block(bfmt, cfmt)
        pen.cursor.insertText(_earlier_label(count), cfmt)

    @staticmethod
    def update_earlier_note(document: QTextDocument, count: int) -> None:
        cursor = QTextCursor(document.begin())
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(_earlier_label(count))

    @staticmethod
    def remove_earlier_note(document: QTextDocument) -> None:
        """Remove the note block; the block after it keeps its own formats."""
        following = document.begin().next()
        if not following.isValid():
            return
        block_format, char_format = following.blockFormat(), following.charFormat()
        cursor = QTextCursor(document)
        cursor.setPosition(following.position(), QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        cursor.setBlockFormat(block_format)
        cursor.setBlockCharFormat(char_format)

    # Status ---------------------------------------------------------------------------

    def write_status(self, pen: Pen, message: Message) -> None:
        text, links = status_note(message)
        if not text:
            return
        bfmt = self._tagged(message.id, "status")
        bfmt.setTopMargin(6)
        cfmt = QTextCharFormat()
        cfmt.setFontItalic(True)
        failed = message.state in (MessageState.FAILED, MessageState.INTERRUPTED)
        cfmt.setForeground(self.theme.error if failed else self.theme.dim)
        pen.start_block(bfmt, cfmt)
        pen.cursor.insertText(inline_text(sanitize(text)), cfmt)
        for label, href in links:
            link = QTextCharFormat(cfmt)
            link.setFontItalic(False)
            link.setAnchor(True)
            link.setAnchorHref(href)
            link.setForeground(self.theme.link)
            link.setFontUnderline(True)
            pen.cursor.insertText("  ", cfmt)
            pen.cursor.insertText(label, link)

    @staticmethod
    def _tagged(message_id: str, section: str) -> QTextBlockFormat:
        bfmt = QTextBlockFormat()
        if message_id:
            bfmt.setProperty(MESSAGE_ID_PROPERTY, message_id)
        bfmt.setProperty(SECTION_PROPERTY, section)
        return bfmt


def message_time(created_at: float) -> str:
    """When a message was written, as its hover text shows it (local time)."""
    moment = time.localtime(created_at)
    today = time.localtime()
    if moment[:3] == today[:3]:
        return time.strftime("Today %H:%M", moment)
    return time.strftime("%a %d %b %Y, %H:%M", moment)


def _earlier_label(count: int) -> str:
    noun = "message" if count == 1 else "messages"
    return f"⋯ {count:,} earlier {noun} (scroll up to show them)"


def remove_to_end(cursor: QTextCursor, position: int) -> None:
    """Delete everything from ``position`` (a block end) to the end of the document.

    Qt gives an *empty* block the format of the block merged into it; the block we keep
    must keep its own format, so it is put back.
    """
    cursor.setPosition(position)
    block = cursor.block()
    block_format, char_format = block.blockFormat(), block.charFormat()
    cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
    if cursor.hasSelection():
        cursor.removeSelectedText()
        cursor.setBlockFormat(block_format)
        cursor.setBlockCharFormat(char_format)
