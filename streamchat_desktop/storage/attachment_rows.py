"""The SQL of attachments: blobs stored once per sha256, and the links from messages.

See migration ``m004_attachments`` for why the bytes live in SQLite.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import time
from collections.abc import Iterable

from streamchat_desktop.core.attachments import Attachment, AttachmentContent, AttachmentKind
from streamchat_desktop.core.models import Message

LINKS_OF_CONVERSATION = """
    SELECT l.message_id, l.name, b.sha256, b.media_type, b.size, b.kind
    FROM message_attachments AS l
    JOIN attachment_blobs AS b ON b.sha256 = l.sha256
    JOIN messages AS m ON m.id = l.message_id
    WHERE m.conversation_id = ?
    ORDER BY l.message_id, l.position
"""


def put_blob(conn: sqlite3.Connection, content: AttachmentContent) -> None:
    """Store the file's bytes unless the same bytes are stored already."""
    attachment = content.attachment
    conn.execute(
        """
        INSERT INTO attachment_blobs (sha256, media_type, kind, size, data, text, pages,
                                      send_data, send_type, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (sha256) DO NOTHING
        """,
        (
            attachment.sha256,
            attachment.media_type,
            attachment.kind.value,
            attachment.size,
            content.data,
            content.text,
            content.pages,
            content.send_data,
            content.send_type,
            time.time(),
        ),
    )


def get_blob(conn: sqlite3.Connection, sha256: str, name: str = "") -> AttachmentContent | None:
    row = conn.execute(
        "SELECT sha256, media_type, kind, size, data, text, pages, send_data, send_type "
        "FROM attachment_blobs WHERE sha256 = ?",
        (sha256,),
    ).fetchone()
    if row is None:
        return None
    return AttachmentContent(
        _attachment(row, name),
        bytes(row["data"]),
        text=row["text"],
        pages=row["pages"],
        send_data=None if row["send_data"] is None else bytes(row["send_data"]),
        send_type=row["send_type"],
    )


def insert_links(conn: sqlite3.Connection, message: Message) -> None:
    """Link a newly inserted message to its attachments (whose blobs must be stored)."""
    conn.executemany(
        "INSERT INTO message_attachments (message_id, position, sha256, name) VALUES (?, ?, ?, ?)",
        [(message.id, i, a.sha256, a.name) for i, a in enumerate(message.attachments)],
    )


def with_links(
    conn: sqlite3.Connection, conversation_id: str, messages: Iterable[Message]
) -> list[Message]:
    """The messages with the attachments they name (one query per conversation)."""
    links: dict[str, list[Attachment]] = {}
    for row in conn.execute(LINKS_OF_CONVERSATION, (conversation_id,)):
        links.setdefault(row["message_id"], []).append(_attachment(row, row["name"]))
    return [
        dataclasses.replace(m, attachments=tuple(links[m.id])) if m.id in links else m
        for m in messages
    ]


def delete_orphans(conn: sqlite3.Connection) -> int:
    """Delete the blobs no message links to any more (after a conversation went)."""
    cursor = conn.execute(
        "DELETE FROM attachment_blobs WHERE sha256 NOT IN (SELECT sha256 FROM message_attachments)"
    )
    return cursor.rowcount


def _attachment(row: sqlite3.Row, name: str) -> Attachment:
    return Attachment(
        name=name,
        media_type=row["media_type"],
        size=row["size"],
        sha256=row["sha256"],
        kind=AttachmentKind(row["kind"]),
    )
