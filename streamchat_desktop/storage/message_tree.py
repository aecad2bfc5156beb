"""A conversation's message tree as the views see it: deleted messages contracted away.

Rows form a tree through ``parent_id`` (migration ``m002_messages``). A message deleted
with Undo (``deleted = 1``, migration ``m006_deleted_messages``) stays in the tree as an
invisible link: its children hang from its nearest visible ancestor instead. So deleting
one message hides exactly that message — what followed it stays where it was, every
other version stays reachable — and clearing the flag (Undo) puts the old tree back,
unchanged. The purge at the next launch (``purge_deleted``) reparents a deleted row's
children to its parent before removing it, which leaves this visible tree as it was.

Plain Python over ``(id, parent_id, deleted)`` rows in ``seq`` order: one range scan of
the conversation, then walks in memory (bench/history.py: faster than recursive SQL).
``leaf_of``, ``branch_ids`` and ``owner_of`` are the tree's lookups that the store's
parts (``repository``, ``branch_rows``, ``version_rows``) share.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

SELECT_TREE = "SELECT id, parent_id, deleted FROM messages WHERE conversation_id = ? ORDER BY seq"


@dataclass(slots=True)
class MessageTree:
    """Parent links of every row (``parents``, in ``seq`` order) and the deleted ids."""

    parents: dict[str, str | None]
    deleted: set[str]
    _visible_parents: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def load(cls, conn: sqlite3.Connection, conversation_id: str) -> MessageTree:
        rows = conn.execute(SELECT_TREE, (conversation_id,)).fetchall()
        return cls(
            {row["id"]: row["parent_id"] for row in rows},
            {row["id"] for row in rows if row["deleted"]},
        )

    def raw_chain(self, leaf: str | None) -> list[str]:
        """Every id from the root down to ``leaf``, deleted ones included."""
        chain: list[str] = []
        current = leaf
        while current is not None and current in self.parents and len(chain) <= len(self.parents):
            chain.append(current)
            current = self.parents[current]
        chain.reverse()
        return chain

    def branch(self, leaf: str | None) -> list[str]:
        """The visible messages from the root down to ``leaf`` (the active branch)."""
        return [i for i in self.raw_chain(leaf) if i not in self.deleted]

    def visible_leaf(self, leaf: str | None) -> str | None:
        """``leaf`` itself, or its nearest visible ancestor when it is deleted."""
        branch = self.branch(leaf)
        return branch[-1] if branch else None

    def visible_parent(self, message_id: str) -> str | None:
        """The nearest ancestor that is not deleted (``None``: a root of the view)."""
        if not self._visible_parents and self.parents:
            self._visible_parents = self._contract()
        return self._visible_parents.get(message_id)

    def _contract(self) -> dict[str, str | None]:
        """Every row's visible parent in one pass: rows come in ``seq`` order, so a
        parent's own visible parent is known before its children's (a parent listed
        later, which no writer produces, is walked up instead)."""
        visible: dict[str, str | None] = {}
        for message_id, parent in self.parents.items():
            if parent is None or parent not in self.parents or parent not in self.deleted:
                visible[message_id] = parent if parent in self.parents else None
            elif parent in visible:
                visible[message_id] = visible[parent]
            else:
                chain = [i for i in self.raw_chain(parent) if i not in self.deleted]
                visible[message_id] = chain[-1] if chain else None
        return visible

    def children(self) -> dict[str | None, list[str]]:
        """Visible messages grouped by visible parent, oldest first: the version groups."""
        groups: dict[str | None, list[str]] = {}
        for message_id in self.parents:
            if message_id not in self.deleted:
                groups.setdefault(self.visible_parent(message_id), []).append(message_id)
        return groups

    def siblings(self, message_id: str) -> list[str]:
        """The message's version group (itself included); empty for a deleted message."""
        if message_id not in self.parents or message_id in self.deleted:
            return []
        return self.children().get(self.visible_parent(message_id), [])

    def positions(self, leaf: str | None) -> dict[str, tuple[int, int]]:
        """For branch messages with versions: ``id -> (number, count)``, 1-based."""
        groups = self.children()
        positions = {}
        for message_id in self.branch(leaf):
            group = groups[self.visible_parent(message_id)]
            if len(group) > 1:
                positions[message_id] = (group.index(message_id) + 1, len(group))
        return positions

    def newest_descendant(self, message_id: str) -> str:
        """Down from ``message_id`` through each newest visible child: the leaf to show."""
        groups = self.children()
        leaf = message_id
        seen = {leaf}
        while groups.get(leaf):
            leaf = groups[leaf][-1]
            if leaf in seen:
                break
            seen.add(leaf)
        return leaf


def purge_deleted_rows(conn: sqlite3.Connection) -> int:
    """Remove every deleted row, newest first, each one's children moved up to its
    parent (and a leaf pointing at it moved there too) before it goes, so the visible
    tree stays the same. Run inside a write transaction; returns how many went."""
    rows = conn.execute(
        "SELECT id, conversation_id FROM messages WHERE deleted = 1 ORDER BY seq DESC"
    ).fetchall()
    for row in rows:
        message_id = row["id"]
        parent = conn.execute(
            "SELECT parent_id FROM messages WHERE id = ?", (message_id,)
        ).fetchone()["parent_id"]
        conn.execute("UPDATE messages SET parent_id = ? WHERE parent_id = ?", (parent, message_id))
        conn.execute(
            "UPDATE conversations SET leaf_id = ? WHERE id = ? AND leaf_id = ?",
            (parent, row["conversation_id"], message_id),
        )
        conn.execute("DELETE FROM messages WHERE id = ?", (message_id,))
    return len(rows)


def leaf_of(conn: sqlite3.Connection, conversation_id: str) -> str | None:
    """Where the conversation's active branch ends (its ``leaf_id``, maybe a deleted row)."""
    row = conn.execute(
        "SELECT leaf_id FROM conversations WHERE id = ?", (conversation_id,)
    ).fetchone()
    return None if row is None else row["leaf_id"]


def branch_ids(conn: sqlite3.Connection, conversation_id: str) -> set[str]:
    """Every id on the active branch, deleted ones included."""
    leaf = leaf_of(conn, conversation_id)
    return set(MessageTree.load(conn, conversation_id).raw_chain(leaf))


def owner_of(conn: sqlite3.Connection, message_id: str, *, deleted_too: bool = True) -> str | None:
    """The conversation holding ``message_id`` (one lookup on the unique ``id`` index);
    ``deleted_too=False``: only while the message is not deleted."""
    hidden = "" if deleted_too else " AND deleted = 0"
    row = conn.execute(
        f"SELECT conversation_id FROM messages WHERE id = ?{hidden}", (message_id,)
    ).fetchone()
    return None if row is None else str(row["conversation_id"])
