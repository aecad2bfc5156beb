"""``--exit-after-reply``: echo the first reply to stdout as it streams, then report its end.

On a terminal, the model's control characters are shown, not obeyed (``terminal_text``);
into a pipe, stdout is exactly the answer."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TextIO

from streamchat_desktop.cli.terminal_text import visible_controls
from streamchat_desktop.core.branch import Branch
from streamchat_desktop.core.events import Failed, Finished, TerminalEvent, TextDelta
from streamchat_desktop.core.models import Conversation, Message
from streamchat_desktop.core.observers import ProgressEvent, ReplyStart
from streamchat_desktop.core.tool_events import Notice

log = logging.getLogger(__name__)


class ReplyPrinter:
    """A ReplyObserver for scripts: stdout gets exactly the answer text, stderr the error.

    ``on_done(exit_code)`` is called exactly once, when the watched reply has ended: 0
    when it finished, 1 when it failed (or its end could not be written: stderr closed),
    130 when it was cancelled. (stdout's reader going away is the runtime's guard's.)
    """

    def __init__(self, out: TextIO, err: TextIO, on_done: Callable[[int], None]) -> None:
        self._out = out
        self._err = err
        self._on_done = on_done
        self._message_id: str | None = None
        self._out_is_terminal = out.isatty()
        self._err_is_terminal = err.isatty()

    def reply_started(self, start: ReplyStart) -> None:
        if self._message_id is None:
            self._message_id = start.message.id

    def reply_event(self, conversation_id: str, message_id: str, event: ProgressEvent) -> None:
        if message_id != self._message_id:
            return
        if isinstance(event, TextDelta):
            self._out.write(visible_controls(event.text) if self._out_is_terminal else event.text)
            self._out.flush()
        elif isinstance(event, Notice):  # tools off for a server, the key echoed back…
            self._warn(event.text)

    def reply_ended(self, message: Message, event: TerminalEvent) -> None:
        if message.id != self._message_id:
            return
        code = 0 if isinstance(event, Finished) else 1 if isinstance(event, Failed) else 130
        try:
            self._report_end(event)
        except (OSError, ValueError) as exc:  # stdout/stderr closed (`| head`): still exit
            code = code or 1
            log.warning("could not write the end of the reply: %s", exc)
        finally:
            self._on_done(code)

    def _report_end(self, event: TerminalEvent) -> None:
        if isinstance(event, Finished | Failed):
            self._end_line()
        if isinstance(event, Finished):
            if event.finish_reason == "length":
                self._err.write("streamchat: the answer was cut at the token limit\n")
            elif event.finish_reason == "content_filter":
                self._err.write("streamchat: the answer was blocked by the content filter\n")
        elif isinstance(event, Failed):
            self._warn(event.error.message)
        else:
            self._err.write("streamchat: the answer was stopped\n")
        self._err.flush()

    def conversation_updated(self, conversation: Conversation) -> None:
        """Not a script's concern: it watches one reply."""

    def conversation_deleted(self, conversation_id: str) -> None:
        """Not a script's concern: it watches one reply."""

    def branch_changed(self, branch: Branch) -> None:
        """Not a script's concern: it watches one reply."""

    def _warn(self, text: str) -> None:
        """One line on stderr; the server's words in it cannot drive a terminal either."""
        shown = visible_controls(text) if self._err_is_terminal else text
        self._err.write(f"streamchat: {shown}\n")
        self._err.flush()

    def _end_line(self) -> None:
        """Scripts get exactly the answer; a terminal also gets a final newline."""
        if self._out_is_terminal:
            self._out.write("\n")
        self._out.flush()
