"""The controller turns service events into Qt signals, exactly one terminal signal a reply."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

from streamchat_desktop.controllers.chat_controller import ChatController
from streamchat_desktop.core.chat_service import ChatService, ChatTarget
from streamchat_desktop.core.events import StreamEnd, StreamEvent, TextDelta
from streamchat_desktop.core.models import ChatRequest, Conversation, MessageState
from streamchat_desktop.core.store import MemoryStore
from tests.support.waiting import wait_until


def scripted(deltas: list[str], delay: float = 0.0) -> Callable[[Conversation], ChatTarget]:
    async def opener(_request: ChatRequest) -> AsyncIterator[StreamEvent]:
        for delta in deltas:
            if delay:
                await asyncio.sleep(delay)
            yield TextDelta(delta)
        yield StreamEnd("stop")

    return lambda _conversation: ChatTarget(opener, "m")


def record(controller: ChatController) -> dict[str, list[Any]]:
    seen: dict[str, list[Any]] = {"started": [], "text": [], "ended": [], "streaming": []}
    controller.reply_started.connect(lambda cid, m: seen["started"].append((cid, m)))
    controller.text_received.connect(lambda mid, t: seen["text"].append(t))
    controller.reply_ended.connect(lambda cid, m, s: seen["ended"].append((cid, m, s)))
    controller.streaming_changed.connect(seen["streaming"].append)
    return seen


def test_a_reply_becomes_signals_with_one_terminal_signal(qapp: Any, run_async: Any) -> None:
    controller = ChatController(ChatService(MemoryStore(), scripted(["Hel", "lo", "!"])))
    seen = record(controller)
    controller.send("hi")

    async def body() -> None:
        await wait_until(lambda: bool(seen["ended"]))
        await asyncio.sleep(0.05)  # nothing may follow the terminal signal

    run_async(body())
    assert seen["text"] == ["Hel", "lo", "!"]
    assert len(seen["started"]) == 1
    assert len(seen["ended"]) == 1
    _cid, message, stats = seen["ended"][0]
    assert message.content == "Hello!"
    assert message.state is MessageState.COMPLETE
    assert stats.time_to_first_token is not None
    assert seen["streaming"][-2:] == [True, False]  # the first False: the new conversation


def test_stop_ends_the_reply_and_keeps_the_text(qapp: Any, run_async: Any) -> None:
    controller = ChatController(
        ChatService(MemoryStore(), scripted([f"w{i} " for i in range(1000)], delay=0.01))
    )
    seen = record(controller)
    controller.send("long answer please")

    async def body() -> None:
        await wait_until(lambda: len(seen["text"]) >= 3)
        controller.stop()
        await wait_until(lambda: bool(seen["ended"]), timeout=0.5)

    run_async(body())
    message = seen["ended"][0][1]
    assert message.state is MessageState.STOPPED
    assert message.content.startswith("w0 w1 w2 ")
    assert message.content == "".join(seen["text"])
    assert controller.messages()[-1] == message


def test_switching_conversations_leaves_the_stream_running(qapp: Any, run_async: Any) -> None:
    service = ChatService(MemoryStore(), scripted([f"{i} " for i in range(30)], delay=0.005))
    controller = ChatController(service)
    seen = record(controller)
    controller.send("first")
    first = controller.conversation_id
    controller.new_conversation()
    assert controller.streaming_reply() is None

    async def body() -> None:
        await wait_until(lambda: bool(seen["ended"]))

    run_async(body())
    assert first is not None
    assert service.store.messages(first)[-1].content == "".join(f"{i} " for i in range(30))
