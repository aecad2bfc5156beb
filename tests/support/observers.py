"""A ReplyObserver for tests: it keeps, in order, everything the ChatService told it."""

from __future__ import annotations

from dataclasses import dataclass, field

from streamchat_desktop.core.branch import Branch
from streamchat_desktop.core.events import ReplyEvent, TerminalEvent
from streamchat_desktop.core.models import Conversation, Message
from streamchat_desktop.core.observers import ProgressEvent, ReplyStart


@dataclass
class RecordingObserver:
    """``started``: each ReplyStart's message; ``events``: every event, the terminal one
    included; ``ended``: each final message; ``updated``/``deleted``: conversations."""

    starts: list[ReplyStart] = field(default_factory=list)
    started: list[Message] = field(default_factory=list)
    events: list[ReplyEvent] = field(default_factory=list)
    ended: list[Message] = field(default_factory=list)
    updated: list[Conversation] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    branches: list[Branch] = field(default_factory=list)

    def reply_started(self, start: ReplyStart) -> None:
        self.starts.append(start)
        self.started.append(start.message)

    def reply_event(self, conversation_id: str, message_id: str, event: ProgressEvent) -> None:
        self.events.append(event)

    def reply_ended(self, message: Message, event: TerminalEvent) -> None:
        self.events.append(event)
        self.ended.append(message)

    def conversation_updated(self, conversation: Conversation) -> None:
        self.updated.append(conversation)

    def conversation_deleted(self, conversation_id: str) -> None:
        self.deleted.append(conversation_id)

    def branch_changed(self, branch: Branch) -> None:
        self.branches.append(branch)
