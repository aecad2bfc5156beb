"""Bad input gets a clear refusal and never hurts the app or the other views."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from streamchat_desktop.companion import protocol as p
from tests.companion.conftest import Harness
from tests.support.waiting import wait_until

MALFORMED: list[tuple[str, tuple[Any, ...]]] = [
    (p.PROMPT_SEND, (42,)),
    (p.PROMPT_SEND, ("just a string",)),
    (p.PROMPT_SEND, ([],)),
    (p.PROMPT_SEND, ({},)),
    (p.PROMPT_SEND, ({"text": 5},)),
    (p.PROMPT_SEND, ({"text": "   "},)),
    (p.PROMPT_SEND, ({"text": "hi", "extra": True},)),
    (p.PROMPT_SEND, ({"text": "hi", "conversation_id": 7},)),
    (p.PROMPT_SEND, ({"text": "hi", "conversation_id": "x" * 65},)),
    (p.PROMPT_SEND, ({"text": "hi"}, {"text": "two payloads"})),
    (p.PROMPT_SEND, ()),
    (p.REPLY_STOP, ({},)),
    (p.REPLY_STOP, ({"message_id": None},)),
    (p.REPLY_STOP, ({"message_id": ["a"]},)),
    (p.CONVERSATION_OPEN, ({"conversation_id": {"$ne": 1}},)),
    (p.CONVERSATION_OPEN, (None,)),
    (p.MESSAGE_EDIT, ({"message_id": "m"},)),
    (p.MESSAGE_EDIT, ({"message_id": "m", "text": 5},)),
    (p.MESSAGE_EDIT, ({"message_id": "m", "text": " \n "},)),
    (p.MESSAGE_EDIT, ({"text": "no id"},)),
    (p.MESSAGE_EDIT, ({"message_id": "m", "text": "hi", "files": []},)),
    (p.MESSAGE_REGENERATE, ({},)),
    (p.MESSAGE_REGENERATE, ({"message_id": 5},)),
    (p.MESSAGE_REGENERATE, ("m",)),
    (p.MESSAGE_CONTINUE, ({"message_id": "x" * 65},)),
    (p.MESSAGE_DELETE, ({"message_id": ""},)),
    (p.MESSAGE_DELETE, ({"message_id": "m", "all": True},)),
    (p.MESSAGE_RESTORE, ([],)),
    (p.VERSION_SWITCH, ({"message_id": "m"},)),
    (p.VERSION_SWITCH, ({"message_id": "m", "step": 2},)),
    (p.VERSION_SWITCH, ({"message_id": "m", "step": True},)),
    (p.VERSION_SWITCH, ({"message_id": "m", "step": "1"},)),
    (p.VERSION_SWITCH, ({"message_id": "m", "step": -1.0},)),
    ("admin:shutdown", ({"now": True},)),
]


@pytest.mark.parametrize(("event", "args"), MALFORMED)
def test_malformed_payload_acked_with_error(
    harness: Harness, run_async: Callable[..., Any], event: str, args: tuple[Any, ...]
) -> None:
    async def scenario() -> Any:
        viewer = await harness.viewer()
        return await viewer.client.call(event, args if len(args) != 1 else args[0], timeout=30)

    ack = run_async(scenario())
    assert ack["ok"] is False
    assert ack["error"] == p.ERROR_INVALID
    assert isinstance(ack["message"], str) and ack["message"]
    assert harness.store.list_conversations() == []  # nothing happened


def test_oversize_prompt_refused(harness: Harness, run_async: Callable[..., Any]) -> None:
    async def scenario() -> tuple[Any, Any]:
        viewer = await harness.viewer()
        too_long = await viewer.client.call(
            p.PROMPT_SEND, {"text": "x" * (p.MAX_PROMPT_CHARS + 1)}, timeout=30
        )
        at_limit = await viewer.client.call(
            p.PROMPT_SEND, {"text": "y" * p.MAX_PROMPT_CHARS}, timeout=30
        )
        harness.model.end()
        await wait_until(lambda: harness.model.closed == 1)
        return too_long, at_limit

    too_long, at_limit = run_async(scenario())
    assert too_long["ok"] is False and too_long["error"] == p.ERROR_PROMPT_TOO_LONG
    assert at_limit["ok"] is True
    assert len(harness.model.requests) == 1


def test_oversize_packet_drops_only_that_view(
    harness: Harness, run_async: Callable[..., Any]
) -> None:
    async def scenario() -> None:
        bystander = await harness.viewer()
        attacker = await harness.viewer()
        await attacker.client.emit(p.PROMPT_SEND, {"text": "z" * (p.MAX_PACKET_BYTES + 10)})
        await wait_until(lambda: not attacker.client.connected)
        await wait_until(lambda: harness.server.view_count == 1)
        ack = await bystander.client.call(p.CONVERSATION_OPEN, {"conversation_id": None})
        assert ack["ok"] is True

    run_async(scenario())
    assert harness.model.requests == []


def test_flood_is_rate_limited_and_harmless(
    harness: Harness, run_async: Callable[..., Any]
) -> None:
    async def scenario() -> tuple[list[Any], Any]:
        flooder = await harness.viewer()
        bystander = await harness.viewer()
        acks = await asyncio.gather(
            *(
                flooder.client.call(p.CONVERSATION_OPEN, {"conversation_id": None}, timeout=10)
                for _ in range(100)
            )
        )
        calm = await bystander.client.call(p.CONVERSATION_OPEN, {"conversation_id": None})
        return acks, calm

    acks, calm = run_async(scenario())
    accepted = [a for a in acks if a["ok"]]
    limited = [a for a in acks if not a["ok"]]
    assert p.RATE_BURST <= len(accepted) <= p.RATE_BURST + 5
    assert limited and all(a["error"] == p.ERROR_RATE_LIMITED for a in limited)
    assert calm["ok"] is True  # another view is not affected


def test_endless_flood_drops_the_view(
    harness: Harness, run_async: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No refill (rate 0): how fast a loaded machine sends the flood cannot matter; a view
    that keeps sending after its burst is refused, then dropped."""
    monkeypatch.setattr(p, "RATE_PER_SECOND", 0.0)

    async def scenario() -> None:
        flooder = await harness.viewer()
        for _ in range(p.RATE_BURST + 1000):
            if harness.server.view_count == 0 or not flooder.client.connected:
                break
            await flooder.client.emit("no:such:event", {})
        await wait_until(lambda: harness.server.view_count == 0)

    run_async(scenario())


def test_a_lone_surrogate_in_a_prompt_is_repaired_where_it_enters(
    harness: Harness, run_async: Callable[..., Any]
) -> None:
    async def scenario() -> Any:
        viewer = await harness.viewer()
        ack = await viewer.client.call(p.PROMPT_SEND, {"text": "hi \ud800 there"}, timeout=5)
        harness.model.end()
        await wait_until(lambda: harness.model.closed == 1)
        return ack

    ack = run_async(scenario())
    assert ack["ok"] is True
    (conversation,) = harness.store.list_conversations()
    (prompt, _reply) = harness.store.messages(conversation.id)
    assert prompt.content == "hi \ufffd there"  # SQLite would refuse the lone half
