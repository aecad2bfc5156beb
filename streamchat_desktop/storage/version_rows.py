"""VersionRows: the message tree beyond the active branch — versions and Delete with Undo.

A mixin of ``SqliteStore`` (which supplies the database and the active branch). Apart
from ``branch_rows`` because these change which rows of the tree are seen, never their
text: list a message's versions and where each stands, make another one active, end
the branch before a message so the next one becomes its new version, and hide a
message with Undo (its place in the tree kept) until ``purge_deleted`` at the next launch.
"""

from __future__ import annotations

import sqlite3
from typing import Protocol

from streamchat_desktop.core.models import Message
from streamchat_desktop.storage import attachment_rows
from streamchat_desktop.storage.converters import MESSAGE_COLUMNS, message_from_row
from streamchat_desktop.storage.database import Database
from streamchat_desktop.storage.message_tree import (
    MessageTree,
    branch_ids,
    leaf_of,
    owner_of,
    purge_deleted_rows,
)


class _Store(Protocol):
    """What the versions use of ``SqliteStore``."""

    _db: Database

    def messages(self, conversation_id: str) -> list[Message]: ...

    def switch_version(self, message_id: str) -> list[Message]: ...


class VersionRows:
    """Versions of a message, switching between them, and hiding one with Undo."""

    _db: Database

    def versions(self, message_id: str) -> list[Message]:
        """The message and its alternatives (same visible parent), oldest first."""
        with self._db.read() as conn:
            conversation_id = owner_of(conn, message_id)
            if conversation_id is None:
                return []
            ids = MessageTree.load(conn, conversation_id).siblings(message_id)
            messages = _messages_by_id(conn, ids)
            return attachment_rows.with_links(conn, conversation_id, messages)

    def conversation_of(self, message_id: str) -> str | None:
        """The conversation of a visible message (``None``: unknown or deleted): one
        SELECT on the messages' unique ``id`` index."""
        with self._db.read() as conn:
            return owner_of(conn, message_id, deleted_too=False)

    def version_positions(self, conversation_id: str) -> dict[str, tuple[int, int]]:
        """For active-branch messages that have versions: ``id -> (number, count)``."""
        with self._db.read() as conn:
            leaf = leaf_of(conn, conversation_id)
            return MessageTree.load(conn, conversation_id).positions(leaf)

    def switch_version(self: _Store, message_id: str) -> list[Message]:
        """Make ``message_id``'s version active (down to its newest reply); the branch."""
        with self._db.write() as conn:
            conversation_id = _conversation_of(conn, message_id)
            leaf = MessageTree.load(conn, conversation_id).newest_descendant(message_id)
            conn.execute(
                "UPDATE conversations SET leaf_id = ? WHERE id = ?", (leaf, conversation_id)
            )
        return self.messages(conversation_id)

    def reveal(self: _Store, message_id: str) -> bool:
        """Put the message on the active branch if it is an earlier version; changed?"""
        with self._db.write() as conn:
            conversation_id = _conversation_of(conn, message_id)
            if message_id in branch_ids(conn, conversation_id):
                return False
            self.switch_version(message_id)
        return True

    def branch_before(self, message_id: str) -> None:
        """End the active branch just before ``message_id``: the next message added
        becomes a new version of it (editing a prompt, regenerating an answer)."""
        with self._db.write() as conn:
            conversation_id = _conversation_of(conn, message_id)
            conn.execute(
                "UPDATE conversations SET leaf_id = "
                "(SELECT parent_id FROM messages WHERE id = ?) WHERE id = ?",
                (message_id, conversation_id),
            )

    def set_deleted(self, message_id: str, deleted: bool) -> None:
        """Hide one message (``True``) or bring it back exactly where it was (``False``).

        Only the flag changes: its place in the tree, its versions and the active
        branch stay as they are (``storage.message_tree``). ``KeyError``: no such message.
        """
        with self._db.write() as conn:
            cursor = conn.execute(
                "UPDATE messages SET deleted = ? WHERE id = ?", (int(deleted), message_id)
            )
            if cursor.rowcount == 0:
                raise KeyError(message_id)

    def purge_deleted(self) -> int:
        """Remove deleted messages for good (at launch: an Undo lasts one session).

        Each one's children move up to its parent first, and a conversation whose leaf
        it was ends at that parent, so every branch and version group looks as before.
        Returns how many were removed.
        """
        with self._db.write() as conn:
            purged = purge_deleted_rows(conn)
            if purged:
                attachment_rows.delete_orphans(conn)  # files only deleted prompts held
        return purged


def _messages_by_id(conn: sqlite3.Connection, ids: list[str]) -> list[Message]:
    if not ids:
        return []
    marks = ", ".join("?" * len(ids))
    rows = conn.execute(
        f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE id IN ({marks})", ids
    ).fetchall()
    by_id = {row["id"]: message_from_row(row) for row in rows}
    return [by_id[i] for i in ids]


def _conversation_of(conn: sqlite3.Connection, message_id: str) -> str:
    owner = owner_of(conn, message_id)
    if owner is None:
        raise KeyError(message_id)
    return owner
