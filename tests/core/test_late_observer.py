"""An observer added while a reply streams is told of it, with the text so far."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from streamchat_desktop.core.chat_service import ChatService, ChatTarget
from streamchat_desktop.core.events import Finished, StreamEnd, StreamEvent, TextDelta
from streamchat_desktop.core.models import ChatRequest
from streamchat_desktop.core.store import MemoryStore
from tests.support.observers import RecordingObserver
from tests.support.waiting import wait_until


class Recorder(RecordingObserver):
    @property
    def text(self) -> list[str]:
        return [e.text for e in self.events if isinstance(e, TextDelta)]

    @property
    def finished(self) -> bool:
        return any(isinstance(e, Finished) for e in self.events)


def test_a_late_observer_gets_the_text_so_far_then_every_delta(run_async: Any) -> None:
    deltas = [f"d{i} " for i in range(40)]

    async def opener(_request: ChatRequest) -> AsyncIterator[StreamEvent]:
        for delta in deltas:
            await asyncio.sleep(0.002)
            yield TextDelta(delta)
        yield StreamEnd("stop")

    service = ChatService(MemoryStore(), lambda _c: ChatTarget(opener, "m"))
    conversation = service.new_conversation()
    service.send(conversation.id, "go")
    late = Recorder()

    async def body() -> None:
        def streamed() -> str:
            reply = service.active_reply(conversation.id)
            return reply.content if reply else ""

        await wait_until(lambda: "d10" in streamed())
        service.add_observer(late)
        await wait_until(lambda: late.finished)

    run_async(body())
    assert len(late.started) == 1
    so_far = late.started[0].content
    assert so_far.startswith("d0 d1 ") and "d10" in so_far
    assert so_far + "".join(late.text) == "".join(deltas)
