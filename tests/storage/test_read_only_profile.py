"""A history in a read-only folder (a real read-only bind mount: writes fail with EROFS,
even for root) is read, searched and exported; writing says "read-only" in words."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from streamchat_desktop.core.models import Conversation
from streamchat_desktop.storage import SqliteStore, StorageReadOnlyError
from tests.support.mounts import read_only_view
from tests.support.sqlite_fixtures import add_turns

DB = "conversations.sqlite3"


def history(folder: Path) -> SqliteStore:
    store = SqliteStore.open(folder / DB)
    add_turns(store, [("what is a write-ahead log", "the WAL keeps new pages")], title="wal")
    return store


def test_a_read_only_history_is_read_and_searched(tmp_path: Path) -> None:
    history(tmp_path / "profile").close()
    with read_only_view(tmp_path / "profile", tmp_path / "view") as view:
        store = SqliteStore.open(view / DB, read_only=True)
        try:
            [conversation] = store.list_conversations()
            assert [m.content for m in store.messages(conversation.id)][-1] == (
                "the WAL keeps new pages"
            )
            assert [hit.conversation_id for hit in store.search("write-ahead")] == [conversation.id]
            with pytest.raises(StorageReadOnlyError, match="read-only"):
                store.create_conversation(Conversation(title="new"))
        finally:
            store.close()
        assert sorted(p.name for p in view.iterdir()) == [DB]  # nothing was written


def test_changes_still_in_the_wal_are_read(tmp_path: Path) -> None:
    """The writer is still open (its last turn only in the WAL, with its -shm)."""
    writer = history(tmp_path / "profile")
    try:
        with writer.batch():
            add_turns(writer, [("only in the wal", "yes")], title="latest")
        with read_only_view(tmp_path / "profile", tmp_path / "view") as view:
            assert Path(f"{view / DB}-wal").stat().st_size > 0
            reader = SqliteStore.open(view / DB, read_only=True)
            try:
                assert {c.title for c in reader.list_conversations()} == {"wal", "latest"}
            finally:
                reader.close()
    finally:
        writer.close()


def test_a_wal_without_its_shm_in_a_read_only_folder_is_refused_in_words(
    tmp_path: Path,
) -> None:
    """Read as immutable, its last changes would silently be missing: say so instead."""
    writer = history(tmp_path / "profile")
    copy = tmp_path / "copy"
    copy.mkdir()
    try:
        writer_conn = sqlite3.connect(tmp_path / "profile" / DB)
        writer_conn.execute("PRAGMA wal_autocheckpoint = 0")
        writer_conn.execute("UPDATE conversations SET title = 'renamed'")
        writer_conn.commit()
        shutil.copy(tmp_path / "profile" / DB, copy / DB)
        shutil.copy(tmp_path / "profile" / f"{DB}-wal", copy / f"{DB}-wal")
        writer_conn.close()
    finally:
        writer.close()
    with (
        read_only_view(copy, tmp_path / "view") as view,
        pytest.raises(StorageReadOnlyError, match=r"read-only.*-shm"),
    ):
        SqliteStore.open(view / DB, read_only=True)
