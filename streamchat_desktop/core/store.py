"""The ConversationStore protocol the chat service saves through, and an in-memory one.

``storage.repository`` implements the same protocol on SQLite; tests and
``--profile``-less experiments can use ``MemoryStore``.
"""

from __future__ import annotations

from typing import Protocol

from streamchat_desktop.core.models import Conversation, Message


class StoreError(Exception):
    """A store that cannot do what was asked (a full disk, a read-only or locked file):
    an environment fault with a sentence for the user, never a bug. ``storage`` raises
    its subclasses; layers that may not import ``storage`` catch this one."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConversationStore(Protocol):
    def create_conversation(self, conversation: Conversation) -> None: ...

    def get_conversation(self, conversation_id: str) -> Conversation | None: ...

    def update_conversation(self, conversation: Conversation) -> None: ...

    def list_conversations(self) -> list[Conversation]: ...

    def delete_conversation(self, conversation_id: str) -> None: ...

    def add_message(self, message: Message) -> None: ...

    def save_message(self, message: Message) -> None:
        """Overwrite a message's content and state (the streaming checkpoint)."""
        ...

    def delete_message(self, message_id: str) -> None:
        """Remove a message from the active branch (a store may keep it as a version)."""
        ...

    def messages(self, conversation_id: str) -> list[Message]:
        """The conversation's current messages in order (the active branch)."""
        ...

    def reveal(self, message_id: str) -> bool:
        """Put an earlier version on the active branch; whether anything changed."""
        ...

    def versions(self, message_id: str) -> list[Message]:
        """The message and its alternatives (edited prompts, regenerated answers)."""
        ...

    def conversation_of(self, message_id: str) -> str | None:
        """The conversation a visible message belongs to; ``None`` for an unknown or
        deleted one (a direct lookup, not a walk through its versions)."""
        ...

    def switch_version(self, message_id: str) -> list[Message]:
        """Make this version active (with its newest replies); returns the branch."""
        ...

    def version_positions(self, conversation_id: str) -> dict[str, tuple[int, int]]:
        """For active-branch messages that have versions: ``id -> (number, count)``."""
        ...

    def set_deleted(self, message_id: str, deleted: bool) -> None:
        """Hide one message from the branch, versions and search (``True``), or bring
        it back exactly where it was (``False``); ``KeyError`` for an unknown id."""
        ...


class MemoryStore:
    """A ConversationStore kept in memory, newest conversation first: one list per
    conversation, no versions (taking a message off the branch drops it and what
    follows, as a tree store's branch would look)."""

    def __init__(self) -> None:
        self._conversations: dict[str, Conversation] = {}
        self._messages: dict[str, list[Message]] = {}
        self._hidden: set[str] = set()  # deleted with Undo

    def create_conversation(self, conversation: Conversation) -> None:
        self._conversations[conversation.id] = conversation
        self._messages[conversation.id] = []

    def get_conversation(self, conversation_id: str) -> Conversation | None:
        return self._conversations.get(conversation_id)

    def update_conversation(self, conversation: Conversation) -> None:
        self._conversations[conversation.id] = conversation

    def list_conversations(self) -> list[Conversation]:
        return sorted(self._conversations.values(), key=lambda c: c.updated_at, reverse=True)

    def delete_conversation(self, conversation_id: str) -> None:
        self._conversations.pop(conversation_id, None)
        self._messages.pop(conversation_id, None)

    def add_message(self, message: Message) -> None:
        self._messages[message.conversation_id].append(message)

    def save_message(self, message: Message) -> None:
        rows = self._messages[message.conversation_id]
        for index, row in enumerate(rows):
            if row.id == message.id:
                rows[index] = message
                return
        rows.append(message)

    def delete_message(self, message_id: str) -> None:
        for rows in self._messages.values():
            index = next((i for i, row in enumerate(rows) if row.id == message_id), None)
            if index is not None:
                del rows[index:]

    def reveal(self, message_id: str) -> bool:
        return False  # no versions kept in memory: every message is on the branch

    def versions(self, message_id: str) -> list[Message]:
        return [
            m
            for rows in self._messages.values()
            for m in rows
            if m.id == message_id and m.id not in self._hidden
        ]

    def conversation_of(self, message_id: str) -> str | None:
        if message_id in self._hidden:
            return None
        for conversation_id, rows in self._messages.items():
            if any(m.id == message_id for m in rows):
                return conversation_id
        return None

    def switch_version(self, message_id: str) -> list[Message]:
        for conversation_id, rows in self._messages.items():
            if any(m.id == message_id for m in rows):
                return self.messages(conversation_id)
        return []

    def version_positions(self, conversation_id: str) -> dict[str, tuple[int, int]]:
        return {}

    def set_deleted(self, message_id: str, deleted: bool) -> None:
        if not any(m.id == message_id for rows in self._messages.values() for m in rows):
            raise KeyError(message_id)
        if deleted:
            self._hidden.add(message_id)
        else:
            self._hidden.discard(message_id)

    def messages(self, conversation_id: str) -> list[Message]:
        return [m for m in self._messages.get(conversation_id, []) if m.id not in self._hidden]
