"""Replies reach every view whole: late joiners, reconnects, several views, Stop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from streamchat_desktop.companion import protocol as p
from streamchat_desktop.core.models import MessageState
from tests.companion.conftest import Harness, Viewer
from tests.support.waiting import wait_until

WORDS = [f"w{i} " for i in range(300)]


def _complete(viewer: Viewer, message_id: str) -> Callable[[], bool]:
    return lambda: message_id in viewer.replies and viewer.replies[message_id].state == "complete"


def _shown(viewer: Viewer) -> str | None:
    """The id of the conversation the view's latest snapshot shows."""
    conversation = viewer.snapshots[-1]["conversation"]
    return conversation["id"] if conversation else None


def _text(viewer: Viewer, message_id: str) -> str:
    reply = viewer.replies.get(message_id)
    return reply.text if reply else ""


async def _push_slowly(harness: Harness, words: list[str], wait: float = 0.002) -> None:
    """Push deltas across several frames, so views see many coalesced deltas."""
    import asyncio

    for index, word in enumerate(words):
        harness.model.push(word)
        if index % 10 == 9:
            await asyncio.sleep(wait)


def test_prompt_from_desktop_streams_to_view(
    harness: Harness, run_async: Callable[..., Any]
) -> None:
    async def scenario() -> None:
        conversation = harness.service.new_conversation()
        harness.server.set_active_conversation(conversation.id)
        viewer = await harness.viewer()
        message = harness.service.send(conversation.id, "Tell me")
        await _push_slowly(harness, WORDS)
        harness.model.end()
        await viewer.wait_for(
            lambda: (
                viewer.replies.get(message.id, None) is not None
                and viewer.replies[message.id].state == "complete"
            )
        )
        assert _text(viewer, message.id) == "".join(WORDS)
        started = [d for n, d in viewer.events if n == p.MESSAGE_STARTED]
        assert started[0]["prompt"]["content"] == "Tell me"
        deltas = viewer.replies[message.id].deltas_received
        assert 1 <= deltas < len(WORDS)  # coalesced: fewer messages than deltas

    run_async(scenario())


def test_late_join_mid_answer_gets_exactly_the_full_text(
    harness: Harness, run_async: Callable[..., Any]
) -> None:
    async def scenario() -> None:
        conversation = harness.service.new_conversation()
        harness.server.set_active_conversation(conversation.id)
        early = await harness.viewer()
        message = harness.service.send(conversation.id, "Count")
        await _push_slowly(harness, WORDS[:150])
        await wait_until(lambda: _text(early, message.id).startswith("w0 w1"))
        late = await harness.viewer()  # joins while the reply is streaming
        snap = late.snapshots[-1]["messages"][-1]
        assert snap["state"] == "streaming" and 0 < snap["seq"] <= 150
        assert snap["content"] == "".join(WORDS[: snap["seq"]])
        await _push_slowly(harness, WORDS[150:])
        harness.model.end()
        for viewer in (early, late):
            await viewer.wait_for(_complete(viewer, message.id))
            assert _text(viewer, message.id) == "".join(WORDS)

    run_async(scenario())


def test_reconnect_resumes_without_gap_or_duplicate(
    harness: Harness, run_async: Callable[..., Any]
) -> None:
    async def scenario() -> None:
        conversation = harness.service.new_conversation()
        harness.server.set_active_conversation(conversation.id)
        viewer = await harness.viewer()
        message = harness.service.send(conversation.id, "Count")
        await _push_slowly(harness, WORDS[:100])
        await wait_until(lambda: viewer.replies[message.id].seq > 0)
        await viewer.client.disconnect()
        await _push_slowly(harness, WORDS[100:200])  # missed while away
        await viewer.client.connect(
            harness.base_url,
            auth={"token": harness.server.token},
            transports=["websocket"],
            wait_timeout=30,
        )
        await wait_until(lambda: len(viewer.snapshots) == 2)
        await _push_slowly(harness, WORDS[200:])
        harness.model.end()
        await viewer.wait_for(lambda: viewer.replies[message.id].state == "complete")
        assert _text(viewer, message.id) == "".join(WORDS)

    run_async(scenario())


def test_two_views_agree(harness: Harness, run_async: Callable[..., Any]) -> None:
    async def scenario() -> None:
        conversation = harness.service.new_conversation()
        harness.server.set_active_conversation(conversation.id)
        first, second = await harness.viewer(), await harness.viewer(transports=["polling"])
        message = harness.service.send(conversation.id, "Hi")
        await _push_slowly(harness, WORDS)
        harness.model.end()
        for viewer in (first, second):
            await viewer.wait_for(_complete(viewer, message.id))
        assert _text(first, message.id) == _text(second, message.id) == "".join(WORDS)
        saved = harness.store.messages(conversation.id)[-1]
        assert saved.content == "".join(WORDS)

    run_async(scenario())


def test_prompt_sent_from_view_streams(harness: Harness, run_async: Callable[..., Any]) -> None:
    async def scenario() -> None:
        viewer = await harness.viewer()
        assert viewer.snapshots[0]["conversation"] is None  # nothing yet
        ack = await viewer.client.call(p.PROMPT_SEND, {"text": "From the page"}, timeout=30)
        assert ack["ok"] is True, ack
        message_id, conversation_id = ack["message_id"], ack["conversation_id"]
        assert harness.store.get_conversation(conversation_id) is not None
        harness.model.push("Hello", " from", " the model")
        harness.model.end()
        await viewer.wait_for(
            lambda: (
                viewer.replies.get(message_id) is not None
                and viewer.replies[message_id].state == "complete"
            )
        )
        assert _text(viewer, message_id) == "Hello from the model"
        assert harness.model.requests[-1].messages[-1].content == "From the page"
        updated = [d for n, d in viewer.events if n == p.CONVERSATION_UPDATED]
        assert any(d["conversation"]["title"] == "From the page" for d in updated)
        again = await viewer.client.call(p.PROMPT_SEND, {"text": "again"}, timeout=30)
        assert again["ok"] is True  # the first reply ended, so a second one may start
        assert again["conversation_id"] == conversation_id  # the view's conversation
        harness.model.end()
        await wait_until(lambda: not harness.service.is_streaming(again["message_id"]))

    run_async(scenario())


def test_prompt_while_streaming_is_busy(harness: Harness, run_async: Callable[..., Any]) -> None:
    async def scenario() -> None:
        viewer = await harness.viewer()
        first = await viewer.client.call(p.PROMPT_SEND, {"text": "one"}, timeout=30)
        second = await viewer.client.call(
            p.PROMPT_SEND, {"text": "two", "conversation_id": first["conversation_id"]}, timeout=30
        )
        assert second == {"ok": False, "error": p.ERROR_BUSY, "message": second["message"]}
        harness.model.end()
        await wait_until(lambda: not harness.service.is_streaming(first["message_id"]))

    run_async(scenario())


def test_reply_stop_from_view(harness: Harness, run_async: Callable[..., Any]) -> None:
    async def scenario() -> None:
        viewer = await harness.viewer()
        ack = await viewer.client.call(p.PROMPT_SEND, {"text": "Go"}, timeout=30)
        message_id = ack["message_id"]
        harness.model.push("partial ", "answer")
        await viewer.wait_for(lambda: _text(viewer, message_id) == "partial answer")
        stop = await viewer.client.call(p.REPLY_STOP, {"message_id": message_id}, timeout=30)
        assert stop == {"ok": True, "stopped": True}
        await viewer.wait_for(lambda: viewer.replies[message_id].state == "stopped")
        await wait_until(lambda: harness.model.closed == 1)  # the stream was closed
        saved = harness.store.messages(ack["conversation_id"])[-1]
        assert saved.state is MessageState.STOPPED and saved.content == "partial answer"
        again = await viewer.client.call(p.REPLY_STOP, {"message_id": message_id}, timeout=30)
        assert again == {"ok": True, "stopped": False}

    run_async(scenario())


def test_conversation_open_and_following(harness: Harness, run_async: Callable[..., Any]) -> None:
    async def scenario() -> None:
        first = harness.service.new_conversation(title="First")
        second = harness.service.new_conversation(title="Second")
        harness.server.set_active_conversation(first.id)
        viewer = await harness.viewer()
        assert _shown(viewer) == first.id
        assert {c["id"] for c in viewer.snapshots[-1]["conversations"]} == {first.id, second.id}
        harness.server.set_active_conversation(second.id)  # the desktop switches: so do we
        await wait_until(lambda: _shown(viewer) == second.id)
        ack = await viewer.client.call(p.CONVERSATION_OPEN, {"conversation_id": first.id})
        assert ack["ok"] is True
        await wait_until(lambda: _shown(viewer) == first.id)
        assert viewer.snapshots[-1]["following"] is False
        count = len(viewer.snapshots)
        harness.server.set_active_conversation(None)
        harness.server.set_active_conversation(second.id)  # a pinned view stays put
        message = harness.service.send(second.id, "elsewhere")
        harness.model.end()
        await wait_until(lambda: not harness.service.is_streaming(message.id))
        assert len(viewer.snapshots) == count
        assert message.id not in viewer.replies
        await viewer.client.call(p.CONVERSATION_OPEN, {"conversation_id": None})
        await wait_until(lambda: viewer.snapshots[-1]["following"] is True)
        assert _shown(viewer) == second.id
        missing = await viewer.client.call(p.CONVERSATION_OPEN, {"conversation_id": "nope"})
        assert missing["ok"] is False and missing["error"] == p.ERROR_NOT_FOUND

    run_async(scenario())


def test_failed_reply_reaches_view_without_key(
    harness: Harness, run_async: Callable[..., Any]
) -> None:
    from streamchat_desktop.core.errors import ChatError, ErrorKind

    async def scenario() -> None:
        viewer = await harness.viewer()
        ack = await viewer.client.call(p.PROMPT_SEND, {"text": "Go"}, timeout=30)
        harness.model.push("half ")
        await viewer.wait_for(lambda: _text(viewer, ack["message_id"]) == "half ")
        # the session maps a ChatError from the stream to Failed; raise one mid-stream
        harness.model.queue.put_nowait(
            ChatError(
                ErrorKind.AUTH, "Incorrect API key provided: sk-proj-abcd1234efgh", status=401
            )
        )
        await viewer.wait_for(lambda: p.MESSAGE_FAILED in viewer.names())
        failed = next(d for n, d in viewer.events if n == p.MESSAGE_FAILED)
        assert failed["error"]["kind"] == "auth"
        assert "sk-proj" not in failed["error"]["message"]

    run_async(scenario())


def test_retry_starts_on_the_same_branch(harness: Harness, run_async: Callable[..., Any]) -> None:
    async def scenario() -> None:
        conversation = harness.service.new_conversation()
        harness.server.set_active_conversation(conversation.id)
        viewer = await harness.viewer()
        first = harness.service.send(conversation.id, "Question")
        harness.model.push("first answer")
        harness.model.end()
        await viewer.wait_for(_complete(viewer, first.id))
        second = harness.service.retry(conversation.id)
        harness.model.push("second answer")
        harness.model.end()
        await viewer.wait_for(_complete(viewer, second.id))
        started = [d for n, d in viewer.events if n == p.MESSAGE_STARTED]
        prompt_id = started[0]["prompt"]["id"]
        assert started[0]["history"] == [prompt_id]
        assert started[1]["history"] == [prompt_id]  # the first answer is gone
        assert started[1]["message"]["id"] == second.id
        assert _text(viewer, second.id) == "second answer"

    run_async(scenario())


def test_continued_reply_keeps_its_text_for_late_joiners(
    harness: Harness, run_async: Callable[..., Any]
) -> None:
    async def scenario() -> None:
        conversation = harness.service.new_conversation()
        harness.server.set_active_conversation(conversation.id)
        early = await harness.viewer()
        answer = harness.service.send(conversation.id, "Write a lot")
        harness.model.push("The first half")
        await early.wait_for(lambda: _text(early, answer.id) == "The first half")
        harness.service.stop(answer.id)
        await wait_until(lambda: not harness.service.is_streaming(answer.id))
        continued = harness.service.continue_reply(conversation.id, answer.id)
        assert continued.id == answer.id
        harness.model.push(" and the second")
        await wait_until(lambda: _text(early, answer.id) == "The first half and the second")
        late = await harness.viewer()
        assert late.snapshots[-1]["messages"][-1]["content"] == "The first half and the second"
        harness.model.push(" half.")
        harness.model.end()
        for viewer in (early, late):
            await viewer.wait_for(_complete(viewer, answer.id))
            assert _text(viewer, answer.id) == "The first half and the second half."

    run_async(scenario())
