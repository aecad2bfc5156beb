"""ActiveReply: one streaming reply as it grows, and the checkpoints that save it.

Apart from ``ChatService`` (which starts replies and tells the observers) because what
a reply holds at any moment — the text it continues, its session's text so far, its
tool calls — and how that becomes a stored message is one job: a checkpoint at most
every ``CHECKPOINT_INTERVAL`` seconds (never per delta), and the final message at its
one end, whatever ended it.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

from streamchat_desktop.core.events import Failed, Finished, TerminalEvent
from streamchat_desktop.core.models import Message, MessageState
from streamchat_desktop.core.observers import ProgressEvent, ReplyObserver
from streamchat_desktop.core.session import ChatSession
from streamchat_desktop.core.tool_events import ToolCallChanged
from streamchat_desktop.core.tool_history import apply_change, close_unfinished
from streamchat_desktop.core.tools import ToolCallRecord

CHECKPOINT_INTERVAL = 0.25


@dataclass(slots=True)
class ActiveReply:
    """A reply while it streams; ``save`` takes its checkpoints."""

    conversation_id: str
    message: Message
    history: tuple[Message, ...]  # the branch before the reply
    observers: list[ReplyObserver]
    save: Callable[[Message], None]
    session: ChatSession = field(init=False)
    checkpoint: asyncio.TimerHandle | None = None
    dirty: bool = False
    prefix: str = ""  # text the reply continues (``continue_reply``)
    reasoning_prefix: str = ""
    discarded: bool = False  # its conversation was deleted: nothing more to save
    tool_calls: dict[str, ToolCallRecord] = field(default_factory=dict)  # by call id

    def snapshot(self) -> Message:
        """The message with everything received so far."""
        session = self.session
        return dataclasses.replace(
            self.message,
            content=self.prefix + session.text,
            reasoning=self.reasoning_prefix + session.reasoning,
            tool_calls=self.message.tool_calls + tuple(self.tool_calls.values()),
        )

    def record(self, event: ProgressEvent) -> None:
        """Take in one event before the end; a checkpoint follows within the interval."""
        if isinstance(event, ToolCallChanged):
            offset = len(self.prefix) + len(self.session.text)
            apply_change(self.tool_calls, event, offset)
        self.dirty = True
        if self.checkpoint is None:
            loop = asyncio.get_running_loop()
            self.checkpoint = loop.call_later(CHECKPOINT_INTERVAL, self._save_checkpoint)

    def end(self, event: TerminalEvent) -> Message:
        """No more checkpoints; the message as stored now that ``event`` ended it."""
        if self.checkpoint is not None:
            self.checkpoint.cancel()
            self.checkpoint = None
        snapshot = self.snapshot()
        snapshot = dataclasses.replace(snapshot, tool_calls=close_unfinished(snapshot.tool_calls))
        return final_message(snapshot, event)

    def _save_checkpoint(self) -> None:
        self.checkpoint = None
        if self.dirty and not self.discarded:
            self.dirty = False
            self.save(self.snapshot())


def final_message(message: Message, event: TerminalEvent) -> Message:
    """The message as stored once its reply ended, whatever ended it."""
    usage = event.stats.usage
    if isinstance(event, Finished):
        return dataclasses.replace(
            message, state=MessageState.COMPLETE, finish_reason=event.finish_reason, usage=usage
        )
    if isinstance(event, Failed):
        return dataclasses.replace(
            message,
            state=MessageState.FAILED,
            error_kind=event.error.kind.value,
            error_message=event.error.message,
            usage=usage,
        )
    return dataclasses.replace(message, state=MessageState.STOPPED, usage=usage)
