"""The controller turns service events into Qt signals, exactly one terminal signal a reply."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from streamchat_desktop.controllers.chat_controller import ChatController
from streamchat_desktop.core.chat_service import ChatService, ChatTarget
from streamchat_desktop.core.events import StreamEvent, TextDelta
from streamchat_desktop.core.models import ChatRequest, Conversation, Message, MessageState
from streamchat_desktop.core.store import MemoryStore
from tests.support.observers import RecordingObserver
from tests.support.scripted import ScriptedProvider, answer
from tests.support.waiting import wait_until


def record(controller: ChatController) -> dict[str, list[Any]]:
    seen: dict[str, list[Any]] = {"started": [], "text": [], "ended": [], "streaming": []}
    controller.reply_started.connect(
        lambda start: seen["started"].append((start.conversation.id, start.message))
    )
    controller.text_received.connect(lambda mid, t: seen["text"].append(t))
    controller.reply_ended.connect(lambda cid, m, s: seen["ended"].append((cid, m, s)))
    controller.streaming_changed.connect(seen["streaming"].append)
    return seen


def test_a_reply_becomes_signals_with_one_terminal_signal(qapp: Any, run_async: Any) -> None:
    script = ScriptedProvider(answer("Hel", "lo", "!"))
    controller = ChatController(ChatService(MemoryStore(), script.target))
    seen = record(controller)
    controller.send("hi")

    async def body() -> None:
        await wait_until(lambda: bool(seen["ended"]))
        await script.all_done()  # the reply's task is over: nothing can follow now

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
    script = ScriptedProvider(answer(*[f"w{i} " for i in range(1000)]), hold_after=3)
    controller = ChatController(ChatService(MemoryStore(), script.target))
    seen = record(controller)
    controller.send("long answer please")

    async def body() -> None:
        await wait_until(lambda: len(seen["text"]) == 3)
        controller.stop()
        await wait_until(lambda: bool(seen["ended"]), timeout=30)

    run_async(body())
    message = seen["ended"][0][1]
    assert message.state is MessageState.STOPPED
    assert message.content == "w0 w1 w2 " == "".join(seen["text"])
    assert controller.messages()[-1] == message


def test_switching_conversations_leaves_the_stream_running(qapp: Any, run_async: Any) -> None:
    script = ScriptedProvider(answer(*[f"{i} " for i in range(30)]), hold_after=5)
    service = ChatService(MemoryStore(), script.target)
    controller = ChatController(service)
    seen = record(controller)
    controller.send("first")
    first = controller.conversation_id

    async def body() -> None:
        await wait_until(lambda: len(seen["text"]) == 5)
        controller.new_conversation()
        assert controller.streaming_reply() is None
        script.release()  # the rest streams while another conversation is shown
        await wait_until(lambda: bool(seen["ended"]), timeout=30)

    run_async(body())
    assert first is not None
    assert service.messages(first)[-1].content == "".join(f"{i} " for i in range(30))


def test_window_edits_to_conversations_reach_every_observer(qapp: Any) -> None:
    service = ChatService(MemoryStore(), ScriptedProvider(answer("ok")).target)
    controller = ChatController(service)
    hooks = RecordingObserver()
    service.add_observer(hooks)
    changed: list[str] = []
    listed: list[bool] = []
    updated: list[Conversation] = []
    controller.conversation_changed.connect(changed.append)
    controller.conversations_changed.connect(lambda: listed.append(True))
    controller.conversation_updated.connect(updated.append)
    older = controller.new_conversation()
    shown = controller.new_conversation()
    hooks.updated.clear()
    changed.clear()
    listed.clear()
    updated.clear()

    controller.rename_conversation(shown, "  Trip   plans ")
    controller.set_target("local", "llama")
    controller.set_target("local", "llama")  # no change: nothing to tell
    controller.set_generation("Be brief.", 0.3)
    controller.rename_conversation(shown, "   ")  # blank: ignored
    assert [c.title for c in hooks.updated] == ["Trip plans"] * 3
    assert [(c.provider_id, c.model) for c in hooks.updated[1:]] == [("local", "llama")] * 2
    assert (hooks.updated[-1].system_prompt, hooks.updated[-1].temperature) == ("Be brief.", 0.3)
    assert hooks.updated[-1] == service.get_conversation(shown)
    assert updated == hooks.updated  # the window hears each change once, with its data
    assert (changed, len(listed)) == ([shown], 0)  # no reload of the whole list

    controller.delete_conversation(older)  # not the one on screen
    assert hooks.deleted == [older] and controller.conversation_id == shown
    controller.delete_conversation(shown)  # the last one: the window starts a new one
    assert hooks.deleted == [older, shown]
    assert service.get_conversation(shown) is None
    fresh = controller.conversation_id
    assert fresh not in (None, shown) and [c.id for c in controller.conversations()] == [fresh]


def test_deleting_a_conversation_mid_answer_stops_it_and_saves_nothing(
    qapp: Any, run_async: Any
) -> None:
    """The proof that no checkpoint saves the deleted reply later: another reply, whose
    checkpoint was scheduled after the deleted one's, has been checkpointed by then."""
    script = ScriptedProvider(answer(*[f"w{i} " for i in range(1000)]), hold_after=3)
    service = ChatService(MemoryStore(), script.target)
    controller = ChatController(service)
    seen = record(controller)
    failures: list[Message] = []
    service.add_save_error_listener(lambda message, _exc: failures.append(message))
    controller.send("long answer please")
    doomed = controller.conversation_id
    assert doomed is not None

    async def body() -> None:
        await wait_until(lambda: len(seen["text"]) == 3)
        witness = service.new_conversation()
        service.send(witness.id, "and you?")  # its deltas come after the doomed reply's
        await wait_until(lambda: len(seen["text"]) == 6)
        controller.delete_conversation(doomed)
        await wait_until(lambda: bool(seen["ended"]), timeout=30)
        await wait_until(
            lambda: service.messages(witness.id)[-1].content == "w0 w1 w2 ", timeout=30
        )  # the witness's checkpoint ran: the doomed one's would have run before it
        script.release()
        await script.all_done()

    run_async(body(), timeout=60)
    assert seen["ended"][0][0] == doomed
    assert service.active_reply(doomed) is None
    assert service.messages(doomed) == []
    assert (failures, service.unsaved_messages()) == ([], [])
    assert controller.conversation_id not in (None, doomed)


def test_a_retry_waiting_for_retry_after_is_dropped_with_its_conversation(
    qapp: Any, run_async: Any
) -> None:
    """Delete the conversation while Retry waits for the server's Retry-After: the
    waiting retry finds nothing to do (it raised KeyError inside a Qt timer before)."""
    from streamchat_desktop.core.errors import ChatError, ErrorKind

    async def limited(_request: ChatRequest) -> AsyncIterator[StreamEvent]:
        raise ChatError(ErrorKind.RATE_LIMITED, "slow down", status=429, retry_after=600)
        yield TextDelta("")  # pragma: no cover - makes this an async generator

    controller = ChatController(ChatService(MemoryStore(), lambda _c: ChatTarget(limited, "m")))
    seen = record(controller)
    scheduled: list[float] = []
    controller.retry_scheduled.connect(scheduled.append)
    controller.send("hi")
    run_async(wait_until(lambda: bool(seen["ended"])))
    conversation_id = controller.conversation_id
    assert conversation_id is not None

    controller.retry()
    assert scheduled  # Retry waits for the server's Retry-After
    controller.delete_conversation(conversation_id)
    controller._retry_now(conversation_id)  # what the waiting timer calls when it fires

    assert len(seen["ended"]) == 1  # no second reply, and no error


def test_asking_again_where_there_is_no_answer_does_nothing(qapp: Any) -> None:
    """Ctrl+R / Ctrl+Shift+R in a new conversation, or Continue under an older answer:
    no reply, and no error escaping into Qt (RuntimeError, ValueError before)."""
    script = ScriptedProvider(answer("Hi"))
    controller = ChatController(ChatService(MemoryStore(), script.target))
    seen = record(controller)
    problems: list[str] = []
    controller.problem_reported.connect(problems.append)
    controller.new_conversation()

    controller.retry()
    controller.regenerate()
    controller.continue_reply("no-such-message")

    assert seen["started"] == [] and script.tasks == []
    assert problems == []


def test_continue_under_an_older_answer_says_only_the_last_can_go_on(
    qapp: Any, run_async: Any
) -> None:
    script = ScriptedProvider(answer("Hi"))
    controller = ChatController(ChatService(MemoryStore(), script.target))
    seen = record(controller)
    problems: list[str] = []
    controller.problem_reported.connect(problems.append)
    for prompt in ("one", "two"):
        controller.send(prompt)
        run_async(wait_until(lambda: controller.streaming_reply() is None))
    first_answer = controller.messages()[1]

    controller.continue_reply(first_answer.id)

    assert problems == ["Only the last answer can be continued."]
    assert len(seen["started"]) == 2
