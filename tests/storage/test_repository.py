"""SqliteStore as the ConversationStore: conversations, the active branch, checkpoints."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from streamchat_desktop.core.models import Conversation, Message, MessageState, Role, Usage
from streamchat_desktop.core.store import ConversationStore
from streamchat_desktop.storage import SqliteStore
from tests.support.sqlite_fixtures import add_turns


def test_it_is_a_conversation_store(store: SqliteStore) -> None:
    typed: ConversationStore = store  # mypy checks the protocol; this checks the methods
    for name in ConversationStore.__dict__:
        if not name.startswith("_"):
            assert callable(getattr(typed, name)), name


def test_the_file_is_in_wal_mode_with_foreign_keys(store: SqliteStore, db_path: Path) -> None:
    assert db_path.exists()
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    with store._db.read() as own:
        assert own.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert own.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_conversations_round_trip_and_list_newest_first(store: SqliteStore) -> None:
    old = Conversation(title="old", updated_at=100.0, created_at=100.0)
    new = Conversation(
        title="new",
        provider_id="local",
        model="llama3",
        system_prompt="Be brief.",
        temperature=0.3,
        updated_at=200.0,
    )
    store.create_conversation(old)
    store.create_conversation(new)
    assert store.get_conversation(new.id) == new
    assert [c.title for c in store.list_conversations()] == ["new", "old"]
    store.update_conversation(Conversation(id=old.id, title="renamed", updated_at=300.0))
    assert [c.title for c in store.list_conversations()] == ["renamed", "new"]
    assert store.get_conversation("missing") is None


def test_messages_come_back_in_order_as_dataclasses(store: SqliteStore) -> None:
    conversation, added = add_turns(store, [("one", "1"), ("two", "2")])
    messages = store.messages(conversation.id)
    assert [m.content for m in messages] == ["one", "1", "two", "2"]
    assert all(isinstance(m, Message) for m in messages)
    assert messages[0].parent_id is None
    assert [m.parent_id for m in messages[1:]] == [m.id for m in added[:-1]]


def test_save_message_is_the_streaming_checkpoint(store: SqliteStore) -> None:
    conversation, _ = add_turns(store, [])
    store.add_message(Message(role=Role.USER, content="hi", conversation_id=conversation.id))
    reply = Message(
        role=Role.ASSISTANT,
        content="",
        conversation_id=conversation.id,
        state=MessageState.STREAMING,
        model="m",
    )
    store.add_message(reply)
    store.save_message(replace(reply, content="Hel", reasoning="thinking"))
    assert store.messages(conversation.id)[-1].content == "Hel"
    final = replace(
        reply,
        content="Hello",
        reasoning="thinking",
        state=MessageState.FAILED,
        finish_reason=None,
        error_kind="stream_cut",
        error_message="The connection closed.",
        usage=Usage(prompt_tokens=3, completion_tokens=2, total_tokens=5),
    )
    store.save_message(final)
    stored = store.messages(conversation.id)[-1]
    assert stored == replace(final, parent_id=stored.parent_id)
    assert stored.parent_id is not None


def test_delete_conversation_removes_its_messages(store: SqliteStore) -> None:
    conversation, added = add_turns(store, [("a", "b")])
    store.delete_conversation(conversation.id)
    assert store.get_conversation(conversation.id) is None
    assert store.get_message(added[0].id) is None
    assert store.message_count() == 0


def test_recover_interrupted_keeps_the_text(store: SqliteStore) -> None:
    conversation, _ = add_turns(store, [("q", "done")])
    cut = Message(
        role=Role.ASSISTANT,
        content="half an ans",
        conversation_id=conversation.id,
        state=MessageState.STREAMING,
    )
    store.add_message(cut)
    assert store.recover_interrupted() == 1
    stored = store.messages(conversation.id)[-1]
    assert (stored.content, stored.state) == ("half an ans", MessageState.INTERRUPTED)
    assert store.recover_interrupted() == 0
    assert store.search("ans")[0].message_id == cut.id  # indexed once it ended


def test_a_killed_writer_loses_nothing_committed(db_path: Path, tmp_path: Path) -> None:
    """A separate process checkpoints a reply, then dies without closing the database."""
    import subprocess
    import sys

    script = f"""
import os
from pathlib import Path
from streamchat_desktop.core.models import Conversation, Message, MessageState, Role
from streamchat_desktop.storage import SqliteStore
store = SqliteStore.open(Path({str(db_path)!r}))
c = Conversation(id="c1", title="t")
store.create_conversation(c)
m = Message(id="m1", role=Role.ASSISTANT, content="", conversation_id="c1",
            state=MessageState.STREAMING)
store.add_message(m)
for i in range(1, 6):
    store.save_message(Message(id="m1", role=Role.ASSISTANT, content="word " * i,
                               conversation_id="c1", state=MessageState.STREAMING))
os.kill(os.getpid(), 9)
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
        check=False,
    )
    assert result.returncode == -9
    reopened = SqliteStore.open(db_path)
    try:
        assert reopened.recovery is None
        assert reopened.recover_interrupted() == 1
        (message,) = reopened.messages("c1")
        assert message.content == "word " * 5
        assert message.state is MessageState.INTERRUPTED
    finally:
        reopened.close()


def test_a_thousand_message_conversation_loads_whole_and_in_order(store: SqliteStore) -> None:
    conversation, _ = add_turns(store, [(f"prompt {i}", f"answer {i}") for i in range(500)])
    messages = store.messages(conversation.id)  # its speed: bench/history.py, load_1000_ms
    assert len(messages) == 1000
    assert [m.content for m in messages[:2]] == ["prompt 0", "answer 0"]
    assert messages[-1].content == "answer 499"


def test_add_message_to_a_missing_conversation_fails_cleanly(store: SqliteStore) -> None:
    with pytest.raises(KeyError):
        store.add_message(Message(role=Role.USER, content="x", conversation_id="nope"))
    assert store.message_count() == 0
