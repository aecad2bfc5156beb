"""What the ChatService tells its observers, and the typed protocol they implement.

Data flows one way: the service hands each observer everything it needs (the reply
with the prompt and the branch it answers, each delta, the final message), so no view
reads the store back for a reply it was told about.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from streamchat_desktop.core.branch import Branch
from streamchat_desktop.core.events import ReasoningDelta, TerminalEvent, TextDelta, UsageReport
from streamchat_desktop.core.models import Conversation, Message, Role
from streamchat_desktop.core.tool_events import Notice, ToolCallChanged

log = logging.getLogger(__name__)

ProgressEvent = TextDelta | ReasoningDelta | UsageReport | ToolCallChanged | Notice
"""The events of a reply before its end (its end comes with ``reply_ended``)."""


@dataclass(frozen=True, slots=True)
class ReplyStart:
    """A reply that began (or was already streaming when the observer joined).

    ``message`` holds any text the reply already has (a continued answer, a late
    observer); ``history`` is the branch before it, oldest first; ``prompt`` is the
    user's message it answers, when the branch ends with one.
    """

    conversation: Conversation
    message: Message
    history: tuple[Message, ...] = ()

    @property
    def prompt(self) -> Message | None:
        if self.history and self.history[-1].role is Role.USER:
            return self.history[-1]
        return None


class ReplyObserver(Protocol):
    """Hears every reply and every change to the list of conversations."""

    def reply_started(self, start: ReplyStart) -> None: ...

    def reply_event(self, conversation_id: str, message_id: str, event: ProgressEvent) -> None:
        """A delta or usage report of a streaming reply."""
        ...

    def reply_ended(self, message: Message, event: TerminalEvent) -> None:
        """The reply's one end: ``message`` is its final text and state, as the service
        holds it (also when saving it failed: then the store has an older copy)."""
        ...

    def conversation_updated(self, conversation: Conversation) -> None: ...

    def conversation_deleted(self, conversation_id: str) -> None: ...

    def branch_changed(self, branch: Branch) -> None:
        """A conversation's active branch or its versions changed (a regenerated answer,
        an edited prompt, another version shown, a message deleted or brought back):
        ``branch`` is what to show now, with every message's version position. After an
        edit or a regeneration it comes right after the new reply's ``reply_started``
        and ends with that reply (streaming, no text yet); its deltas follow."""
        ...


def notify(callback: Callable[..., None], *args: object) -> None:
    """Tell one observer or listener; one that fails is logged and the others still hear."""
    try:
        callback(*args)
    except Exception:
        log.exception("reply observer %r failed", callback)
