"""Export as JSON and Markdown; import back, idempotent and all-or-nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from streamchat_desktop.core.models import Message, MessageState, Role, Usage
from streamchat_desktop.storage import SqliteStore
from streamchat_desktop.storage.exchange import (
    InvalidExportError,
    collect,
    import_conversations,
    parse_json,
    to_json,
)
from streamchat_desktop.storage.markdown_export import conversation_markdown
from tests.support.sqlite_fixtures import add_turns


def rich_history(store: SqliteStore) -> list[str]:
    """Two conversations, one with an earlier version and every kind of ending."""
    first, added = add_turns(
        store,
        [("Explain WAL", "Write-ahead logging…")],
        title="Databases",
        model="gpt-4o",
        provider_id="openai",
        system_prompt="Be precise.",
        temperature=0.2,
    )
    store.delete_message(added[-1].id)  # regenerate: the old answer stays a version
    store.add_message(
        Message(
            role=Role.ASSISTANT,
            content="WAL appends changes to a log, then checkpoints.",
            reasoning="The user wants the short version.",
            conversation_id=first.id,
            finish_reason="length",
            usage=Usage(prompt_tokens=10, completion_tokens=9, total_tokens=19),
            model="gpt-4o",
        )
    )
    second, _ = add_turns(store, [], title="Stories")
    store.add_message(Message(role=Role.USER, content="Tell me a story", conversation_id=second.id))
    store.add_message(
        Message(
            role=Role.ASSISTANT,
            content="Once upon",
            conversation_id=second.id,
            state=MessageState.FAILED,
            error_kind="stream_cut",
            error_message="The connection closed in the middle of the answer.",
        )
    )
    return [first.id, second.id]


def snapshot(store: SqliteStore) -> list[Any]:
    return [
        (c, store.all_messages(c.id), store.leaf_id(c.id), store.messages(c.id))
        for c in store.list_conversations()
    ]


def test_json_round_trip_keeps_everything(store: SqliteStore, tmp_path: Path) -> None:
    ids = rich_history(store)
    text = to_json(collect(store, ids))
    document = json.loads(text)
    assert document["format"] == "streamchat-export" and document["version"] == 1
    target = SqliteStore.open(tmp_path / "other.sqlite3")
    try:
        result = import_conversations(target, parse_json(text))
        assert (result.conversations_added, result.messages_added) == (2, 5)
        assert snapshot(target) == snapshot(store)
        assert target.search("checkpoints")[0].conversation_title == "Databases"
    finally:
        target.close()


def test_importing_twice_adds_nothing(store: SqliteStore, tmp_path: Path) -> None:
    text = to_json(collect(store, rich_history(store)))
    target = SqliteStore.open(tmp_path / "other.sqlite3")
    try:
        import_conversations(target, parse_json(text))
        before = snapshot(target)
        again = import_conversations(target, parse_json(text))
        assert (again.conversations_added, again.conversations_existing) == (0, 2)
        assert again.messages_added == 0
        assert snapshot(target) == before
    finally:
        target.close()


def test_import_into_the_same_store_is_a_no_op(store: SqliteStore) -> None:
    ids = rich_history(store)
    before = snapshot(store)
    result = import_conversations(store, parse_json(to_json(collect(store, ids))))
    assert result.messages_added == 0
    assert snapshot(store) == before


def test_a_streaming_message_is_imported_as_interrupted(store: SqliteStore) -> None:
    conversation, _ = add_turns(store, [])
    store.add_message(
        Message(
            role=Role.ASSISTANT,
            content="partial",
            conversation_id=conversation.id,
            state=MessageState.STREAMING,
        )
    )
    (item,) = parse_json(to_json(collect(store, [conversation.id])))
    assert item.messages[0].state is MessageState.INTERRUPTED


def valid_document(store: SqliteStore) -> dict[str, Any]:
    return dict(json.loads(to_json(collect(store, rich_history(store)))))


def _edit(document: dict[str, Any], change: Any) -> str:
    copy = json.loads(json.dumps(document))
    change(copy["conversations"][-1]["messages"][-1])  # the last one: earlier ones are fine
    return json.dumps(copy)


def _loop(document: dict[str, Any]) -> str:
    copy = json.loads(json.dumps(document))
    messages = copy["conversations"][0]["messages"]
    messages[0]["parent_id"] = messages[-1]["id"]
    return json.dumps(copy)


def _duplicate(document: dict[str, Any]) -> str:
    copy = json.loads(json.dumps(document))
    copy["conversations"][1]["messages"].append(copy["conversations"][0]["messages"][0])
    return json.dumps(copy)


BREAKAGES = {
    "not json": lambda d: "{not json",
    "not an export": lambda d: json.dumps({"hello": 1}),
    "future version": lambda d: json.dumps({**d, "version": 99}),
    "conversations not a list": lambda d: json.dumps({**d, "conversations": {}}),
    "bad role": lambda d: _edit(d, lambda m: m.update(role="wizard")),
    "bad state": lambda d: _edit(d, lambda m: m.update(state="exploded")),
    "content not text": lambda d: _edit(d, lambda m: m.update(content=42)),
    "missing created_at": lambda d: _edit(d, lambda m: m.pop("created_at")),
    "nan time": lambda d: _edit(d, lambda m: m.update(created_at=float("nan"))),
    "usage not ints": lambda d: _edit(d, lambda m: m.update(usage={"total_tokens": "9"})),
    "empty id": lambda d: _edit(d, lambda m: m.update(id="  ")),
    "stray parent": lambda d: _edit(d, lambda m: m.update(parent_id="elsewhere")),
    "parent loop": _loop,
    "duplicate message": _duplicate,
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_a_malformed_export_is_refused_and_nothing_is_written(
    store: SqliteStore, tmp_path: Path, breakage: str
) -> None:
    text = BREAKAGES[breakage](valid_document(store))
    with pytest.raises(InvalidExportError) as caught:
        parse_json(text)
    assert str(caught.value)


def test_a_conflict_found_while_writing_rolls_everything_back(
    store: SqliteStore, tmp_path: Path
) -> None:
    document = valid_document(store)
    target = SqliteStore.open(tmp_path / "other.sqlite3")
    try:
        _conversation, added = add_turns(target, [("mine", "yes")])
        # The second conversation of the file reuses a message id of an existing one.
        document["conversations"][1]["messages"][-1]["id"] = added[0].id
        document["conversations"][1]["active_message_id"] = added[0].id
        before = snapshot(target)
        with pytest.raises(Exception, match="another conversation"):
            import_conversations(target, parse_json(json.dumps(document)))
        assert snapshot(target) == before
    finally:
        target.close()


def test_markdown_shows_the_active_branch_and_how_replies_ended(store: SqliteStore) -> None:
    first, second = rich_history(store)
    conversation = store.get_conversation(first)
    assert conversation is not None
    text = conversation_markdown(conversation, store.messages(first))
    assert text.startswith("# Databases\n")
    assert "model `gpt-4o`" in text and "temperature 0.2" in text
    assert "> Be precise." in text
    assert "## You\n\nExplain WAL" in text
    assert "## Assistant · gpt-4o" in text
    assert "Write-ahead logging…" not in text  # an earlier version, not on the branch
    assert "<summary>Reasoning</summary>" in text
    assert "Cut at the token limit." in text
    failed = store.get_conversation(second)
    assert failed is not None
    text = conversation_markdown(failed, store.messages(second))
    assert "Once upon" in text
    assert "Failed: The connection closed in the middle of the answer." in text
