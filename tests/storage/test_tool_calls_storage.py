"""Tool calls stored with their reply: the m005 migration, round trips through SQLite
and both exports, and full-text search over tool results."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from streamchat_desktop.core.models import Conversation, Message, MessageState, Role
from streamchat_desktop.core.tools import ToolCall, ToolCallRecord, ToolImage, ToolStatus
from streamchat_desktop.storage import SqliteStore
from streamchat_desktop.storage.exchange import export_text, import_conversations, parse_json
from streamchat_desktop.storage.migrations import migrate

RECORDS = (
    ToolCallRecord(
        ToolCall("call_1", "weather", '{"city": "Tromsø"}'),
        server="meteo",
        status=ToolStatus.DONE,
        result="Snow, -7 °C, aurora likely",
        images=(ToolImage("image/png", "iVBORw0KGgo="),),
        offset=12,
    ),
    ToolCallRecord(
        ToolCall("call_2", "delete_files", "{}"), "fs", ToolStatus.DECLINED, "no", offset=12
    ),
)


def reply_with_calls(store: SqliteStore) -> tuple[Conversation, Message]:
    conversation = Conversation(title="Weather")
    store.create_conversation(conversation)
    store.add_message(Message(Role.USER, "Weather?", conversation_id=conversation.id))
    reply = Message(
        Role.ASSISTANT,
        "Let me look. It is snowing.",
        conversation_id=conversation.id,
        state=MessageState.COMPLETE,
        tool_calls=RECORDS,
    )
    store.add_message(reply)
    return conversation, reply


def test_calls_round_trip_through_sqlite_and_search_finds_results(store: SqliteStore) -> None:
    conversation, reply = reply_with_calls(store)

    stored = store.messages(conversation.id)[-1]

    assert stored.tool_calls == RECORDS
    hits = store.search("aurora")
    assert [hit.message_id for hit in hits] == [reply.id]
    assert "aurora" in hits[0].snippet.lower()
    # a checkpoint rewrites the calls (a later status), and the index follows
    later = ToolCallRecord(RECORDS[1].call, "fs", ToolStatus.DONE, "removed nothing", offset=12)
    changed = (RECORDS[0], later)
    store.save_message(Message(**{**_fields(stored), "tool_calls": changed}))
    assert store.messages(conversation.id)[-1].tool_calls == changed
    assert [h.message_id for h in store.search("removed nothing")] == [reply.id]


def _fields(message: Message) -> dict[str, object]:
    return {name: getattr(message, name) for name in Message.__slots__}


def test_both_exports_carry_the_calls_and_json_imports_them_back(
    store: SqliteStore, tmp_path: Path
) -> None:
    conversation, _reply = reply_with_calls(store)

    markdown = export_text(store, [conversation.id], "md")
    assert "Let me look." in markdown and "It is snowing." in markdown
    assert "Tool call: weather (meteo) — done" in markdown
    assert '{"city": "Tromsø"}' in markdown and "aurora likely" in markdown
    assert markdown.index("Let me look.") < markdown.index("weather") < markdown.index("snowing")

    exported = export_text(store, [conversation.id], "json")
    other = SqliteStore.open(tmp_path / "other.sqlite3")
    try:
        import_conversations(other, parse_json(exported))
        assert other.messages(conversation.id)[-1].tool_calls == RECORDS
    finally:
        other.close()


def test_m005_keeps_existing_messages_searchable(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)
    migrate(conn, upto="m004_attachments")
    conn.execute(
        "INSERT INTO conversations (id, title, created_at, updated_at) VALUES ('c', 'T', 1, 2)"
    )
    conn.execute(
        "INSERT INTO messages (id, conversation_id, role, content, state, created_at) "
        "VALUES ('m1', 'c', 'assistant', 'walruses in the arctic', 'complete', 1)"
    )
    assert migrate(conn, upto="m005_tool_calls") == ["m005_tool_calls"]
    found = conn.execute(
        "SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'walruses'"
    ).fetchall()
    assert len(found) == 1
    conn.execute("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')")
    conn.close()


def test_the_markdown_export_keeps_a_models_tool_call_inside_its_block() -> None:
    """An unknown tool's name is the model's text, and so are its arguments: neither may
    close the summary or the code fence and become HTML or Markdown of the export."""
    from streamchat_desktop.storage.markdown_export import tool_calls_markdown

    hostile = ToolCall("call_9", "</summary><img src=x onerror=alert(1)>", '{"a": "```\\n# Hi"}')
    record = ToolCallRecord(hostile, "", ToolStatus.FAILED, "Error: no such tool", offset=0)
    reply = Message(Role.ASSISTANT, "Done.", state=MessageState.COMPLETE, tool_calls=(record,))

    markdown = "\n".join(tool_calls_markdown(reply))

    assert "<img" not in markdown and "&lt;/summary&gt;&lt;img" in markdown
    fenced = markdown.split("```json\n", 1)[1].split("\n```", 1)[0]
    assert "```" not in fenced and "# Hi" in fenced
