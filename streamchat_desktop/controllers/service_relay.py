"""ServiceRelay: the ChatService's observer on the Qt side, turning each call into a signal."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from streamchat_desktop.core.branch import Branch
from streamchat_desktop.core.events import TerminalEvent
from streamchat_desktop.core.models import Conversation, Message
from streamchat_desktop.core.observers import ProgressEvent, ReplyStart


class ServiceRelay(QObject):
    """Implements ``ReplyObserver``: every call becomes the matching Qt signal, with the
    data the service handed over (nothing is read back from the store).

    Signals:
        started(start): a ReplyStart.
        progressed(conversation_id, message_id, event): a delta or usage report.
        ended(message, event): the final Message and its TerminalEvent.
        updated(conversation): a Conversation was created or changed.
        deleted(conversation_id): a conversation is gone.
        branched(branch): a conversation's active branch or versions changed (a Branch).
    """

    started = Signal(object)
    progressed = Signal(str, str, object)
    ended = Signal(object, object)
    updated = Signal(object)
    deleted = Signal(str)
    branched = Signal(object)

    def reply_started(self, start: ReplyStart) -> None:
        self.started.emit(start)

    def reply_event(self, conversation_id: str, message_id: str, event: ProgressEvent) -> None:
        self.progressed.emit(conversation_id, message_id, event)

    def reply_ended(self, message: Message, event: TerminalEvent) -> None:
        self.ended.emit(message, event)

    def conversation_updated(self, conversation: Conversation) -> None:
        self.updated.emit(conversation)

    def conversation_deleted(self, conversation_id: str) -> None:
        self.deleted.emit(conversation_id)

    def branch_changed(self, branch: Branch) -> None:
        self.branched.emit(branch)
