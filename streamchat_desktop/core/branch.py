"""What the views show of a conversation's message tree: the active branch, which
messages have versions (``‹ 2/3 ›``), which answer can be continued; and the refusals
of the per-message actions (regenerate, edit, switch, delete, undo, continue)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from streamchat_desktop.core.models import Message, Role


class BusyError(RuntimeError):
    """The conversation has a reply streaming: its branch cannot change until it ends."""

    def __init__(self, action: str = "change its messages") -> None:
        super().__init__(f"A reply is streaming in this conversation: stop it to {action}.")


class NoSuchMessageError(ValueError):
    """The message is not one the action applies to (unknown, not on the branch, or
    of the wrong role); the text says which."""


def can_be_continued(message: Message) -> bool:
    """An answer that was cut (token limit, stopped, interrupted) and could go on."""
    return message.role is Role.ASSISTANT and message.is_cut


@dataclass(frozen=True, slots=True)
class Branch:
    """A conversation's active branch as the views render it.

    ``positions`` maps the id of each message that has versions to ``(number, count)``
    (1-based); a message missing from it has none. A streaming reply appears with its
    last checkpoint (its live text comes with the reply's events).
    """

    conversation_id: str
    messages: tuple[Message, ...] = ()
    positions: Mapping[str, tuple[int, int]] = field(default_factory=lambda: MappingProxyType({}))

    def position(self, message_id: str) -> tuple[int, int] | None:
        return self.positions.get(message_id)

    @property
    def last(self) -> Message | None:
        return self.messages[-1] if self.messages else None

    def can_continue(self, message_id: str) -> bool:
        """Only the branch's last message, when it is a cut answer."""
        last = self.last
        return last is not None and last.id == message_id and can_be_continued(last)


@dataclass(frozen=True, slots=True)
class DeletedMessage:
    """What Undo needs to bring a deleted message back (``ChatService.undo_delete``)."""

    conversation_id: str
    message_id: str
    role: Role
    preview: str  # the start of its text, for an "Undo" toast
