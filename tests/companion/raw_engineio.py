"""A view written by hand: raw Engine.IO v4 packets over aiohttp, websocket or polling.

A real Socket.IO client never sends ``42["disconnect"]`` or a 5,000-deep array; an
attacker does. These speak the wire format directly (``0`` open, ``2``/``3`` ping/pong,
``4`` message; Socket.IO's ``40`` connect, ``42<id>[…]`` event, ``43<id>[…]`` ack) so the
tests can send exactly the bytes they mean.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp

PATH = "/socket.io/?EIO=4&transport="
SEPARATOR = "\x1e"  # between packets of one polling payload


class _RawSession:
    """Requests and acks, the same over either transport."""

    async def send(self, packet: str) -> None:
        raise NotImplementedError

    async def next(self, wanted: Any, timeout: float = 10.0) -> str:
        raise NotImplementedError

    async def ack(self, ack_id: int, timeout: float = 10.0) -> Any:
        """The first argument of the ack numbered ``ack_id``."""
        prefix = f"43{ack_id}["
        text = await self.next(lambda t: t.startswith(prefix), timeout)
        args = json.loads(text[len(prefix) - 1 :])
        return args[0] if args else None

    async def call(self, ack_id: int, event: str, payload: Any) -> Any:
        await self.send(f"42{ack_id}" + json.dumps([event, payload]))
        return await self.ack(ack_id)


class RawWebSocket(_RawSession):
    """One Engine.IO session over a websocket, connected to the Socket.IO namespace."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self._ws = ws
        self.received: list[str] = []

    @classmethod
    async def connect(cls, session: aiohttp.ClientSession, base: str, token: str) -> RawWebSocket:
        ws = await session.ws_connect(base + PATH + "websocket")
        raw = cls(ws)
        opened = await raw.next(lambda text: text.startswith("0"))
        assert json.loads(opened[1:])["sid"]
        await raw.send("40" + json.dumps({"token": token}))
        await raw.next(lambda text: text.startswith("40"))
        return raw

    async def send(self, packet: str) -> None:
        await self._ws.send_str(packet)

    async def next(self, wanted: Any, timeout: float = 10.0) -> str:
        """The next packet ``wanted(text)`` accepts, answering pings on the way."""
        async with asyncio.timeout(timeout):
            while True:
                message = await self._ws.receive()
                if message.type is not aiohttp.WSMsgType.TEXT:
                    raise AssertionError(f"the server ended the websocket: {message!r}")
                text = str(message.data)
                self.received.append(text)
                if text == "2":
                    await self._ws.send_str("3")
                elif wanted(text):
                    return text

    async def close(self) -> None:
        await self._ws.close()


class RawPolling(_RawSession):
    """One Engine.IO session over HTTP long-polling, connected to the namespace."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self._session = session
        self.url = url
        self.received: list[str] = []

    @classmethod
    async def connect(cls, session: aiohttp.ClientSession, base: str, token: str) -> RawPolling:
        async with session.get(base + PATH + "polling") as response:
            opened = await response.text()
        sid = json.loads(opened[1:])["sid"]
        raw = cls(session, f"{base}{PATH}polling&sid={sid}")
        assert await raw.post("40" + json.dumps({"token": token})) == 200
        await raw.next(lambda text: text.startswith("40"))
        return raw

    async def post(self, body: str | bytes) -> int:
        async with self._session.post(self.url, data=body) as response:
            await response.read()
            return response.status

    async def next(self, wanted: Any, timeout: float = 10.0) -> str:
        """Long-poll until a packet ``wanted(text)`` accepts arrives (pings answered)."""
        async with asyncio.timeout(timeout):
            while True:
                for text in await self.get():
                    if text == "2":
                        await self.post("3")
                    elif wanted(text):
                        return text

    async def get(self) -> list[str]:
        async with self._session.get(self.url) as response:
            body = await response.text()
            if response.status != 200:
                raise AssertionError(f"GET answered {response.status}: {body!r}")
        packets = body.split(SEPARATOR)
        self.received.extend(packets)
        return packets

    async def send(self, packet: str) -> None:
        status = await self.post(packet)
        assert status == 200, f"POST answered {status}"
