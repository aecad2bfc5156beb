"""reply_started hands each observer the reply with the prompt and the branch it answers,
and reply_ended the final message, so nobody reads the store back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from streamchat_desktop.core.chat_service import ChatService, ChatTarget
from streamchat_desktop.core.events import StreamEnd, StreamEvent, TextDelta
from streamchat_desktop.core.models import ChatRequest, MessageState, Role
from streamchat_desktop.core.store import MemoryStore
from tests.support.observers import RecordingObserver
from tests.support.waiting import wait_until


async def two_words(_request: ChatRequest) -> AsyncIterator[StreamEvent]:
    yield TextDelta("two ")
    yield TextDelta("words")
    yield StreamEnd("length")


def test_send_retry_and_continue_each_tell_the_prompt_and_the_branch(run_async: Any) -> None:
    service = ChatService(MemoryStore(), lambda _c: ChatTarget(two_words, "m"))
    seen = RecordingObserver()
    service.add_observer(seen)
    conversation = service.new_conversation()

    async def replies() -> None:
        first = service.send(conversation.id, "Hello")
        await wait_until(lambda: not service.is_streaming(first.id))
        again = service.retry(conversation.id)
        await wait_until(lambda: not service.is_streaming(again.id))
        more = service.continue_reply(conversation.id, again.id)
        await wait_until(lambda: not service.is_streaming(more.id))

    run_async(replies())
    sent, retried, continued = seen.starts
    assert sent.prompt is not None and sent.prompt.content == "Hello"
    assert [m.id for m in sent.history] == [sent.prompt.id]
    assert sent.conversation.title == "Hello"  # titled by its first prompt
    assert retried.prompt == sent.prompt and retried.history == sent.history
    assert continued.prompt == sent.prompt and continued.message.content == "two words"
    assert [m.role for m in continued.history] == [Role.USER]
    final = seen.ended[-1]
    assert (final.state, final.finish_reason, final.content) == (
        MessageState.COMPLETE,
        "length",
        "two wordstwo words",
    )
    assert service.messages(conversation.id)[-1] == final
