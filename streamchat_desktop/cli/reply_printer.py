"""``--exit-after-reply``: echo the first reply to stdout as it streams, then report its end."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from streamchat_desktop.core.events import Failed, Finished, TerminalEvent, TextDelta
from streamchat_desktop.core.models import Conversation, Message
from streamchat_desktop.core.observers import ProgressEvent, ReplyStart
from streamchat_desktop.core.tool_events import Notice


class ReplyPrinter:
    """A ReplyObserver for scripts: stdout gets exactly the answer text, stderr the error.

    ``on_done(exit_code)`` is called once the watched reply has ended: 0 when it
    finished, 1 when it failed, 130 when it was cancelled.
    """

    def __init__(self, out: TextIO, err: TextIO, on_done: Callable[[int], None]) -> None:
        self._out = out
        self._err = err
        self._on_done = on_done
        self._message_id: str | None = None

    def reply_started(self, start: ReplyStart) -> None:
        if self._message_id is None:
            self._message_id = start.message.id

    def reply_event(self, conversation_id: str, message_id: str, event: ProgressEvent) -> None:
        if message_id != self._message_id:
            return
        if isinstance(event, TextDelta):
            self._out.write(event.text)
            self._out.flush()
        elif isinstance(event, Notice):  # tools off for this server, a server not started…
            self._err.write(f"streamchat: {event.text}\n")
            self._err.flush()

    def reply_ended(self, message: Message, event: TerminalEvent) -> None:
        if message.id != self._message_id:
            return
        if isinstance(event, Finished):
            self._end_line()
            if event.finish_reason == "length":
                self._err.write("streamchat: the answer was cut at the token limit\n")
            elif event.finish_reason == "content_filter":
                self._err.write("streamchat: the answer was blocked by the content filter\n")
            self._on_done(0)
        elif isinstance(event, Failed):
            self._end_line()
            self._err.write(f"streamchat: {event.error.message}\n")
            self._err.flush()
            self._on_done(1)
        else:
            self._err.write("streamchat: the answer was stopped\n")
            self._on_done(130)

    def conversation_updated(self, conversation: Conversation) -> None:
        """Not a script's concern: it watches one reply."""

    def conversation_deleted(self, conversation_id: str) -> None:
        """Not a script's concern: it watches one reply."""

    def _end_line(self) -> None:
        """Scripts get exactly the answer; a terminal also gets a final newline."""
        if self._out.isatty():
            self._out.write("\n")
        self._out.flush()
