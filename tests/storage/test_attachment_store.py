"""Attachments in SQLite: stored once by sha256, linked from messages, deleted with the
last conversation that held them, and searchable (labelled as a file's text)."""

from __future__ import annotations

from pathlib import Path

from streamchat_desktop.attachments.prepare import PreparedImage, prepare
from streamchat_desktop.core.attachments import AttachmentContent
from streamchat_desktop.core.models import Conversation, Message, Role
from streamchat_desktop.storage import SqliteStore


def no_images(name: str, data: bytes) -> PreparedImage:
    raise AssertionError("no image expected here")


def text_file(name: str, text: str) -> AttachmentContent:
    return prepare(name, text.encode(), no_images)


def prompt_with(store: SqliteStore, text: str, *files: AttachmentContent) -> Message:
    conversation = Conversation()
    store.create_conversation(conversation)
    for content in files:
        store.put_attachment(content)
    message = Message(
        role=Role.USER,
        content=text,
        conversation_id=conversation.id,
        attachments=tuple(f.attachment for f in files),
    )
    store.add_message(message)
    return message


def blob_count(path: Path) -> int:
    import sqlite3

    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM attachment_blobs").fetchone()[0])


def test_message_keeps_its_attachments_in_order(store: SqliteStore) -> None:
    a, b = text_file("a.txt", "alpha"), text_file("b.md", "# beta")
    message = prompt_with(store, "", a, b)

    [loaded] = store.messages(message.conversation_id)
    assert loaded.attachments == (a.attachment, b.attachment)
    assert loaded.content == ""
    assert store.get_message(message.id) == loaded
    assert store.all_messages(message.conversation_id) == [loaded]
    stored = store.attachment_content(a.attachment.sha256)
    assert stored is not None
    assert (stored.data, stored.text) == (b"alpha", "alpha")


def test_same_bytes_are_stored_once_under_each_name(store: SqliteStore, db_path: Path) -> None:
    first = text_file("notes.txt", "same bytes")
    renamed = text_file("copy.txt", "same bytes")
    m1 = prompt_with(store, "one", first)
    m2 = prompt_with(store, "two", renamed)

    assert blob_count(db_path) == 1
    assert store.messages(m1.conversation_id)[0].attachments[0].name == "notes.txt"
    assert store.messages(m2.conversation_id)[0].attachments[0].name == "copy.txt"


def test_deleting_a_conversation_deletes_what_only_it_held(
    store: SqliteStore, db_path: Path
) -> None:
    shared, own = text_file("shared.txt", "both"), text_file("own.txt", "only one")
    first = prompt_with(store, "one", shared, own)
    second = prompt_with(store, "two", shared)
    assert blob_count(db_path) == 2

    store.delete_conversation(first.conversation_id)

    assert blob_count(db_path) == 1
    assert store.attachment_content(own.attachment.sha256) is None
    assert store.attachment_content(shared.attachment.sha256) is not None
    store.delete_conversation(second.conversation_id)
    assert blob_count(db_path) == 0


def test_search_finds_text_of_attached_files_labelled_as_such(store: SqliteStore) -> None:
    message = prompt_with(
        store, "please summarise", text_file("minutes.txt", "the aardvark budget was cut")
    )
    prompt_with(store, "the aardvark said hello")

    hits = store.search("aardvark")

    assert len(hits) == 2
    in_file = next(hit for hit in hits if hit.attachment_name)
    assert in_file.attachment_name == "minutes.txt"
    assert in_file.message_id == message.id
    assert "aardvark" in in_file.snippet
    assert [h.attachment_name for h in hits if h.message_id != message.id] == [None]


def test_an_edited_prompt_with_only_files_stays_as_a_version(store: SqliteStore) -> None:
    message = prompt_with(store, "", text_file("a.txt", "alpha"))
    store.delete_message(message.id)  # taken off the branch, as edit-and-resend does
    assert store.messages(message.conversation_id) == []
    assert [m.id for m in store.versions(message.id)] == [message.id]


def test_m004_attachments_on_a_database_with_messages(tmp_path: Path) -> None:
    import sqlite3

    from streamchat_desktop.storage.migrations import migrate

    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, upto="m003_message_search")
    conn.execute(
        "INSERT INTO conversations (id, title, created_at, updated_at, leaf_id) "
        "VALUES ('c', 'T', 1, 2, 'm1')"
    )
    conn.execute(
        "INSERT INTO messages (id, conversation_id, role, content, state, created_at) "
        "VALUES ('m1', 'c', 'user', 'hello', 'complete', 1)"
    )
    assert "m004_attachments" in migrate(conn)
    conn.close()

    store = SqliteStore.open(path)
    try:
        [message] = store.messages("c")
        assert (message.content, message.attachments) == ("hello", ())
    finally:
        store.close()
