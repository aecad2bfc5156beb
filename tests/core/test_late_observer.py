"""An observer added while a reply streams is told of it, with the text so far."""

from __future__ import annotations

from typing import Any

from streamchat_desktop.core.chat_service import ChatService
from streamchat_desktop.core.events import Finished, TextDelta
from streamchat_desktop.core.store import MemoryStore
from tests.support.observers import RecordingObserver
from tests.support.scripted import ScriptedProvider, answer
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

    provider = ScriptedProvider(answer(*deltas), hold_after=11)  # streaming when it joins
    service = ChatService(MemoryStore(), provider.target)
    conversation = service.new_conversation()
    service.send(conversation.id, "go")
    late = Recorder()

    async def body() -> None:
        def streamed() -> str:
            reply = service.active_reply(conversation.id)
            return reply.content if reply else ""

        await wait_until(lambda: "d10" in streamed())
        service.add_observer(late)
        provider.release()
        await wait_until(lambda: late.finished)

    run_async(body())
    assert len(late.started) == 1
    so_far = late.started[0].content
    assert so_far.startswith("d0 d1 ") and "d10" in so_far
    assert so_far + "".join(late.text) == "".join(deltas)
