"""The engine.io adapter is pinned to the python-engineio/python-socketio it reads, and
finds a connected client's queue there (polling and WebSocket)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

import pytest
import socketio
from aiohttp import web

from streamchat_desktop.companion.engineio_sockets import PINNED, EngineSockets
from tests.support.waiting import wait_until


def test_pinned_to_the_installed_engineio_and_socketio() -> None:
    """Another version may keep its per-socket state elsewhere: check the adapter, then
    move these pins (and pyproject.toml's) together."""
    assert {name: version(name) for name in PINNED} == PINNED


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_a_connected_client_has_a_queue_and_a_goodbye_ends_its_poll(
    transport: str, run_async: Callable[..., Any]
) -> None:
    async def scenario() -> None:
        sio = socketio.AsyncServer(async_mode="aiohttp", logger=False, engineio_logger=False)
        connected: list[str] = []
        sio.on("connect", lambda sid, environ, auth=None: connected.append(sid))
        app = web.Application()
        sio.attach(app)
        runner = web.AppRunner(app)
        await runner.setup()
        listener = socket.create_server(("127.0.0.1", 0))
        await web.SockSite(runner, listener).start()
        client = socketio.AsyncClient(reconnection=False)
        port = listener.getsockname()[1]
        try:
            await client.connect(f"http://127.0.0.1:{port}", transports=[transport])
            await wait_until(lambda: bool(connected))
            engine = EngineSockets(sio)
            (sid,) = connected
            assert isinstance(engine.eio_sid(sid), str)
            assert engine.backlog(sid) == 0
            await sio.emit("x", {"n": 1}, to=sid)  # queued, then written
            await wait_until(lambda: engine.backlog(sid) == 0)
            engine.end_long_poll(sid)  # a no-op on WebSocket, answers a waiting poll
            assert engine.eio_sid("no such sid") is None and engine.backlog("nope") == 0
        finally:
            await client.disconnect()
            await asyncio.sleep(0)
            await runner.cleanup()

    run_async(scenario())
