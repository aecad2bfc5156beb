"""Tool calls in the transcript: one foldable block per call, where the model made it.

A block shows the tool, its server and its status on one line (click to fold or unfold,
like Thinking); unfolded, the pretty-printed arguments and the result, cut at
``RESULT_PREVIEW`` characters with a "show all" link, and the images the tool returned.
A call waiting for the user shows its arguments and the choices Allow once / Always
allow / Deny whatever its folding: nobody should approve what they cannot see.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

from PySide6.QtCore import QUrl
from PySide6.QtGui import (
    QFont,
    QImage,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextImageFormat,
)

from streamchat_desktop.core.tools import ToolCallRecord, ToolStatus
from streamchat_desktop.ui.transcript.context import Pen
from streamchat_desktop.ui.transcript.markdown import inline_text, sanitize
from streamchat_desktop.ui.transcript.properties import (
    CALL_PROPERTY,
    MESSAGE_ID_PROPERTY,
    SECTION_PROPERTY,
)
from streamchat_desktop.ui.transcript.runs import RunWriter
from streamchat_desktop.ui.transcript.theme import Theme
from streamchat_desktop.ui.transcript.tool_display import ToolDisplay

RESULT_PREVIEW = 2000
MAX_IMAGE_WIDTH = 480
STATUS_WORDS = {
    ToolStatus.PENDING: "waiting for your decision",
    ToolStatus.RUNNING: "running",
    ToolStatus.DONE: "done",
    ToolStatus.FAILED: "failed",
    ToolStatus.DECLINED: "declined",
}
CHOICES = (
    ("Allow once", "allow_once"),
    ("Always allow this tool", "always_allow"),
    ("Deny", "deny"),
)


def pretty_arguments(arguments: str) -> str:
    """The arguments as indented JSON, or as sent when they are not JSON."""
    try:
        return json.dumps(json.loads(arguments or "{}"), indent=2, ensure_ascii=False)
    except (json.JSONDecodeError, RecursionError):  # the model's text, whatever it is
        return arguments


class ToolBlockWriter:
    def __init__(self, theme: Theme, display: ToolDisplay) -> None:
        self.theme = theme
        self._runs = RunWriter(theme)
        self.display = display

    def write(self, pen: Pen, message_id: str, record: ToolCallRecord) -> None:
        call_id = record.call.id
        pending = record.status is ToolStatus.PENDING
        expanded = call_id in self.display.expanded or pending
        self._header(pen, message_id, record, expanded)
        if not expanded:
            return
        self._lines(pen, message_id, pretty_arguments(record.call.arguments), code=True)
        if pending:
            self._choices(pen, message_id, call_id)
            return
        if record.result:
            full = call_id in self.display.show_all
            text = record.result if full else record.result[:RESULT_PREVIEW]
            self._lines(pen, message_id, text, code=False)
            if not full and len(record.result) > RESULT_PREVIEW:
                self._link_line(pen, message_id, [("show all", f"tool:all:{call_id}")])
        for index, image in enumerate(record.images):
            self._image(pen, message_id, f"{call_id}/{index}", image.mime_type, image.data)

    def _block(self, message_id: str, left: float = 12) -> QTextBlockFormat:
        bfmt = QTextBlockFormat()
        bfmt.setProperty(SECTION_PROPERTY, "tool")
        bfmt.setProperty(MESSAGE_ID_PROPERTY, message_id)
        bfmt.setLeftMargin(left)
        return bfmt

    def _header(self, pen: Pen, message_id: str, record: ToolCallRecord, expanded: bool) -> None:
        bfmt = self._block(message_id, left=0)
        bfmt.setTopMargin(6)
        bfmt.setProperty(CALL_PROPERTY, record.call.id)
        cfmt = QTextCharFormat()
        cfmt.setForeground(
            self.theme.error if record.status is ToolStatus.FAILED else self.theme.dim
        )
        link = QTextCharFormat(cfmt)
        link.setAnchor(True)
        link.setAnchorHref(f"tool:fold:{record.call.id}")
        pen.start_block(bfmt, cfmt)
        server = f" ({inline_text(sanitize(record.server))})" if record.server else ""
        name = inline_text(sanitize(record.call.name))
        arrow = "▾ " if expanded else "▸ "
        header = f"{arrow}Tool: {name}{server} — {STATUS_WORDS[record.status]}"
        self.display.headers[record.call.id] = header
        pen.cursor.insertText(header + self.display.elapsed(record.call.id), link)

    def _lines(self, pen: Pen, message_id: str, text: str, *, code: bool) -> None:
        cfmt = QTextCharFormat()
        if code:
            cfmt.setFontFamilies(["monospace"])
            cfmt.setFontStyleHint(QFont.StyleHint.Monospace)
        cfmt.setForeground(self.theme.dim)
        for line in sanitize(text).replace("\r\n", "\n").split("\n"):
            pen.start_block(self._block(message_id), cfmt)
            if line:
                self._runs.insert(pen.cursor, line, cfmt)  # bidi controls shown as labels

    def _choices(self, pen: Pen, message_id: str, call_id: str) -> None:
        links = [(label, f"tool:{choice}:{call_id}") for label, choice in CHOICES]
        self._link_line(pen, message_id, links)

    def _link_line(self, pen: Pen, message_id: str, links: list[tuple[str, str]]) -> None:
        cfmt = QTextCharFormat()
        pen.start_block(self._block(message_id), cfmt)
        for index, (label, href) in enumerate(links):
            if index:
                pen.cursor.insertText("   ", cfmt)
            link = QTextCharFormat()
            link.setAnchor(True)
            link.setAnchorHref(href)
            link.setForeground(self.theme.link)
            link.setFontUnderline(True)
            pen.cursor.insertText(label, link)

    def _image(self, pen: Pen, message_id: str, key: str, mime: str, data: str) -> None:
        image = QImage()
        try:
            loaded = image.loadFromData(base64.b64decode(data, validate=False))
        except ValueError:
            loaded = False
        if not loaded or image.isNull():
            self._lines(pen, message_id, f"[an image ({mime}) that could not be shown]", code=False)
            return
        document: QTextDocument = pen.cursor.document()
        url = QUrl(f"toolimage:{key}")
        document.addResource(QTextDocument.ResourceType.ImageResource, url, image)
        fmt = QTextImageFormat()
        fmt.setName(url.toString())
        fmt.setWidth(min(MAX_IMAGE_WIDTH, image.width()))
        pen.start_block(self._block(message_id), QTextCharFormat())
        pen.cursor.insertImage(fmt)


def refresh_elapsed(
    document: QTextDocument, display: ToolDisplay, shifted: Callable[[int, int], None]
) -> bool:
    """Rewrite the time on the header of each running call, in place; ``shifted(at,
    delta)`` hears how positions after ``at`` moved. False when nothing runs."""
    running = display.running()
    if not running:
        return False
    block = document.begin()
    while block.isValid():
        call_id = block.blockFormat().property(CALL_PROPERTY)
        if call_id in running and call_id in display.headers:
            cursor = QTextCursor(block)
            cursor.movePosition(QTextCursor.MoveOperation.NextCharacter)
            link = cursor.charFormat()
            cursor.movePosition(QTextCursor.MoveOperation.StartOfBlock)
            cursor.movePosition(
                QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor
            )
            old = len(cursor.selectedText())
            new = display.headers[call_id] + display.elapsed(call_id)
            cursor.insertText(new, link)
            if len(new) != old:
                shifted(block.position() + old, len(new) - old)
        block = block.next()
    return True
