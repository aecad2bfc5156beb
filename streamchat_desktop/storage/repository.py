"""SqliteStore: the ConversationStore on SQLite — the file, its conversations, search,
recovery and import.

Messages form a tree (see migration ``m002_messages``); the store's message methods
come from two mixins, one job each: ``branch_rows.ActiveBranchRows`` writes and reads
the active branch (the chain of parents of the conversation's leaf; a message taken off
it stays as an earlier version when it holds any text), and ``version_rows.VersionRows``
lists and switches versions and hides a message with Undo until the next launch
purges it. This module keeps what concerns a whole conversation or the whole file.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from streamchat_desktop.core.attachments import AttachmentContent
from streamchat_desktop.core.models import Conversation, Message, MessageState
from streamchat_desktop.storage import attachment_rows
from streamchat_desktop.storage.branch_rows import INSERT_MESSAGE, ActiveBranchRows
from streamchat_desktop.storage.converters import (
    CONVERSATION_COLUMNS,
    conversation_from_row,
    conversation_params,
    message_params,
)
from streamchat_desktop.storage.database import Database, Recovery, open_database
from streamchat_desktop.storage.errors import StorageError
from streamchat_desktop.storage.message_tree import owner_of
from streamchat_desktop.storage.read_only import open_read_only
from streamchat_desktop.storage.search import DEFAULT_LIMIT, SearchHit, search_messages
from streamchat_desktop.storage.version_rows import VersionRows

INSERT_CONVERSATION = f"""
    INSERT INTO conversations ({CONVERSATION_COLUMNS})
    VALUES (:id, :title, :provider_id, :model, :system_prompt, :temperature,
            :created_at, :updated_at)
"""


class ImportConflictError(StorageError):
    """An imported message id already belongs to another conversation."""


class SqliteStore(ActiveBranchRows, VersionRows):
    """Conversations and their messages in one SQLite file (the profile's database).

    Build it with ``SqliteStore.open(profile.database_file)``; ``recovery`` tells
    whether a damaged file had to be moved aside. Methods raise ``StorageError``
    subclasses (``StorageFullError``, ``StorageReadOnlyError``, ``DatabaseCorruptError``…).
    """

    def __init__(self, database: Database, recovery: Recovery | None = None) -> None:
        self._db = database
        self.recovery = recovery

    @classmethod
    def open(cls, path: Path, *, recover: bool = True, read_only: bool = False) -> SqliteStore:
        """``read_only``: only read (a read-only profile folder); nothing is moved aside,
        migrated or written, and every write raises ``StorageReadOnlyError``."""
        if read_only:
            return cls(open_read_only(Path(path)))
        database, recovery = open_database(Path(path), recover=recover)
        return cls(database, recovery)

    @property
    def path(self) -> Path:
        return self._db.path

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group many writes into one transaction (imports, benchmarks)."""
        with self._db.write():
            yield

    # Conversations -------------------------------------------------------------

    def create_conversation(self, conversation: Conversation) -> None:
        with self._db.write() as conn:
            conn.execute(INSERT_CONVERSATION, conversation_params(conversation))

    def get_conversation(self, conversation_id: str) -> Conversation | None:
        with self._db.read() as conn:
            row = conn.execute(
                f"SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id = ?",
                (conversation_id,),
            ).fetchone()
        return None if row is None else conversation_from_row(row)

    def update_conversation(self, conversation: Conversation) -> None:
        with self._db.write() as conn:
            conn.execute(
                """
                UPDATE conversations SET title = :title, provider_id = :provider_id,
                    model = :model, system_prompt = :system_prompt,
                    temperature = :temperature, created_at = :created_at,
                    updated_at = :updated_at
                WHERE id = :id
                """,
                conversation_params(conversation),
            )

    def list_conversations(self) -> list[Conversation]:
        """Every conversation, most recently updated first."""
        with self._db.read() as conn:
            rows = conn.execute(
                f"SELECT {CONVERSATION_COLUMNS} FROM conversations "
                "ORDER BY updated_at DESC, rowid DESC"
            ).fetchall()
        return [conversation_from_row(row) for row in rows]

    def delete_conversation(self, conversation_id: str) -> None:
        with self._db.write() as conn:
            conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
            attachment_rows.delete_orphans(conn)  # files only this conversation held

    # Attachments (the AttachmentBlobs protocol) ----------------------------------

    def put_attachment(self, content: AttachmentContent) -> None:
        """Store a file's bytes once (by sha256), before the prompt that names it."""
        with self._db.write() as conn:
            attachment_rows.put_blob(conn, content)

    def attachment_content(self, sha256: str) -> AttachmentContent | None:
        with self._db.read() as conn:
            return attachment_rows.get_blob(conn, sha256)

    # Start-up, search, import ---------------------------------------------------

    def recover_interrupted(self) -> int:
        """Mark replies left ``streaming`` by a killed process as ``interrupted``.

        Call once at start, after this process is known to be the only instance on
        the profile. Their text (up to the last checkpoint) is kept. Returns how many.
        """
        with self._db.write() as conn:
            cursor = conn.execute(
                "UPDATE messages SET state = ? WHERE state = ?",
                (MessageState.INTERRUPTED.value, MessageState.STREAMING.value),
            )
        return cursor.rowcount

    def search(self, text: str, limit: int = DEFAULT_LIMIT) -> list[SearchHit]:
        """Messages of every conversation matching all words of ``text``, best first."""
        with self._db.read() as conn:
            return search_messages(conn, text, limit)

    def message_count(self) -> int:
        with self._db.read() as conn:
            return int(conn.execute("SELECT count(*) FROM messages").fetchone()[0])

    def import_conversation(
        self, conversation: Conversation, messages: Sequence[Message], leaf_id: str | None
    ) -> tuple[bool, int]:
        """Add a conversation and the messages it lacks (parents listed before children).

        An existing conversation keeps its own title, settings and active branch.
        Returns (conversation created, messages added).
        """
        with self._db.write() as conn:
            created = self.get_conversation(conversation.id) is None
            if created:
                conn.execute(INSERT_CONVERSATION, conversation_params(conversation))
            added = 0
            for message in messages:
                owner = owner_of(conn, message.id)
                if owner is None:
                    conn.execute(INSERT_MESSAGE, message_params(message))
                    attachment_rows.insert_links(conn, message)
                    added += 1
                elif owner != conversation.id:
                    raise ImportConflictError(
                        f"Message {message.id} already belongs to another conversation."
                    )
            if created:
                conn.execute(
                    "UPDATE conversations SET leaf_id = ? WHERE id = ?",
                    (leaf_id, conversation.id),
                )
        return created, added
