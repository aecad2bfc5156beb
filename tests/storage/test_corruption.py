"""A damaged database is set aside and a fresh one started; full and read-only disks
give errors the app can show."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from streamchat_desktop.core.models import Conversation, Message, Role
from streamchat_desktop.storage import (
    DatabaseCorruptError,
    SqliteStore,
    StorageError,
    StorageFullError,
    StorageReadOnlyError,
)
from tests.support.sqlite_fixtures import add_turns


def make_real_database(path: Path, conversations: int = 40) -> None:
    store = SqliteStore.open(path)
    for i in range(conversations):
        add_turns(store, [(f"question {i} " * 50, f"answer {i} " * 200)], title=f"c{i}")
    store.close()  # checkpoints the WAL into the main file


def backups(path: Path) -> list[Path]:
    return sorted(p for p in path.parent.glob(f"{path.name}.corrupt-*") if "-wal" not in p.name)


def test_garbage_bytes_are_moved_aside(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    garbage = bytes(range(256)) * 64
    db_path.write_bytes(garbage)
    store = SqliteStore.open(db_path)
    try:
        assert store.recovery is not None
        assert store.recovery.backup == backups(db_path)[0]
        assert store.recovery.backup.read_bytes() == garbage
        assert "kept as" in store.recovery.message
        assert store.list_conversations() == []
        add_turns(store, [("works", "again")])
        assert len(store.search("works")) == 1
    finally:
        store.close()


def test_a_truncated_database_is_moved_aside(db_path: Path) -> None:
    make_real_database(db_path)
    size = db_path.stat().st_size
    assert size > 64 * 1024
    with db_path.open("r+b") as file:
        file.truncate(size // 2)
    store = SqliteStore.open(db_path)
    try:
        assert store.recovery is not None
        assert "truncated" in store.recovery.reason
        assert store.recovery.backup.stat().st_size == size // 2
        assert store.list_conversations() == []
    finally:
        store.close()


def test_damaged_pages_are_moved_aside(db_path: Path) -> None:
    make_real_database(db_path)
    with db_path.open("r+b") as file:
        file.seek(4096 * 3)  # scribble over a b-tree page, keep the size and header
        file.write(b"\xff" * 4096)
    store = SqliteStore.open(db_path)
    try:
        assert store.recovery is not None
        assert backups(db_path)
    finally:
        store.close()


def test_without_recovery_the_damage_is_reported_and_nothing_moves(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"definitely not sqlite" * 100)
    with pytest.raises(DatabaseCorruptError, match="damaged or is not a StreamChat database"):
        SqliteStore.open(db_path, recover=False)
    assert db_path.read_bytes().startswith(b"definitely")
    assert backups(db_path) == []


def test_wal_and_shm_files_go_with_the_backup(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"x" * 5000)
    Path(f"{db_path}-wal").write_bytes(b"stale wal")
    store = SqliteStore.open(db_path)
    try:
        assert store.recovery is not None
        assert Path(f"{store.recovery.backup}-wal").read_bytes() == b"stale wal"
    finally:
        store.close()


def test_an_empty_file_is_a_new_database(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"")
    store = SqliteStore.open(db_path)
    assert store.recovery is None
    store.close()


def test_a_full_disk_raises_storage_full_and_keeps_the_old_text(store: SqliteStore) -> None:
    conversation, added = add_turns(store, [("q", "short")])
    with store._db.read() as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {int(pages)}")  # the "disk" is now full
    big = Message(
        role=Role.ASSISTANT,
        content="lorem ipsum " * 50_000,
        id=added[-1].id,
        conversation_id=conversation.id,
    )
    with pytest.raises(StorageFullError, match="disk is full") as caught:
        store.save_message(big)
    assert isinstance(caught.value, StorageError)
    assert store.messages(conversation.id)[-1].content == "short"
    with store._db.read() as conn:
        conn.execute("PRAGMA max_page_count = 1073741823")
    store.save_message(big)  # space again: the same save now works
    assert store.messages(conversation.id)[-1].content == big.content


def test_a_read_only_database_raises_storage_read_only(store: SqliteStore) -> None:
    with store._db.read() as conn:
        conn.execute("PRAGMA query_only = 1")
    with pytest.raises(StorageReadOnlyError, match="read-only"):
        store.create_conversation(Conversation(title="x"))
    with store._db.read() as conn:
        conn.execute("PRAGMA query_only = 0")
    store.create_conversation(Conversation(title="x"))


def test_a_second_connection_reads_while_one_writes(db_path: Path, store: SqliteStore) -> None:
    add_turns(store, [("visible", "to readers")])
    with store.batch():
        add_turns(store, [("not yet", "committed")])
        reader = sqlite3.connect(db_path, timeout=0.1)
        count = reader.execute("SELECT count(*) FROM messages").fetchone()[0]
        reader.close()
    assert count == 2  # WAL: the reader sees the last commit, without waiting
    assert store.message_count() == 4


def test_an_unreadable_path_is_a_clear_error(db_path: Path) -> None:
    db_path.mkdir(parents=True)  # a directory where the file should be
    with pytest.raises(StorageError, match="cannot be read"):
        SqliteStore.open(db_path)
    assert db_path.is_dir()
