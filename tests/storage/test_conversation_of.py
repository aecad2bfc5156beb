"""``conversation_of``: which conversation a message belongs to, looked up directly in a
real SQLite file; unknown and deleted messages have none, an earlier version keeps its."""

from __future__ import annotations

from pathlib import Path

from streamchat_desktop.core.models import Message, Role
from streamchat_desktop.storage import SqliteStore
from tests.support.sqlite_fixtures import add_turns


def test_each_message_names_its_own_conversation(store: SqliteStore) -> None:
    first, first_added = add_turns(store, [("q1", "a1")])
    second, second_added = add_turns(store, [("q2", "a2"), ("q3", "a3")])
    assert {store.conversation_of(m.id) for m in first_added} == {first.id}
    assert {store.conversation_of(m.id) for m in second_added} == {second.id}


def test_an_unknown_message_has_none(store: SqliteStore) -> None:
    add_turns(store, [("q", "a")])
    assert store.conversation_of("no-such-message") is None


def test_a_deleted_message_has_none_until_undone(store: SqliteStore) -> None:
    conversation, added = add_turns(store, [("q", "a")])
    store.set_deleted(added[1].id, True)
    assert store.conversation_of(added[1].id) is None
    store.set_deleted(added[1].id, False)
    assert store.conversation_of(added[1].id) == conversation.id


def test_an_earlier_version_off_the_branch_keeps_its_conversation(store: SqliteStore) -> None:
    conversation, added = add_turns(store, [("q", "first answer")])
    store.delete_message(added[1].id)  # kept as a version: regenerate
    store.add_message(
        Message(role=Role.ASSISTANT, content="second", conversation_id=conversation.id)
    )
    assert added[1].id not in [m.id for m in store.messages(conversation.id)]
    assert store.conversation_of(added[1].id) == conversation.id


def test_the_answer_survives_reopening_the_file(db_path: Path) -> None:
    with_turns = SqliteStore.open(db_path)
    conversation, added = add_turns(with_turns, [("q", "a")])
    with_turns.close()
    reopened = SqliteStore.open(db_path)
    try:
        assert reopened.conversation_of(added[0].id) == conversation.id
    finally:
        reopened.close()
