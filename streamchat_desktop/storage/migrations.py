"""The database schema as named, ordered migrations (the simonw/llm pattern).

Each migration runs once, in order, inside its own transaction together with the
row that records it in ``_migrations``; a database therefore always sits exactly at
the end of some prefix of ``MIGRATIONS``. Never edit or reorder a released
migration: append a new one.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]

MIGRATIONS: list[Migration] = []
migration = MIGRATIONS.append


class UnknownMigrationsError(Exception):
    """The database records migrations this code does not have (a newer app wrote it)."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(", ".join(names))
        self.names = names


def applied(conn: sqlite3.Connection) -> list[str]:
    """Names of the migrations already applied, in the order they ran."""
    _ensure_table(conn)
    rows = conn.execute("SELECT name FROM _migrations ORDER BY applied_at, rowid").fetchall()
    return [str(row[0]) for row in rows]


def migrate(conn: sqlite3.Connection, *, upto: str | None = None) -> list[str]:
    """Apply every pending migration (or those up to and including ``upto``).

    Returns the names applied now. The connection must be in autocommit mode
    (``isolation_level=None``): each migration gets its own ``BEGIN IMMEDIATE``.
    """
    done = set(applied(conn))
    known = {fn.__name__ for fn in MIGRATIONS}
    unknown = sorted(done - known)
    if unknown:
        raise UnknownMigrationsError(unknown)
    ran: list[str] = []
    for fn in MIGRATIONS:
        name = fn.__name__
        if name not in done:
            conn.execute("BEGIN IMMEDIATE")
            try:
                fn(conn)
                conn.execute(
                    "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", (name, time.time())
                )
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            ran.append(name)
        if name == upto:
            break
    return ran


def _ensure_table(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at REAL NOT NULL)"
    )


@migration
def m001_conversations(conn: sqlite3.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE conversations (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            provider_id TEXT,
            model TEXT,
            system_prompt TEXT NOT NULL DEFAULT '',
            temperature REAL,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        )
        """
    )
    conn.execute("CREATE INDEX conversations_by_update ON conversations (updated_at DESC)")


@migration
def m002_messages(conn: sqlite3.Connection) -> None:
    # Messages form a tree: a regenerated answer or an edited prompt is a sibling of
    # the message it replaces (same parent), so earlier versions stay reachable.
    # ``conversations.leaf_id`` is the last message of the active branch; the branch
    # is the leaf's chain of parents. ``seq`` is an explicit INTEGER PRIMARY KEY so
    # the full-text index can rely on rowids that VACUUM never renumbers.
    conn.execute(
        """
        CREATE TABLE messages (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
            parent_id TEXT REFERENCES messages (id) ON DELETE CASCADE,
            role TEXT NOT NULL,
            content TEXT NOT NULL DEFAULT '',
            reasoning TEXT NOT NULL DEFAULT '',
            state TEXT NOT NULL,
            finish_reason TEXT,
            error_kind TEXT,
            error_message TEXT,
            usage_json TEXT,
            model TEXT,
            created_at REAL NOT NULL
        )
        """
    )
    conn.execute("CREATE INDEX messages_by_parent ON messages (conversation_id, parent_id, seq)")
    conn.execute("CREATE INDEX messages_child ON messages (parent_id)")
    conn.execute("CREATE INDEX messages_by_state ON messages (state)")
    conn.execute("ALTER TABLE conversations ADD COLUMN leaf_id TEXT")


@migration
def m003_message_search(conn: sqlite3.Connection) -> None:
    # An external-content FTS5 index over message text. A message is indexed once
    # its reply has ended: the 250 ms streaming checkpoints then cost no index work,
    # and the triggers add/remove exactly what was indexed (the 'delete' command
    # must be given the values that were indexed, or the index is corrupted). Hence
    # never run FTS5's 'rebuild' (it would index streaming rows too): re-index with the
    # INSERT … WHERE state != 'streaming' at the end of this migration instead.
    conn.execute(
        """
        CREATE VIRTUAL TABLE messages_fts USING fts5 (
            content,
            content = 'messages',
            content_rowid = 'seq',
            tokenize = 'unicode61 remove_diacritics 2',
            prefix = '2 3'
        )
        """
    )
    conn.execute(
        """
        CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
        WHEN new.state != 'streaming' BEGIN
            INSERT INTO messages_fts (rowid, content) VALUES (new.seq, new.content);
        END
        """
    )
    conn.execute(
        """
        CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
        WHEN old.state != 'streaming' BEGIN
            INSERT INTO messages_fts (messages_fts, rowid, content)
            VALUES ('delete', old.seq, old.content);
        END
        """
    )
    conn.execute(
        """
        CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, state ON messages
        WHEN old.content IS NOT new.content OR old.state IS NOT new.state BEGIN
            INSERT INTO messages_fts (messages_fts, rowid, content)
            SELECT 'delete', old.seq, old.content WHERE old.state != 'streaming';
            INSERT INTO messages_fts (rowid, content)
            SELECT new.seq, new.content WHERE new.state != 'streaming';
        END
        """
    )
    conn.execute(
        "INSERT INTO messages_fts (rowid, content) "
        "SELECT seq, content FROM messages WHERE state != 'streaming'"
    )


@migration
def m004_attachments(conn: sqlite3.Connection) -> None:
    # Files given with prompts, stored once per sha256 and linked from their messages.
    # SQLite blobs rather than files beside the database: a blob commits in the same
    # transaction as the prompt that names it (no orphan file or dangling link after a
    # crash), backups and exports copy one file, and 20 MB blobs are well within
    # SQLite's range. ``seq`` gives the full-text index rowids VACUUM never renumbers.
    conn.execute(
        """
        CREATE TABLE attachment_blobs (
            seq INTEGER PRIMARY KEY,
            sha256 TEXT NOT NULL UNIQUE,
            media_type TEXT NOT NULL,
            kind TEXT NOT NULL,
            size INTEGER NOT NULL,
            data BLOB NOT NULL,
            text TEXT,
            pages INTEGER,
            send_data BLOB,
            send_type TEXT,
            created_at REAL NOT NULL
        )
        """
    )
    conn.execute(
        """
        CREATE TABLE message_attachments (
            message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            sha256 TEXT NOT NULL REFERENCES attachment_blobs (sha256),
            name TEXT NOT NULL,
            PRIMARY KEY (message_id, position)
        )
        """
    )
    conn.execute("CREATE INDEX message_attachments_by_blob ON message_attachments (sha256)")
    # The text of attached files and PDFs, searchable beside message text. Blobs are
    # written once and never updated, so insert and delete triggers are all it needs.
    conn.execute(
        """
        CREATE VIRTUAL TABLE attachment_fts USING fts5 (
            text,
            content = 'attachment_blobs',
            content_rowid = 'seq',
            tokenize = 'unicode61 remove_diacritics 2',
            prefix = '2 3'
        )
        """
    )
    conn.execute(
        """
        CREATE TRIGGER attachment_fts_insert AFTER INSERT ON attachment_blobs
        WHEN new.text IS NOT NULL BEGIN
            INSERT INTO attachment_fts (rowid, text) VALUES (new.seq, new.text);
        END
        """
    )
    conn.execute(
        """
        CREATE TRIGGER attachment_fts_delete AFTER DELETE ON attachment_blobs
        WHEN old.text IS NOT NULL BEGIN
            INSERT INTO attachment_fts (attachment_fts, rowid, text)
            VALUES ('delete', old.seq, old.text);
        END
        """
    )


@migration
def m005_tool_calls(conn: sqlite3.Connection) -> None:
    # A reply's tool calls and results are stored with it as JSON (``tool_calls_json``,
    # NULL: none) and, for full-text search, as plain text (``tool_text``: tool names,
    # arguments and results). The FTS index gains that column: FTS5 cannot add a column,
    # so the index and its triggers are made again and filled from the finished rows.
    conn.execute("ALTER TABLE messages ADD COLUMN tool_calls_json TEXT")
    conn.execute("ALTER TABLE messages ADD COLUMN tool_text TEXT NOT NULL DEFAULT ''")
    for trigger in ("messages_fts_insert", "messages_fts_delete", "messages_fts_update"):
        conn.execute(f"DROP TRIGGER {trigger}")
    conn.execute("DROP TABLE messages_fts")
    conn.execute(
        """
        CREATE VIRTUAL TABLE messages_fts USING fts5 (
            content,
            tool_text,
            content = 'messages',
            content_rowid = 'seq',
            tokenize = 'unicode61 remove_diacritics 2',
            prefix = '2 3'
        )
        """
    )
    conn.execute(
        """
        CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
        WHEN new.state != 'streaming' BEGIN
            INSERT INTO messages_fts (rowid, content, tool_text)
            VALUES (new.seq, new.content, new.tool_text);
        END
        """
    )
    conn.execute(
        """
        CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
        WHEN old.state != 'streaming' BEGIN
            INSERT INTO messages_fts (messages_fts, rowid, content, tool_text)
            VALUES ('delete', old.seq, old.content, old.tool_text);
        END
        """
    )
    conn.execute(
        """
        CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, state, tool_text ON messages
        WHEN old.content IS NOT new.content OR old.state IS NOT new.state
            OR old.tool_text IS NOT new.tool_text BEGIN
            INSERT INTO messages_fts (messages_fts, rowid, content, tool_text)
            SELECT 'delete', old.seq, old.content, old.tool_text WHERE old.state != 'streaming';
            INSERT INTO messages_fts (rowid, content, tool_text)
            SELECT new.seq, new.content, new.tool_text WHERE new.state != 'streaming';
        END
        """
    )
    conn.execute(
        "INSERT INTO messages_fts (rowid, content, tool_text) "
        "SELECT seq, content, tool_text FROM messages WHERE state != 'streaming'"
    )


@migration
def m006_deleted_messages(conn: sqlite3.Connection) -> None:
    # A message deleted with Undo keeps its row, flagged, until the next launch purges
    # it (``SqliteStore.purge_deleted``): the branch, versions, search and exports skip
    # it, and Undo only clears the flag, so the message comes back exactly where it was.
    conn.execute("ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0")
