"""ChatService on a MemoryStore: history per turn, titles, checkpoints, final saves,
retry, stop, and a provider that cannot be resolved."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from streamchat_desktop.core.active_reply import CHECKPOINT_INTERVAL
from streamchat_desktop.core.chat_service import ChatService, ChatTarget, make_title
from streamchat_desktop.core.errors import ChatError, ErrorKind
from streamchat_desktop.core.events import Failed, Finished, TextDelta
from streamchat_desktop.core.models import Conversation, Message, MessageState, Role, Usage
from streamchat_desktop.core.observers import ProgressEvent
from streamchat_desktop.core.store import MemoryStore
from tests.support.observers import RecordingObserver
from tests.support.scripted import ScriptedProvider, answer
from tests.support.waiting import wait_until

RunAsync = Callable[..., Any]


class CountingStore(MemoryStore):
    """A MemoryStore that remembers every ``save_message`` call and when it came."""

    def __init__(self) -> None:
        super().__init__()
        self.saves: list[tuple[float, Message]] = []

    def save_message(self, message: Message) -> None:
        self.saves.append((time.monotonic(), message))
        super().save_message(message)


Recorder = RecordingObserver


@dataclass
class Setup:
    service: ChatService
    store: CountingStore
    provider: ScriptedProvider
    recorder: Recorder

    def run_reply(self, run_async: RunAsync, start: Callable[[], Message]) -> Message:
        """Start a reply, wait until it ended, and return it as stored."""

        async def scenario() -> Message:
            reply = start()
            await wait_until(lambda: not self.service.is_streaming(reply.id))
            return reply

        reply = run_async(scenario())
        return self.stored(reply)

    def stored(self, reply: Message) -> Message:
        return next(m for m in self.store.messages(reply.conversation_id) if m.id == reply.id)


@pytest.fixture
def setup() -> Setup:
    store = CountingStore()
    provider = ScriptedProvider(answer("Hello", " there"))
    service = ChatService(store, lambda _c: ChatTarget(provider.opener, "m"))
    recorder = Recorder()
    service.add_observer(recorder)
    return Setup(service, store, provider, recorder)


def test_history_with_system_prompt_is_sent_on_every_turn(
    setup: Setup, run_async: RunAsync
) -> None:
    conversation = setup.service.new_conversation(system_prompt="Be brief.", temperature=0.2)

    setup.run_reply(run_async, lambda: setup.service.send(conversation.id, "First?"))
    setup.provider.events = answer("Second answer")
    setup.run_reply(run_async, lambda: setup.service.send(conversation.id, "Second?"))

    first, second = setup.provider.requests
    assert [(t.role, t.content) for t in first.messages] == [
        (Role.SYSTEM, "Be brief."),
        (Role.USER, "First?"),
    ]
    assert [(t.role, t.content) for t in second.messages] == [
        (Role.SYSTEM, "Be brief."),
        (Role.USER, "First?"),
        (Role.ASSISTANT, "Hello there"),
        (Role.USER, "Second?"),
    ]
    assert second.model == "m" and second.temperature == 0.2
    contents = [m.content for m in setup.store.messages(conversation.id)]
    assert contents == ["First?", "Hello there", "Second?", "Second answer"]


def test_first_prompt_names_the_conversation(setup: Setup, run_async: RunAsync) -> None:
    conversation = setup.service.new_conversation()

    setup.run_reply(
        run_async, lambda: setup.service.send(conversation.id, "  How do\nI bake bread? ")
    )
    setup.run_reply(run_async, lambda: setup.service.send(conversation.id, "And cake?"))

    stored = setup.store.get_conversation(conversation.id)
    assert stored is not None and stored.title == "How do I bake bread?"


def test_titles_are_cut_at_a_word() -> None:
    title = make_title("word " * 30)
    assert title.endswith("…") and len(title) <= 61 and "wor…" not in title
    assert make_title("   ") == "New conversation"


def test_checkpoints_hold_the_text_so_far_never_one_per_delta(
    setup: Setup, run_async: RunAsync
) -> None:
    """100 deltas in a burst, then the stream waits: one checkpoint saves them all."""
    deltas = [f"w{i} " for i in range(150)]
    setup.provider.events = answer(*deltas)
    setup.provider.hold_after = 100
    conversation = setup.service.new_conversation()

    async def scenario() -> Message:
        reply = setup.service.send(conversation.id, "Go")
        await wait_until(lambda: bool(checkpoints()), timeout=30)
        setup.provider.release()
        await wait_until(lambda: not setup.service.is_streaming(reply.id), timeout=30)
        return reply

    def checkpoints() -> list[tuple[float, Message]]:
        return [(t, m) for t, m in setup.store.saves if m.state is MessageState.STREAMING]

    final = setup.stored(run_async(scenario(), timeout=60))
    (checkpoint,) = checkpoints()  # the rest came in a burst and ended: the final save
    assert checkpoint[1].content == "".join(deltas[:100])
    assert len(setup.store.saves) == 2  # one checkpoint, one final save
    assert final.state is MessageState.COMPLETE and final.content == "".join(deltas)


def test_checkpoints_are_spaced_by_the_interval(setup: Setup, run_async: RunAsync) -> None:
    """A lower bound only: a busy machine spaces them more, never less."""
    setup.provider.events = answer(*[f"w{i} " for i in range(100)])
    setup.provider.delay = 0.01
    conversation = setup.service.new_conversation()
    final = setup.run_reply(run_async, lambda: setup.service.send(conversation.id, "Go"))

    times = [t for t, m in setup.store.saves if m.state is MessageState.STREAMING]
    assert all(b - a >= CHECKPOINT_INTERVAL * 0.9 for a, b in itertools.pairwise(times))
    for _t, message in setup.store.saves[:-1]:  # each checkpoint holds the text so far
        assert final.content.startswith(message.content) and message.content


def test_final_save_of_a_finished_reply(setup: Setup, run_async: RunAsync) -> None:
    usage = Usage(prompt_tokens=4, completion_tokens=2, total_tokens=6)
    setup.provider.events = answer("Cut", " off", finish="length", usage=usage)
    conversation = setup.service.new_conversation()

    reply = setup.run_reply(run_async, lambda: setup.service.send(conversation.id, "Hi"))

    assert reply.state is MessageState.COMPLETE
    assert (reply.content, reply.finish_reason, reply.usage) == ("Cut off", "length", usage)
    assert reply.model == "m" and reply.error_kind is None
    assert setup.store.saves[-1][1] == reply
    assert isinstance(setup.recorder.events[-1], Finished)
    assert [m.id for m in setup.recorder.started] == [reply.id]


def test_final_save_of_a_failed_reply_keeps_the_partial_text(
    setup: Setup, run_async: RunAsync
) -> None:
    setup.provider.events = answer("Half", finish=None)
    setup.provider.error = ChatError(ErrorKind.RATE_LIMITED, "slow down", status=429, retry_after=3)
    conversation = setup.service.new_conversation()

    reply = setup.run_reply(run_async, lambda: setup.service.send(conversation.id, "Hi"))

    assert reply.state is MessageState.FAILED and reply.content == "Half"
    assert reply.error_kind == "rate_limited"
    assert reply.error_message == setup.provider.error.message
    assert "Retry in 3 s." in (reply.error_message or "")
    assert isinstance(setup.recorder.events[-1], Failed)


def test_stop_keeps_the_partial_text_as_stopped(setup: Setup, run_async: RunAsync) -> None:
    setup.provider.events = answer("Some ", "words", finish=None)
    setup.provider.hang = True
    conversation = setup.service.new_conversation()

    async def scenario() -> Message:
        reply = setup.service.send(conversation.id, "Hi")
        await wait_until(lambda: sum(isinstance(e, TextDelta) for e in setup.recorder.events) == 2)
        assert setup.service.active_reply(conversation.id) is not None
        assert setup.service.stop(reply.id)
        await wait_until(lambda: not setup.service.is_streaming(reply.id))
        return reply

    reply = setup.stored(run_async(scenario()))

    assert reply.state is MessageState.STOPPED and reply.content == "Some words"
    assert setup.provider.closed == 1
    assert setup.service.active_reply(conversation.id) is None
    assert not setup.service.stop(reply.id)  # nothing left to stop


def test_stop_right_after_send_ends_the_reply(setup: Setup, run_async: RunAsync) -> None:
    conversation = setup.service.new_conversation()

    async def scenario() -> Message:
        reply = setup.service.send(conversation.id, "Hi")
        setup.service.stop(reply.id)  # before the reply's task ran at all
        await wait_until(lambda: not setup.service.is_streaming(reply.id))
        return reply

    reply = setup.stored(run_async(scenario()))

    assert reply.state is MessageState.STOPPED and reply.content == ""


def test_stop_all_waits_until_every_reply_is_saved(setup: Setup, run_async: RunAsync) -> None:
    setup.provider.events = answer("partial", finish=None)
    setup.provider.hang = True
    first, second = setup.service.new_conversation(), setup.service.new_conversation()

    async def scenario() -> list[Message]:
        replies = [setup.service.send(c.id, "Hi") for c in (first, second)]
        await wait_until(lambda: len(setup.recorder.events) == 2)
        await setup.service.stop_all()
        return replies

    replies = run_async(scenario())

    for reply in replies:
        stored = setup.stored(reply)
        assert stored.state is MessageState.STOPPED and stored.content == "partial"


def test_retry_replaces_the_last_answer(setup: Setup, run_async: RunAsync) -> None:
    setup.provider.events = answer("Bro", finish=None)
    setup.provider.error = ChatError(ErrorKind.STREAM_CUT)
    conversation = setup.service.new_conversation()
    failed = setup.run_reply(run_async, lambda: setup.service.send(conversation.id, "Hi"))
    setup.provider.events, setup.provider.error = answer("Fixed"), None

    retried = setup.run_reply(run_async, lambda: setup.service.retry(conversation.id))

    messages = setup.store.messages(conversation.id)
    assert [(m.role, m.content) for m in messages] == [(Role.USER, "Hi"), (Role.ASSISTANT, "Fixed")]
    assert failed.id not in {m.id for m in messages}
    assert retried.state is MessageState.COMPLETE
    assert [(t.role, t.content) for t in setup.provider.requests[-1].messages] == [
        (Role.USER, "Hi")
    ]


def test_retry_needs_an_answer_and_send_waits_for_the_reply(
    setup: Setup, run_async: RunAsync
) -> None:
    conversation = setup.service.new_conversation()
    with pytest.raises(RuntimeError):
        setup.service.retry(conversation.id)
    setup.provider.hang = True

    async def scenario() -> None:
        reply = setup.service.send(conversation.id, "Hi")
        with pytest.raises(RuntimeError):
            setup.service.send(conversation.id, "Again")
        with pytest.raises(RuntimeError):
            setup.service.retry(conversation.id)
        await setup.service.stop_all()
        assert not setup.service.is_streaming(reply.id)

    run_async(scenario())


def test_a_missing_key_fails_the_reply_cleanly(run_async: RunAsync) -> None:
    store = CountingStore()

    def resolve(_conversation: Conversation) -> ChatTarget:
        raise ChatError(ErrorKind.NO_KEY, "add one with `streamchat keys set openai`")

    service = ChatService(store, resolve)
    recorder = Recorder()
    service.add_observer(recorder)
    conversation = service.new_conversation(model="gpt-4o")
    setup = Setup(service, store, ScriptedProvider(), recorder)

    reply = setup.run_reply(run_async, lambda: service.send(conversation.id, "Hi"))

    assert reply.state is MessageState.FAILED and reply.error_kind == "no_key"
    assert reply.model == "gpt-4o" and reply.content == ""
    assert "streamchat keys set" in (reply.error_message or "")
    terminal = recorder.events[-1]
    assert isinstance(terminal, Failed) and terminal.error.kind is ErrorKind.NO_KEY


def test_a_failing_observer_does_not_stop_the_reply(setup: Setup, run_async: RunAsync) -> None:
    class Broken(Recorder):
        def reply_event(self, conversation_id: str, message_id: str, event: ProgressEvent) -> None:
            raise RuntimeError("broken view")

    setup.service.add_observer(Broken())
    conversation = setup.service.new_conversation()

    reply = setup.run_reply(run_async, lambda: setup.service.send(conversation.id, "Hi"))

    assert reply.state is MessageState.COMPLETE and reply.content == "Hello there"
    assert isinstance(setup.recorder.events[-1], Finished)
