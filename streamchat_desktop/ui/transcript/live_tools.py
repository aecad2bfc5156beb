"""Tool calls of a shown reply as they move on: the live reply re-rendered from its header,
a finished one rebuilt, and a clock that rewrites a running call's elapsed time in place."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject, QTimer

from streamchat_desktop.core.tools import ToolCallRecord, ToolStatus
from streamchat_desktop.ui.transcript.tool_display import with_tool_call

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtGui import QTextDocument

    from streamchat_desktop.core.models import Message
    from streamchat_desktop.ui.throttle import Throttle
    from streamchat_desktop.ui.transcript.context import Pen
    from streamchat_desktop.ui.transcript.editing import EditBlock
    from streamchat_desktop.ui.transcript.stream import LiveReply
    from streamchat_desktop.ui.transcript.tool_display import ToolDisplay

TOOL_CLOCK_MS = 1000


class LiveToolCalls:
    """The tool-call updates of ``view.TranscriptView`` (a base class of it)."""

    _tools: ToolDisplay
    _tool_clock: QTimer | None
    _live: LiveReply | None
    _live_start: tuple[int, bool]
    _messages: list[Message]
    _throttle: Throttle
    _rebuild: Callable[[], None]
    _editing: Callable[[], EditBlock]
    begin_reply: Callable[[Message], None]
    append_text: Callable[[str, str], None]
    append_reasoning: Callable[[str, str], None]
    document: Callable[[], QTextDocument]

    if TYPE_CHECKING:

        @property
        def _pen(self) -> Pen: ...  # the view's: writes at the end of the document

    def update_tool_call(self, message_id: str, record: ToolCallRecord) -> None:
        """A tool call of a shown reply appeared or moved on: show it where it was made."""
        self._tools.note(record)
        if record.status is ToolStatus.RUNNING:
            self._start_tool_clock()
        live = self._live
        if live is not None and live.message.id == message_id:
            self._throttle.flush()
            offset = len(live.prefix) + len(live.answer.text())
            live.message = with_tool_call(live.message, record, offset)
            self._rerender_live()
            return
        for index, message in enumerate(self._messages):
            if message.id == message_id:
                self._messages[index] = with_tool_call(message, record, record.offset)
                self._rebuild()
                return

    def _rerender_live(self) -> None:
        """Render the live reply again from its header (a tool block changed), leaving the
        messages before it alone: a tool call costs the reply's size, not the conversation's."""
        from streamchat_desktop.core.models import MessageState
        from streamchat_desktop.ui.transcript.messages import remove_to_end

        live = self._live
        assert live is not None
        current = dataclasses.replace(
            live.message,
            content=live.prefix + live.answer.text(),
            reasoning="".join(live.reasoning) + "".join(live.reasoning_pending),
            state=MessageState.STREAMING,
        )
        self._throttle.cancel()
        start, reuse = self._live_start
        with self._editing():
            remove_to_end(self._pen.cursor, start)
            self._pen.reuse = reuse
        self._live = None
        self._messages.pop()
        self.begin_reply(current)
        if current.reasoning:
            self.append_reasoning(current.id, current.reasoning)
        rest = current.content[len(self._live_prefix()) :]
        if rest:
            self.append_text(current.id, rest)
        self._throttle.flush()

    def _start_tool_clock(self) -> None:
        if self._tool_clock is None:
            self._tool_clock = QTimer(cast("QObject", self))
            self._tool_clock.setInterval(TOOL_CLOCK_MS)
            self._tool_clock.timeout.connect(self._on_tool_clock)
        self._tool_clock.start()

    def _on_tool_clock(self) -> None:
        """A running call's elapsed time, rewritten in place (no re-render)."""
        from streamchat_desktop.ui.transcript.tool_blocks import refresh_elapsed

        live = self._live

        def shifted(at: int, delta: int) -> None:
            if live is not None:
                live.answer.shift(at, delta)

        with self._editing():
            running = refresh_elapsed(self.document(), self._tools, shifted)
        if not running and self._tool_clock is not None:
            self._tool_clock.stop()

    def _live_prefix(self) -> str:
        return self._live.prefix if self._live is not None else ""
