"""A lone surrogate in the model's text (``"\\ud800"`` as a JSON escape in a delta, sent
byte for byte by the tests' server, read by the real SDK) costs one U+FFFD, not the answer.

Before the repair every save of such an answer failed with UnicodeEncodeError: the
message stayed "streaming" and empty, and the next turn's history left it out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from streamchat_desktop.core.chat_service import ChatService, ChatTarget
from streamchat_desktop.core.models import Conversation, MessageState, Role
from streamchat_desktop.storage import SqliteStore
from streamchat_desktop.storage.exchange import export_text
from tests.providers.conftest import REQUEST, MakeProvider
from tests.providers.streaming import collect
from tests.support.fake_openai import FakeOpenAIServer, Script
from tests.support.waiting import wait_until

RunAsync = Callable[..., Any]
BROKEN = ["Before ", "\ud800", " after", " and \udfff too"]
REPAIRED = "Before \ufffd after and \ufffd too"


def test_the_server_sends_the_json_escape(fake_openai: FakeOpenAIServer) -> None:
    from tests.support.fake_openai_wire import dumps

    assert dumps({"content": "\ud800"}) == b'{"content":"\\ud800"}'


def test_a_lone_surrogate_becomes_a_replacement_character(
    fake_openai: FakeOpenAIServer, make_provider: MakeProvider, run_async: RunAsync
) -> None:
    fake_openai.enqueue(Script(deltas=BROKEN, reasoning=["think \udbff"]))
    out = run_async(collect(make_provider(), REQUEST))
    assert out.error is None
    assert out.text == REPAIRED
    assert b"\\ud800" in fake_openai.last_request.response_body()


def test_a_pair_split_across_two_deltas_is_joined(
    fake_openai: FakeOpenAIServer, make_provider: MakeProvider, run_async: RunAsync
) -> None:
    fake_openai.enqueue(Script(deltas=["smile \ud83d", "\ude00!", " end \ud83d"]))
    out = run_async(collect(make_provider(), REQUEST))
    assert out.text == "smile \U0001f600! end \ufffd"


def test_the_answer_is_saved_complete_and_the_next_turn_sends_it(
    fake_openai: FakeOpenAIServer,
    make_provider: MakeProvider,
    run_async: RunAsync,
    tmp_path: Path,
) -> None:
    store = SqliteStore.open(tmp_path / "conversations.sqlite3")
    provider = make_provider()

    def target(_conversation: Conversation) -> ChatTarget:
        return ChatTarget(provider.stream, "m")

    service = ChatService(store, target)
    conversation = service.new_conversation()

    async def turn(prompt: str) -> None:
        service.send(conversation.id, prompt)
        await wait_until(lambda: service.active_reply(conversation.id) is None)
        await asyncio.sleep(0)

    try:
        fake_openai.enqueue(Script(deltas=BROKEN), Script(deltas=["ok"]))
        run_async(turn("first"))
        answer = store.messages(conversation.id)[-1]
        assert (answer.state, answer.content) == (MessageState.COMPLETE, REPAIRED)
        assert service.unsaved_messages() == []

        run_async(turn("second"))
        sent = fake_openai.last_request.json["messages"]
        assert {"role": Role.ASSISTANT.value, "content": REPAIRED} in sent

        exported = export_text(store, [conversation.id], "json")
        assert "\ufffd" in exported
        exported.encode("utf-8")  # every layer after the entry sees encodable text
    finally:
        store.close()
