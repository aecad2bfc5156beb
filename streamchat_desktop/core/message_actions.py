"""The actions every message of a conversation offers, as ``ChatService`` methods:
regenerate any answer, edit any prompt, switch versions, delete one message with Undo,
continue a cut answer. Each change of the branch is told to every observer
(``ReplyObserver.branch_changed``) with the branch to show, so no view reads it back.

A mixin: ``ChatService`` supplies the store, the replies and the observers (``_Service``).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol

from streamchat_desktop.core.attachments import Attachment
from streamchat_desktop.core.branch import Branch, DeletedMessage, NoSuchMessageError
from streamchat_desktop.core.models import Conversation, Message, Role
from streamchat_desktop.core.observers import ReplyObserver, notify
from streamchat_desktop.core.store import ConversationStore


@dataclass(frozen=True, slots=True)
class SteppedVersion:
    """The version ``step_version`` put on the branch, and where it stands (2 of 3)."""

    message: Message
    number: int
    count: int


class _Service(Protocol):
    """What the actions use of ``ChatService``."""

    _store: ConversationStore
    _observers: list[ReplyObserver]

    def _require_idle(self, conversation_id: str, action: str = ...) -> Conversation: ...

    def _touch(self, conversation: Conversation) -> None: ...

    def _send(
        self,
        conversation: Conversation,
        history: list[Message],
        text: str,
        attachments: tuple[Attachment, ...] = ...,
        *,
        announce: bool = ...,
        retitle: bool = ...,
    ) -> Message: ...

    def _start_reply(
        self,
        conversation: Conversation,
        history: list[Message],
        continuing: Message | None = ...,
        *,
        announce: bool = ...,
    ) -> Message: ...

    def branch(self, conversation_id: str) -> Branch: ...

    def versions(self, message_id: str) -> list[Message]: ...

    def switch_version(self, message_id: str) -> list[Message]: ...

    def retry(self, conversation_id: str) -> Message: ...

    def regenerate_answer(self, conversation_id: str, message_id: str) -> Message: ...

    def conversation_of(self, message_id: str) -> str: ...

    def _branch_changed(self, conversation_id: str) -> None: ...


class MessageActions:
    """Per-message actions of ``ChatService`` (see the module docstring)."""

    def versions(self: _Service, message_id: str) -> list[Message]:
        """The message and its alternatives (edited prompts, regenerated answers)."""
        return self._store.versions(message_id)

    def version_positions(self: _Service, conversation_id: str) -> dict[str, tuple[int, int]]:
        """For active-branch messages with versions: ``id -> (number, count)``."""
        return self._store.version_positions(conversation_id)

    def branch(self: _Service, conversation_id: str) -> Branch:
        """The active branch with its version positions: what a view renders."""
        return Branch(
            conversation_id,
            tuple(self._store.messages(conversation_id)),
            MappingProxyType(self._store.version_positions(conversation_id)),
        )

    def switch_version(self: _Service, message_id: str) -> list[Message]:
        """Make this version active (with its newest replies); returns the branch.

        Refused (``BusyError``) while a reply streams in that conversation."""
        conversation_id = self.conversation_of(message_id)
        self._require_idle(conversation_id, "show another version")
        messages = self._store.switch_version(message_id)
        self._branch_changed(conversation_id)
        return messages

    def step_version(self: _Service, message_id: str, step: int) -> SteppedVersion | None:
        """Show the version ``step`` away from this one (-1 the one before, +1 the next);
        None when there is none that way (nothing changes).

        ``NoSuchMessageError`` for an unknown message; ``BusyError`` while a reply streams.
        """
        versions = self.versions(message_id)
        ids = [version.id for version in versions]
        if message_id not in ids:
            raise NoSuchMessageError("there is no such message")
        index = ids.index(message_id) + step
        if not 0 <= index < len(ids):
            return None
        self.switch_version(ids[index])
        return SteppedVersion(versions[index], index + 1, len(ids))

    def reveal(self: _Service, message_id: str) -> bool:
        """Put an earlier version holding this message on the active branch."""
        changed = self._store.reveal(message_id)
        if changed:
            self._branch_changed(self.conversation_of(message_id))
        return changed

    def retry(self: _Service, conversation_id: str) -> Message:
        """Drop the last answer (failed, stopped, or any) and ask again."""
        history = self._store.messages(conversation_id)
        if not history or history[-1].role is not Role.ASSISTANT:
            self._require_idle(conversation_id)
            raise RuntimeError("there is no answer to retry")
        return self.regenerate_answer(conversation_id, history[-1].id)

    def regenerate(self: _Service, conversation_id: str) -> Message:
        """Ask again for the last answer; a store with versions keeps the old one."""
        return self.retry(conversation_id)

    def regenerate_answer(self: _Service, conversation_id: str, message_id: str) -> Message:
        """Ask again for any answer on the active branch; returns the new reply.

        The model gets the branch up to that answer's prompt. The new answer is a
        sibling of the old one: the old answer (if it has any text) and everything
        after it stay reachable as an earlier version (``switch_version``).
        """
        conversation = self._require_idle(conversation_id, "regenerate an answer")
        history = self._store.messages(conversation_id)
        index = _index_on_branch(history, message_id, Role.ASSISTANT, "regenerated")
        self._store.delete_message(message_id)  # off the branch, kept as a version
        self._touch(conversation)
        return self._start_reply(conversation, history[:index], announce=True)

    def edit_and_resend(
        self: _Service, conversation_id: str, message_id: str, text: str
    ) -> Message:
        """Replace any prompt on the active branch and ask again from there.

        The edited prompt becomes a new version of the old one: the old prompt and
        everything after it stay reachable (``switch_version`` to it); the new prompt
        is sent with the files the old one carried.
        """
        conversation = self._require_idle(conversation_id, "edit a prompt")
        history = self._store.messages(conversation_id)
        index = _index_on_branch(history, message_id, Role.USER, "edited")
        for message in reversed(history[index:]):
            self._store.delete_message(message.id)
        attachments = history[index].attachments
        # The title stays: it may have been renamed, and the old version is still there.
        return self._send(
            conversation, history[:index], text, attachments, announce=True, retitle=False
        )

    def continue_reply(self: _Service, conversation_id: str, message_id: str) -> Message:
        """Continue the last answer (cut by ``length``, stopped or interrupted) in place."""
        conversation = self._require_idle(conversation_id, "continue an answer")
        history = self._store.messages(conversation_id)
        if not history or history[-1].id != message_id or history[-1].role is not Role.ASSISTANT:
            raise NoSuchMessageError("only the last answer of the conversation can be continued")
        self._touch(conversation)
        return self._start_reply(conversation, history[:-1], continuing=history[-1])

    def delete_message(self: _Service, conversation_id: str, message_id: str) -> DeletedMessage:
        """Delete one message of the active branch, with Undo (``undo_delete(token)``).

        A soft delete: the message leaves the branch, its version group, search and
        exports, and the history sent to the model; what came after it stays where it
        was (its children hang from its nearest visible ancestor), and every other
        version stays reachable. Undo brings it back exactly (position, versions,
        active branch). A SQLite store purges deleted messages at the next launch, so an
        Undo lasts one session. Refused (``BusyError``) while a reply streams there.
        """
        self._require_idle(conversation_id, "delete a message")
        history = self._store.messages(conversation_id)
        index = _index_on_branch(history, message_id, None, "deleted")
        message = history[index]
        self._store.set_deleted(message_id, True)
        self._branch_changed(conversation_id)
        preview = " ".join(message.content.split())[:80]
        return DeletedMessage(conversation_id, message_id, message.role, preview)

    def undo_delete(self: _Service, deleted: DeletedMessage) -> None:
        """Bring a deleted message back where it was (refused while a reply streams)."""
        self._require_idle(deleted.conversation_id, "undo the delete")
        try:
            self._store.set_deleted(deleted.message_id, False)
        except KeyError:
            raise NoSuchMessageError("the deleted message is gone for good") from None
        self._branch_changed(deleted.conversation_id)

    def conversation_of(self: _Service, message_id: str) -> str:
        """The conversation a visible message belongs to (``NoSuchMessageError``: none)."""
        conversation_id = self._store.conversation_of(message_id)
        if conversation_id is None:
            raise NoSuchMessageError("there is no such message")
        return conversation_id

    def _branch_changed(self: _Service, conversation_id: str) -> None:
        branch = self.branch(conversation_id)
        for observer in list(self._observers):
            notify(observer.branch_changed, branch)


def _index_on_branch(history: list[Message], message_id: str, role: Role | None, done: str) -> int:
    """Where the message sits on the branch; refused if absent or of another role."""
    index = next((i for i, m in enumerate(history) if m.id == message_id), None)
    if index is None or (role is not None and history[index].role is not role):
        what = {Role.USER: "a prompt", Role.ASSISTANT: "an answer", None: "a message"}[role]
        raise NoSuchMessageError(f"only {what} on this conversation's branch can be {done}")
    return index
