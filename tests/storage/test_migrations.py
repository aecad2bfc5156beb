"""Each migration, applied to a database left at the previous one, keeps its data."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from streamchat_desktop.core.models import MessageState
from streamchat_desktop.storage import DatabaseTooNewError, SqliteStore, migrations
from streamchat_desktop.storage.migrations import MIGRATIONS, applied, migrate


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    yield connection
    connection.close()


def names() -> list[str]:
    return [fn.__name__ for fn in MIGRATIONS]


def schema(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    rows = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()
    return [(str(name), " ".join(str(sql).split())) for name, sql in rows]


def test_migrations_are_named_in_order_and_unique() -> None:
    assert names() == sorted(names())
    assert len(set(names())) == len(names())
    assert names()[:3] == ["m001_conversations", "m002_messages", "m003_message_search"]


def test_migrate_runs_each_once(conn: sqlite3.Connection) -> None:
    assert migrate(conn) == names()
    assert migrate(conn) == []
    assert applied(conn) == names()


def test_m002_messages_from_m001(conn: sqlite3.Connection) -> None:
    migrate(conn, upto="m001_conversations")
    assert applied(conn) == ["m001_conversations"]
    conn.execute(
        "INSERT INTO conversations (id, title, created_at, updated_at) VALUES ('c', 'T', 1, 2)"
    )
    assert migrate(conn, upto="m002_messages") == ["m002_messages"]
    assert conn.execute("SELECT title, leaf_id FROM conversations").fetchone() == ("T", None)
    conn.execute(
        "INSERT INTO messages (id, conversation_id, role, content, state, created_at) "
        "VALUES ('m', 'c', 'user', 'hello', 'complete', 3)"
    )
    with pytest.raises(sqlite3.IntegrityError):  # the foreign key holds
        conn.execute(
            "INSERT INTO messages (id, conversation_id, role, state, created_at) "
            "VALUES ('x', 'nope', 'user', 'complete', 3)"
        )


def test_m003_message_search_indexes_existing_messages(conn: sqlite3.Connection) -> None:
    migrate(conn, upto="m002_messages")
    conn.execute(
        "INSERT INTO conversations (id, title, created_at, updated_at) VALUES ('c', 'T', 1, 2)"
    )
    rows = [
        ("m1", "user", "tell me about walruses", "complete"),
        ("m2", "assistant", "walruses live in the arctic", "complete"),
        ("m3", "assistant", "walruses half streamed", "streaming"),
    ]
    for message_id, role, content, state in rows:
        conn.execute(
            "INSERT INTO messages (id, conversation_id, role, content, state, created_at) "
            "VALUES (?, 'c', ?, ?, ?, 1)",
            (message_id, role, content, state),
        )
    assert migrate(conn, upto="m003_message_search") == ["m003_message_search"]
    found = conn.execute(
        "SELECT m.id FROM messages_fts JOIN messages m ON m.seq = messages_fts.rowid "
        "WHERE messages_fts MATCH 'walruses' ORDER BY m.id"
    ).fetchall()
    assert [row[0] for row in found] == ["m1", "m2"]  # a streaming reply is not indexed yet
    # FTS5 checks its own index structure (raises "malformed" if it is damaged).
    conn.execute("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')")


def test_step_by_step_equals_all_at_once(tmp_path: Path) -> None:
    stepwise = sqlite3.connect(tmp_path / "a.sqlite3", isolation_level=None)
    for name in names():
        migrate(stepwise, upto=name)
    at_once = sqlite3.connect(tmp_path / "b.sqlite3", isolation_level=None)
    migrate(at_once)
    assert schema(stepwise) == schema(at_once)
    stepwise.close()
    at_once.close()


def test_a_failing_migration_leaves_the_previous_schema(
    conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate(conn, upto="m001_conversations")
    before = schema(conn)

    def m002_messages(c: sqlite3.Connection) -> None:
        c.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")

    monkeypatch.setattr(migrations, "MIGRATIONS", [MIGRATIONS[0], m002_messages, *MIGRATIONS[2:]])
    with pytest.raises(RuntimeError):
        migrate(conn)
    assert schema(conn) == before
    assert applied(conn) == ["m001_conversations"]


def test_store_opens_a_database_left_at_an_older_migration(tmp_path: Path) -> None:
    path = tmp_path / "conversations.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, upto="m002_messages")
    conn.execute(
        "INSERT INTO conversations (id, title, created_at, updated_at, leaf_id) "
        "VALUES ('c', 'Old', 1, 2, 'm')"
    )
    conn.execute(
        "INSERT INTO messages (id, conversation_id, role, content, state, created_at) "
        "VALUES ('m', 'c', 'assistant', 'narwhals', 'streaming', 1)"
    )
    conn.close()
    store = SqliteStore.open(path)
    try:
        assert store.recovery is None
        assert [m.content for m in store.messages("c")] == ["narwhals"]
        assert store.search("narwhals") == []
        store.recover_interrupted()
        assert store.messages("c")[0].state is MessageState.INTERRUPTED
        assert [h.message_id for h in store.search("narwhals")] == ["m"]
    finally:
        store.close()


def test_a_database_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "conversations.sqlite3"
    SqliteStore.open(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("INSERT INTO _migrations (name, applied_at) VALUES ('m999_future', 1)")
    conn.close()
    with pytest.raises(DatabaseTooNewError, match="m999_future"):
        SqliteStore.open(path)
    assert path.exists()
    assert not list(tmp_path.glob("*.corrupt-*"))
