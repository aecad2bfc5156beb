"""The links inside the transcript: what a click on each kind of address does.

Model text can only make http, https and mailto links (``markdown.is_allowed_link``); the
other schemes are written by the renderer itself: retry:, continue:, copy:, reasoning:,
fold:, attachment:, othermodel:, tool:.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QUrl, SignalInstance
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from collections.abc import Callable

    from streamchat_desktop.core.models import Message
    from streamchat_desktop.ui.transcript.messages import MessageWriter
    from streamchat_desktop.ui.transcript.tool_display import ToolDisplay

log = logging.getLogger(__name__)


class TranscriptLinks:
    """The link dispatch of ``view.TranscriptView`` (a base class of it)."""

    retry_requested: SignalInstance
    continue_requested: SignalInstance
    attachment_activated: SignalInstance
    model_change_requested: SignalInstance
    tool_decision_requested: SignalInstance
    link_activated: SignalInstance
    folded_dialog: QWidget | None
    _open_links: bool
    _messages: list[Message]
    _expanded: set[str]
    _folded_by_user: set[str]
    _tools: ToolDisplay
    _wraps: set[str]  # a block is known by its Wrap link: its message id and first line

    reply_text: Callable[[str], str]

    if TYPE_CHECKING:

        @property
        def _writer(self) -> MessageWriter: ...  # the view's

    _rebuild: Callable[[], None]

    def _on_anchor_clicked(self, url: QUrl) -> None:
        scheme = url.scheme().lower()
        target = url.path()
        if scheme == "retry":
            self.retry_requested.emit(target)
        elif scheme == "continue":
            self.continue_requested.emit(target)
        elif scheme == "copy":
            self._copy_code(target)
        elif scheme == "wrap":
            from streamchat_desktop.ui.transcript.code_wrap import toggle_wrap

            href = f"wrap:{target}"
            header = self._writer.headers.get(target.rpartition(":")[0])
            wrapped = None if header is None else toggle_wrap(header, href)
            if wrapped:
                self._wraps.add(href)
            elif wrapped is not None:
                self._wraps.discard(href)
        elif scheme == "reasoning":
            self._toggle_reasoning(target)
        elif scheme == "fold":
            self._show_folded(target)
        elif scheme == "attachment":
            self._open_attachment(target)
        elif scheme == "othermodel":
            self.model_change_requested.emit(target)
        elif scheme == "tool":
            self._on_tool_link(target)
        elif _is_allowed_link(url.toString()):
            self.link_activated.emit(url)
            if self._open_links:
                QDesktopServices.openUrl(url)
        else:
            log.info("ignored a link with scheme %r", scheme)

    def _copy_code(self, target: str) -> None:
        message_id, _, line = target.rpartition(":")
        if not line.isdigit():
            return
        from streamchat_desktop.ui.transcript.code_copy import code_at_line

        code = code_at_line(self.reply_text(message_id), int(line))
        if code is not None:
            QGuiApplication.clipboard().setText(code)

    def _show_folded(self, target: str) -> None:
        """Open the whole text behind a fold link (``fold:<message id>:<fold name>``)."""
        from streamchat_desktop.ui.transcript.folded_view import open_folded

        message_id, _, fold = target.rpartition(":")
        self.folded_dialog = open_folded(cast("QWidget", self), self.reply_text(message_id), fold)

    def _open_attachment(self, target: str) -> None:
        from streamchat_desktop.ui.transcript.attachments import parse_href

        where = parse_href(target)
        message = next((m for m in self._messages if where and m.id == where[0]), None)
        if where is not None and message is not None and where[1] < len(message.attachments):
            self.attachment_activated.emit(message.attachments[where[1]])

    def _on_tool_link(self, target: str) -> None:
        action, _, call_id = target.partition(":")
        if action == "fold":
            self._tools.toggle(call_id)
            self._rebuild()
        elif action == "all":
            self._tools.show_all.add(call_id)
            self._rebuild()
        elif action in ("allow_once", "always_allow", "deny"):
            self.tool_decision_requested.emit(call_id, action)

    def _toggle_reasoning(self, message_id: str) -> None:
        if message_id in self._expanded:
            self._expanded.discard(message_id)
            self._folded_by_user.add(message_id)
        else:
            self._expanded.add(message_id)
            self._folded_by_user.discard(message_id)
        self._rebuild()


def _is_allowed_link(url: str) -> bool:
    from streamchat_desktop.ui.transcript.markdown import is_allowed_link

    return is_allowed_link(url)
