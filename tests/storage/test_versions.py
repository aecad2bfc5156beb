"""Earlier versions stay reachable: regenerate, edit and resend, switch between versions."""

from __future__ import annotations

from streamchat_desktop.core.models import Message, MessageState, Role
from streamchat_desktop.storage import SqliteStore
from tests.support.sqlite_fixtures import add_turns


def contents(messages: list[Message]) -> list[str]:
    return [m.content for m in messages]


def test_deleting_the_last_answer_keeps_it_as_a_version(store: SqliteStore) -> None:
    conversation, added = add_turns(store, [("q", "first answer")])
    store.delete_message(added[-1].id)
    assert contents(store.messages(conversation.id)) == ["q"]
    second = Message(role=Role.ASSISTANT, content="second answer", conversation_id=conversation.id)
    store.add_message(second)
    assert contents(store.messages(conversation.id)) == ["q", "second answer"]
    assert contents(store.versions(second.id)) == ["first answer", "second answer"]
    assert store.version_positions(conversation.id) == {second.id: (2, 2)}


def test_an_empty_failed_answer_is_really_removed(store: SqliteStore) -> None:
    conversation, _ = add_turns(store, [])
    store.add_message(Message(role=Role.USER, content="q", conversation_id=conversation.id))
    failed = Message(
        role=Role.ASSISTANT, content="", conversation_id=conversation.id, state=MessageState.FAILED
    )
    store.add_message(failed)
    store.delete_message(failed.id)
    assert store.get_message(failed.id) is None
    assert store.version_positions(conversation.id) == {}


def test_switching_versions_restores_each_branch(store: SqliteStore) -> None:
    conversation, added = add_turns(store, [("q1", "a1"), ("q2", "a2")])
    q2 = added[2]
    # Edit q2: it and what follows leave the branch; the new prompt is its sibling.
    store.branch_before(q2.id)
    edited = Message(role=Role.USER, content="q2 edited", conversation_id=conversation.id)
    store.add_message(edited)
    store.add_message(
        Message(role=Role.ASSISTANT, content="a2 for edit", conversation_id=conversation.id)
    )
    assert contents(store.messages(conversation.id)) == ["q1", "a1", "q2 edited", "a2 for edit"]
    assert store.version_positions(conversation.id) == {edited.id: (2, 2)}

    branch = store.switch_version(q2.id)
    assert contents(branch) == ["q1", "a1", "q2", "a2"]
    assert contents(store.messages(conversation.id)) == ["q1", "a1", "q2", "a2"]
    assert store.version_positions(conversation.id) == {q2.id: (1, 2)}

    assert contents(store.switch_version(edited.id)) == ["q1", "a1", "q2 edited", "a2 for edit"]


def test_editing_the_first_prompt_makes_a_second_root(store: SqliteStore) -> None:
    conversation, added = add_turns(store, [("first", "answer")])
    store.branch_before(added[0].id)
    assert store.messages(conversation.id) == []
    store.add_message(Message(role=Role.USER, content="again", conversation_id=conversation.id))
    assert contents(store.messages(conversation.id)) == ["again"]
    assert contents(store.versions(added[0].id)) == ["first", "again"]
    assert contents(store.switch_version(added[0].id)) == ["first", "answer"]


def test_reveal_puts_a_hidden_version_on_the_branch(store: SqliteStore) -> None:
    conversation, added = add_turns(store, [("q", "old answer")])
    store.delete_message(added[1].id)
    store.add_message(
        Message(role=Role.ASSISTANT, content="new answer", conversation_id=conversation.id)
    )
    assert store.reveal(added[0].id) is False  # already on the branch: unchanged
    assert contents(store.messages(conversation.id)) == ["q", "new answer"]
    assert store.reveal(added[1].id) is True
    assert contents(store.messages(conversation.id)) == ["q", "old answer"]


def test_deleting_a_conversation_removes_every_version(store: SqliteStore) -> None:
    conversation, added = add_turns(store, [("q", "a")])
    store.delete_message(added[1].id)
    store.add_message(Message(role=Role.ASSISTANT, content="b", conversation_id=conversation.id))
    store.delete_conversation(conversation.id)
    assert store.message_count() == 0
    assert store.search("a") == []
