"""ChatService on a real SqliteStore: regenerate, edit and resend, continue, and saves
that fail (disk full) and succeed later."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from streamchat_desktop.core import reply_saver
from streamchat_desktop.core.chat_service import ChatService, ChatTarget
from streamchat_desktop.core.models import Conversation, Message, MessageState, Role
from streamchat_desktop.core.reply_request import CONTINUE_PROMPT
from streamchat_desktop.storage import SqliteStore, StorageFullError
from tests.support.scripted import ScriptedProvider, answer
from tests.support.waiting import wait_until

RunAsync = Callable[..., Any]


class Replies:
    """Each reply streams the next scripted answer."""

    def __init__(self, *answers: list[Any], delay: float = 0.0) -> None:
        self.providers = [ScriptedProvider(events, delay=delay) for events in answers]
        self.used = 0

    def __call__(self, _conversation: Conversation) -> ChatTarget:
        provider = self.providers[self.used]
        self.used += 1
        return ChatTarget(provider.opener, "m")


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SqliteStore]:
    store = SqliteStore.open(tmp_path / "conversations.sqlite3")
    yield store
    store.close()


def finish(service: ChatService, run_async: RunAsync, conversation_id: str) -> None:
    async def body() -> None:
        await wait_until(lambda: service.active_reply(conversation_id) is None)

    run_async(body())


def texts(store: SqliteStore, conversation_id: str) -> list[str]:
    return [m.content for m in store.messages(conversation_id)]


def test_regenerate_keeps_the_old_answer_as_a_version(
    qapp: Any, run_async: RunAsync, sqlite_store: SqliteStore
) -> None:
    service = ChatService(sqlite_store, Replies(answer("first"), answer("second")))
    conversation = service.new_conversation()
    service.send(conversation.id, "q")
    finish(service, run_async, conversation.id)
    service.regenerate(conversation.id)
    finish(service, run_async, conversation.id)
    assert texts(sqlite_store, conversation.id) == ["q", "second"]
    last = sqlite_store.messages(conversation.id)[-1]
    assert [m.content for m in sqlite_store.versions(last.id)] == ["first", "second"]


def test_edit_and_resend_branches_at_the_prompt(
    qapp: Any, run_async: RunAsync, sqlite_store: SqliteStore
) -> None:
    replies = Replies(answer("a1"), answer("a2"), answer("a2 again"))
    service = ChatService(sqlite_store, replies)
    conversation = service.new_conversation()
    for prompt in ("q1", "q2"):
        service.send(conversation.id, prompt)
        finish(service, run_async, conversation.id)
    q2 = sqlite_store.messages(conversation.id)[2]
    service.edit_and_resend(conversation.id, q2.id, "q2 better")
    finish(service, run_async, conversation.id)
    assert texts(sqlite_store, conversation.id) == ["q1", "a1", "q2 better", "a2 again"]
    sent = replies.providers[2].requests[0].messages
    assert [t.content for t in sent] == ["q1", "a1", "q2 better"]
    assert texts(sqlite_store, conversation.id)[:2] == ["q1", "a1"]
    assert [m.content for m in sqlite_store.switch_version(q2.id)] == ["q1", "a1", "q2", "a2"]


def test_editing_an_answer_is_refused(
    qapp: Any, run_async: RunAsync, sqlite_store: SqliteStore
) -> None:
    service = ChatService(sqlite_store, Replies(answer("a")))
    conversation = service.new_conversation()
    service.send(conversation.id, "q")
    finish(service, run_async, conversation.id)
    reply = sqlite_store.messages(conversation.id)[-1]
    with pytest.raises(ValueError):
        service.edit_and_resend(conversation.id, reply.id, "x")


def test_continue_appends_to_an_answer_cut_by_length(
    qapp: Any, run_async: RunAsync, sqlite_store: SqliteStore
) -> None:
    replies = Replies(answer("The list: one, ", finish="length"), answer("two, three."))
    service = ChatService(sqlite_store, replies)
    conversation = service.new_conversation()
    service.send(conversation.id, "count")
    finish(service, run_async, conversation.id)
    cut = sqlite_store.messages(conversation.id)[-1]
    assert cut.finish_reason == "length"
    continued = service.continue_reply(conversation.id, cut.id)
    assert continued.id == cut.id
    finish(service, run_async, conversation.id)
    final = sqlite_store.messages(conversation.id)[-1]
    assert final.id == cut.id
    assert final.content == "The list: one, two, three."
    assert (final.state, final.finish_reason) == (MessageState.COMPLETE, "stop")
    sent = replies.providers[1].requests[0].messages
    assert [t.content for t in sent] == ["count", "The list: one, ", CONTINUE_PROMPT]
    assert len(sqlite_store.messages(conversation.id)) == 2


def test_continue_an_interrupted_answer_after_a_restart(
    qapp: Any, run_async: RunAsync, sqlite_store: SqliteStore
) -> None:
    conversation = Conversation()
    sqlite_store.create_conversation(conversation)
    sqlite_store.add_message(Message(role=Role.USER, content="q", conversation_id=conversation.id))
    cut = Message(
        role=Role.ASSISTANT,
        content="half",
        conversation_id=conversation.id,
        state=MessageState.STREAMING,
    )
    sqlite_store.add_message(cut)
    assert sqlite_store.recover_interrupted() == 1
    service = ChatService(sqlite_store, Replies(answer(" and the rest")))
    service.continue_reply(conversation.id, cut.id)
    finish(service, run_async, conversation.id)
    assert texts(sqlite_store, conversation.id) == ["q", "half and the rest"]


def test_a_failed_save_is_retried_until_it_works(
    qapp: Any,
    run_async: RunAsync,
    sqlite_store: SqliteStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reply_saver, "SAVE_RETRY_INTERVAL", 0.05)
    words = [f"word{i} " * 30 for i in range(300)]  # ≈ 80 KB: more than the free pages
    service = ChatService(sqlite_store, Replies(answer(*words), delay=0.001))
    failures: list[Exception] = []
    service.add_save_error_listener(lambda _m, exc: failures.append(exc))
    conversation = service.new_conversation()
    reply = service.send(conversation.id, "talk")
    with sqlite_store._db.read() as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {int(pages)}")  # the disk is now full

    async def body() -> None:
        await wait_until(lambda: service.active_reply(conversation.id) is None)
        assert service.unsaved_messages()
        assert sqlite_store.get_message(reply.id).content != "".join(words)  # type: ignore[union-attr]
        with sqlite_store._db.read() as conn:
            conn.execute("PRAGMA max_page_count = 1073741823")  # space again
        await wait_until(lambda: not service.unsaved_messages())
        await asyncio.sleep(0)

    run_async(body())
    assert len(failures) == 1 and isinstance(failures[0], StorageFullError)
    saved = sqlite_store.get_message(reply.id)
    assert saved is not None
    assert saved.content == "".join(words)
    assert saved.state is MessageState.COMPLETE
