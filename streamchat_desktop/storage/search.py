"""Full-text search over every conversation (SQLite FTS5), ranked, with highlights.

Whatever the user types is turned into quoted FTS5 terms, so ``"``, ``*``, ``AND``,
``NEAR`` or a leading ``-`` are searched for as text and never parsed as syntax.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from streamchat_desktop.core.models import Role

HIGHLIGHT_OPEN = "\ue000"  # private-use characters: never in snippet text worth keeping
HIGHLIGHT_CLOSE = "\ue001"
SNIPPET_TOKENS = 18
DEFAULT_LIMIT = 50


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One message matching a search, with a snippet and where its matches are."""

    conversation_id: str
    conversation_title: str
    message_id: str
    role: Role
    snippet: str
    highlights: tuple[tuple[int, int], ...]  # (start, end) offsets into ``snippet``
    created_at: float
    rank: float
    attachment_name: str | None = None  # the hit is in this file attached to the message

    def marked(self, open_mark: str, close_mark: str, escape: Callable[[str], str] = str) -> str:
        """The snippet with each match wrapped, e.g. ``hit.marked("<b>", "</b>", html.escape)``."""
        parts: list[str] = []
        position = 0
        for start, end in self.highlights:
            parts.append(escape(self.snippet[position:start]))
            parts.append(open_mark + escape(self.snippet[start:end]) + close_mark)
            position = end
        parts.append(escape(self.snippet[position:]))
        return "".join(parts)


def fts_query(text: str, *, prefix_last: bool = True) -> str | None:
    """An FTS5 MATCH expression: every word must appear; the last may be a prefix.

    ``None`` when the text holds nothing searchable (only spaces or punctuation).
    """
    words = [word for word in text.split() if any(ch.isalnum() for ch in word)]
    if not words:
        return None
    terms = ['"' + word.replace('"', '""') + '"' for word in words]
    if prefix_last and not text[-1].isspace():
        terms[-1] += " *"
    return " ".join(terms)


SEARCH_SQL = """
    SELECT m.id AS message_id, m.conversation_id, c.title, m.role, m.created_at,
           NULL AS attachment_name,
           snippet(messages_fts, -1, ?, ?, '…', ?) AS snippet,
           messages_fts.rank AS rank
    FROM messages_fts
    JOIN messages AS m ON m.seq = messages_fts.rowid
    JOIN conversations AS c ON c.id = m.conversation_id
    WHERE messages_fts MATCH ? AND m.deleted = 0
    ORDER BY messages_fts.rank
    LIMIT ?
"""


# The text of attached files (a file attached twice is one blob, found in each message).
SEARCH_ATTACHMENTS_SQL = """
    SELECT m.id AS message_id, m.conversation_id, c.title, m.role, m.created_at,
           l.name AS attachment_name,
           snippet(attachment_fts, 0, ?, ?, '…', ?) AS snippet,
           attachment_fts.rank AS rank
    FROM attachment_fts
    JOIN attachment_blobs AS b ON b.seq = attachment_fts.rowid
    JOIN message_attachments AS l ON l.sha256 = b.sha256
    JOIN messages AS m ON m.id = l.message_id
    JOIN conversations AS c ON c.id = m.conversation_id
    WHERE attachment_fts MATCH ? AND m.deleted = 0
    ORDER BY attachment_fts.rank
    LIMIT ?
"""


def search_messages(conn: sqlite3.Connection, text: str, limit: int) -> list[SearchHit]:
    """Hits in message text and in attached files' text, best first."""
    query = fts_query(text)
    if query is None or limit <= 0:
        return []
    params = (HIGHLIGHT_OPEN, HIGHLIGHT_CLOSE, SNIPPET_TOKENS, query, limit)
    hits = [_hit(row) for row in conn.execute(SEARCH_SQL, params).fetchall()]
    hits += [_hit(row) for row in conn.execute(SEARCH_ATTACHMENTS_SQL, params).fetchall()]
    hits.sort(key=lambda hit: hit.rank)  # both bm25 ranks: lower is better
    return hits[:limit]


def _hit(row: sqlite3.Row) -> SearchHit:
    snippet, highlights = split_marks(row["snippet"] or "")
    return SearchHit(
        conversation_id=row["conversation_id"],
        conversation_title=row["title"],
        message_id=row["message_id"],
        role=Role(row["role"]),
        snippet=snippet,
        highlights=highlights,
        created_at=row["created_at"],
        rank=row["rank"],
        attachment_name=row["attachment_name"],
    )


def split_marks(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Plain text and highlight spans from a snippet carrying the private markers."""
    text: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    start: int | None = None
    for char in marked:
        if char == HIGHLIGHT_OPEN:
            start = length
        elif char == HIGHLIGHT_CLOSE:
            if start is not None and length > start:
                spans.append((start, length))
            start = None
        else:
            text.append(char)
            length += 1
    return "".join(text), tuple(spans)
