"""Deleting one message with Undo in SQLite (``set_deleted``): the branch, versions,
search and exports skip it, what followed it stays, Undo restores it exactly, and the
purge at the next launch keeps the tree the views see."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from streamchat_desktop.attachments.prepare import PreparedImage, prepare
from streamchat_desktop.core.models import Message, Role
from streamchat_desktop.storage import SqliteStore
from streamchat_desktop.storage.exchange import export_text
from streamchat_desktop.storage.migrations import migrate
from tests.support.sqlite_fixtures import add_turns


def contents(messages: list[Message]) -> list[str]:
    return [m.content for m in messages]


def view_of(
    store: SqliteStore, conversation_id: str
) -> tuple[list[str], dict[str, tuple[int, int]]]:
    return contents(store.messages(conversation_id)), store.version_positions(conversation_id)


def regenerate(store: SqliteStore, answer: Message, text: str) -> Message:
    store.delete_message(answer.id)
    again = Message(role=Role.ASSISTANT, content=text, conversation_id=answer.conversation_id)
    store.add_message(again)
    return again


def test_a_deleted_message_leaves_the_branch_and_what_followed_stays(store: SqliteStore) -> None:
    conversation, added = add_turns(store, [("q1", "a1"), ("q2", "a2")])
    before = store.messages(conversation.id)

    store.set_deleted(added[1].id, True)
    assert contents(store.messages(conversation.id)) == ["q1", "q2", "a2"]
    assert store.leaf_id(conversation.id) == added[3].id

    store.set_deleted(added[1].id, False)
    assert store.messages(conversation.id) == before


def test_deleting_the_last_message_then_sending_keeps_undo_in_place(store: SqliteStore) -> None:
    conversation, added = add_turns(store, [("q1", "a1")])
    store.set_deleted(added[1].id, True)
    assert contents(store.messages(conversation.id)) == ["q1"]
    assert store.leaf_id(conversation.id) == added[0].id  # the visible end, for exports
    store.add_message(Message(role=Role.USER, content="q2", conversation_id=conversation.id))
    assert contents(store.messages(conversation.id)) == ["q1", "q2"]
    assert store.version_positions(conversation.id) == {}

    store.set_deleted(added[1].id, False)
    assert contents(store.messages(conversation.id)) == ["q1", "a1", "q2"]


def test_a_deleted_version_leaves_its_group_and_undo_brings_the_group_back(
    store: SqliteStore,
) -> None:
    conversation, added = add_turns(store, [("q1", "a1"), ("q2", "a2")])
    old = added[1]
    store.switch_version(old.id)
    again = regenerate(store, old, "a1 again")
    before = view_of(store, conversation.id)
    assert before == (["q1", "a1 again"], {again.id: (2, 2)})

    store.set_deleted(again.id, True)
    assert view_of(store, conversation.id) == (["q1"], {})
    assert contents(store.versions(old.id)) == ["a1"]
    assert store.versions(again.id) == []
    assert contents(store.switch_version(old.id)) == ["q1", "a1", "q2", "a2"]

    store.switch_version(added[0].id)  # back down the newest visible path
    store.set_deleted(again.id, False)
    assert contents(store.switch_version(again.id)) == ["q1", "a1 again"]
    assert view_of(store, conversation.id) == before


def test_what_followed_a_deleted_version_joins_its_siblings(store: SqliteStore) -> None:
    """a1 has two versions, the first with q2 after it. Deleting that first version
    lifts q2 into the group under q1: every message stays reachable."""
    conversation, added = add_turns(store, [("q1", "a1"), ("q2", "a2")])
    q1, a1, q2 = added[:3]
    store.switch_version(a1.id)
    again = regenerate(store, a1, "a1 again")
    store.switch_version(a1.id)
    assert view_of(store, conversation.id) == (["q1", "a1", "q2", "a2"], {a1.id: (1, 2)})

    store.set_deleted(a1.id, True)
    assert view_of(store, conversation.id) == (["q1", "q2", "a2"], {q2.id: (1, 2)})
    assert [m.id for m in store.versions(q2.id)] == [q2.id, again.id]  # oldest first

    store.set_deleted(a1.id, False)
    assert view_of(store, conversation.id) == (["q1", "a1", "q2", "a2"], {a1.id: (1, 2)})
    assert q1.id == store.messages(conversation.id)[0].id


def test_search_skips_deleted_messages_until_undo(store: SqliteStore) -> None:
    _conversation, added = add_turns(store, [("walrus question", "walrus answer")])
    store.set_deleted(added[1].id, True)
    assert [hit.message_id for hit in store.search("walrus")] == [added[0].id]
    store.set_deleted(added[1].id, False)
    assert {hit.message_id for hit in store.search("walrus")} == {added[0].id, added[1].id}


def test_exports_leave_deleted_messages_out_and_stay_importable(
    store: SqliteStore, tmp_path: Path
) -> None:
    conversation, added = add_turns(store, [("q1", "a1 secret"), ("q2", "a2")])
    store.set_deleted(added[1].id, True)

    markdown = export_text(store, [conversation.id], "md")
    exported = json.loads(export_text(store, [conversation.id], "json"))
    assert "secret" not in markdown and "q2" in markdown
    [item] = exported["conversations"]
    by_id = {m["id"]: m for m in item["messages"]}
    assert added[1].id not in by_id
    assert by_id[added[2].id]["parent_id"] == added[0].id  # linked past the deleted one

    other = SqliteStore.open(tmp_path / "other.sqlite3")
    try:
        from streamchat_desktop.storage.exchange import import_conversations, parse_json

        import_conversations(other, parse_json(json.dumps(exported)))
        assert contents(other.messages(conversation.id)) == ["q1", "q2", "a2"]
    finally:
        other.close()


def test_the_purge_removes_deleted_rows_and_keeps_the_visible_tree(
    store: SqliteStore, db_path: Path
) -> None:
    conversation, added = add_turns(store, [("q1", "a1"), ("q2", "a2"), ("q3", "a3")])
    q1, a1, q2, a2, q3, a3 = added
    store.switch_version(a1.id)
    again = regenerate(store, a1, "a1 again")
    store.switch_version(a1.id)
    for message in (a1, q3, a3):  # a version, a middle message, the leaf
        store.set_deleted(message.id, True)
    view = view_of(store, conversation.id)
    versions = {m.id: [v.id for v in store.versions(m.id)] for m in (again, q2, a2)}
    leaf = store.leaf_id(conversation.id)

    assert store.purge_deleted() == 3
    assert store.purge_deleted() == 0
    assert view_of(store, conversation.id) == view
    assert {m.id: [v.id for v in store.versions(m.id)] for m in (again, q2, a2)} == versions
    assert store.leaf_id(conversation.id) == leaf
    with sqlite3.connect(db_path) as conn:
        ids = {row[0] for row in conn.execute("SELECT id FROM messages")}
    assert ids == {q1.id, q2.id, a2.id, again.id}


def test_the_purge_drops_files_only_a_deleted_prompt_held(
    store: SqliteStore, db_path: Path
) -> None:
    def no_images(name: str, data: bytes) -> PreparedImage:
        raise AssertionError("no image expected here")

    conversation, _ = add_turns(store, [])
    content = prepare("notes.txt", b"a plan", no_images)
    store.put_attachment(content)
    prompt = Message(
        role=Role.USER,
        content="see the file",
        conversation_id=conversation.id,
        attachments=(content.attachment,),
    )
    store.add_message(prompt)
    store.set_deleted(prompt.id, True)
    assert store.attachment_content(content.attachment.sha256) is not None  # Undo needs it
    store.purge_deleted()
    assert store.attachment_content(content.attachment.sha256) is None


def test_m006_keeps_every_message_visible(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, upto="m005_tool_calls")
    conn.execute(
        "INSERT INTO conversations (id, title, created_at, updated_at, leaf_id) "
        "VALUES ('c', 'T', 1, 2, 'm2')"
    )
    conn.execute(
        "INSERT INTO messages (id, conversation_id, parent_id, role, content, state, created_at) "
        "VALUES ('m1', 'c', NULL, 'user', 'hello', 'complete', 1), "
        "('m2', 'c', 'm1', 'assistant', 'hi there', 'complete', 2)"
    )
    assert migrate(conn) == ["m006_deleted_messages"]
    conn.close()
    store = SqliteStore.open(path)
    try:
        assert contents(store.messages("c")) == ["hello", "hi there"]
    finally:
        store.close()
