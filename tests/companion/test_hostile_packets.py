"""Packets no real client sends, written by hand on the wire (issue 14, items 4, 11, 12).

Reserved Socket.IO names (``connect``, ``disconnect``, ``message``) never reach the
server's own handlers; deep nesting is refused before the JSON parser sees it; an
oversized polling POST is answered at once.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from streamchat_desktop.companion import protocol as p
from streamchat_desktop.companion.packet_guard import nested_deeper_than
from tests.companion.conftest import Harness
from tests.companion.raw_engineio import RawPolling, RawWebSocket

RunAsync = Callable[..., Any]
DEEP = 5000


def _deep_prompt(ack_id: int) -> str:
    return f"42{ack_id}" + '["prompt:send",' + "[" * DEEP + "]" * DEEP + "]"


async def _with_websocket(
    harness: Harness, scenario: Callable[[RawWebSocket], Awaitable[Any]]
) -> Any:
    async with aiohttp.ClientSession() as session:
        raw = await RawWebSocket.connect(session, harness.base_url, harness.server.token)
        try:
            return await scenario(raw)
        finally:
            await raw.close()


@pytest.mark.parametrize("name", ["connect", "disconnect", "message", "\x00refused"])
def test_reserved_event_names_are_refused_and_the_view_stays(
    harness: Harness, run_async: RunAsync, name: str
) -> None:
    """``42["disconnect",{}]`` used to drop the view from the server's list (the socket
    stayed open, so the 256-view limit could be passed); ``connect`` raised
    ConnectionRefusedError, which the app reports as a bug, and got no answer."""

    bugs: list[dict[str, Any]] = []  # what reaches the loop's handler: the app's bug dialog

    async def scenario(raw: RawWebSocket) -> tuple[Any, Any, int]:
        loop = asyncio.get_running_loop()
        gc.collect()  # earlier tests' unreferenced tasks report to their own handler, first
        previous = loop.get_exception_handler()
        loop.set_exception_handler(lambda _loop, context: bugs.append(context))
        try:
            refused = await raw.call(1, name, {})
            views = harness.server.view_count
            still_served = await raw.call(2, p.CONVERSATION_OPEN, {"conversation_id": None})
            gc.collect()  # a failed, unawaited handler task reports itself when collected
        finally:
            loop.set_exception_handler(previous)
        return refused, still_served, views

    refused, still_served, views = run_async(_with_websocket(harness, scenario))
    assert bugs == []
    assert refused == {
        "ok": False,
        "error": p.ERROR_INVALID,
        "message": f"unknown event {name!r}",
    }
    assert views == 1
    assert still_served == {"ok": True}


def test_a_connect_event_with_the_token_counts_against_the_rate_limit(
    harness: Harness, run_async: RunAsync
) -> None:
    """With ``{"token": …}`` the packet used to run the connect handler again, which
    gave the view a fresh rate-limit allowance each time."""
    count = 100

    async def scenario(raw: RawWebSocket) -> tuple[list[Any], int]:
        auth = json.dumps({"token": harness.server.token})
        for ack_id in range(count):
            await raw.send(f'42{ack_id}["connect",{{}},{auth}]')
        return [await raw.ack(ack_id) for ack_id in range(count)], harness.server.view_count

    acks, views = run_async(_with_websocket(harness, scenario))
    assert all(isinstance(ack, dict) and ack["ok"] is False for ack in acks), acks[:3]
    limited = [ack for ack in acks if ack["error"] == p.ERROR_RATE_LIMITED]
    assert len(limited) >= count - p.RATE_BURST - 10
    assert views == 1


def test_deep_nesting_over_websocket_is_refused_with_an_ack(
    harness: Harness, run_async: RunAsync
) -> None:
    async def scenario(raw: RawWebSocket) -> tuple[Any, Any]:
        await raw.send(_deep_prompt(7))
        refused = await raw.ack(7)
        still_served = await raw.call(8, p.CONVERSATION_OPEN, {"conversation_id": None})
        return refused, still_served

    refused, still_served = run_async(_with_websocket(harness, scenario))
    assert refused["ok"] is False and refused["error"] == p.ERROR_INVALID
    assert f"deeper than {p.MAX_JSON_DEPTH} levels" in refused["message"]
    assert still_served == {"ok": True}
    assert harness.model.requests == []


def test_deep_nesting_over_polling_is_refused_with_an_ack(
    harness: Harness, run_async: RunAsync
) -> None:
    async def scenario() -> Any:
        async with aiohttp.ClientSession() as session:
            raw = await RawPolling.connect(session, harness.base_url, harness.server.token)
            await raw.send(_deep_prompt(3))
            return await raw.ack(3)

    refused = run_async(scenario())
    assert refused["ok"] is False and refused["error"] == p.ERROR_INVALID
    assert harness.model.requests == []


def test_deep_packets_count_against_the_rate_limit(harness: Harness, run_async: RunAsync) -> None:
    count = 60

    async def scenario(raw: RawWebSocket) -> list[Any]:
        for ack_id in range(count):
            await raw.send(_deep_prompt(ack_id))
        return [await raw.ack(ack_id) for ack_id in range(count)]

    acks = run_async(_with_websocket(harness, scenario))
    assert any(ack["error"] == p.ERROR_RATE_LIMITED for ack in acks)


def test_oversized_polling_post_is_answered_and_ends_the_session(
    harness: Harness, run_async: RunAsync
) -> None:
    """engine.io closed the session and then waited for a GET that never came: the POST
    hung. Waiting on the response itself (a generous timeout only guards the suite)."""

    async def scenario() -> tuple[int, int]:
        async with aiohttp.ClientSession() as session:
            raw = await RawPolling.connect(session, harness.base_url, harness.server.token)
            status = await raw.post("4" + "x" * (p.MAX_PACKET_BYTES + 1))
            async with session.get(raw.url) as after:
                body = await after.text()
            return status, after.status if body != "1" else 400

    status, after = run_async(scenario(), timeout=60)
    assert status == 413
    assert after == 400  # the session is over: a bad request, or its CLOSE packet
    assert harness.server.view_count == 0


@pytest.mark.parametrize(
    ("text", "deep"),
    [
        ("[" * 33 + "]" * 33, True),
        ("[" * 32 + "]" * 32, False),
        ('["' + "[" * 100 + '"]', False),  # brackets inside a string do not count
        ('["\\"' + "[" * 100 + '"]', False),  # nor after an escaped quote
        ('["\\\\"' + ",[" * 40 + "]" * 40 + "]", True),  # an escaped backslash ends no string
        ('{"a":' * 40 + "1" + "}" * 40, True),
        ("[]" * 1000, False),  # many brackets, never deep
    ],
)
def test_the_depth_scan(text: str, deep: bool) -> None:
    assert nested_deeper_than(text, p.MAX_JSON_DEPTH) is deep


@pytest.mark.parametrize(
    "message",
    ["4" + "[" * DEEP + "]" * DEEP, '4{"a":[1]}', "4[1,2]", "4x"],
    ids=["deep-json", "an-object", "an-array", "not-a-packet"],
)
@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_engineio_messages_that_are_no_socketio_packet_are_dropped_quietly(
    harness: Harness,
    run_async: RunAsync,
    caplog: pytest.LogCaptureFixture,
    message: str,
    transport: str,
) -> None:
    """engine.io parses a message's JSON itself: 5,000 levels hit the recursion limit
    there (the websocket was cut, a traceback logged); any JSON body reached the library
    as a "packet" it could not decode, logged as an error with its traceback."""

    async def scenario() -> Any:
        async with aiohttp.ClientSession() as session:
            opener = RawWebSocket if transport == "websocket" else RawPolling
            raw = await opener.connect(session, harness.base_url, harness.server.token)
            await raw.send(message)
            return await raw.call(2, p.CONVERSATION_OPEN, {"conversation_id": None})

    assert run_async(scenario()) == {"ok": True}
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
