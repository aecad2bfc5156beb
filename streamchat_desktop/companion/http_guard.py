"""The HTTP gate in front of the companion endpoint: Host, Origin and size, on every request.

Separate from the server because it is the first thing any request meets and the only
place that sees raw HTTP: it refuses rebound host names (DNS rebinding) and foreign
Origins, cuts polling sessions that post more than a packet may hold, stamps the security
headers, and remembers each open websocket's transport so a stuck view can be cut at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web

from streamchat_desktop.companion import protocol as p
from streamchat_desktop.companion.security import SECURITY_HEADERS, own_hosts, own_origins

WebHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class HttpGuard:
    """An aiohttp middleware (``middleware``) bound to the address the server listens on."""

    def __init__(self, close_session: Callable[[str | None], Awaitable[None]]) -> None:
        self._close_session = close_session
        self.origins: list[str] = []
        self._hosts: set[str] = set()
        self._ws_transports: dict[str, asyncio.Transport] = {}

    def listen_on(self, host: str, port: int) -> None:
        """The names and origins this endpoint answers to, once its port is known."""
        self.origins = own_origins(host, port)
        self._hosts = set(own_hosts(host, port))

    def transport(self, eio_sid: str | None) -> asyncio.Transport | None:
        """The open websocket of an engine.io session, if it has one."""
        return self._ws_transports.get(eio_sid) if eio_sid else None

    def abort_all(self) -> None:
        """Cut every open websocket (the server is stopping)."""
        for transport in list(self._ws_transports.values()):
            transport.abort()

    @web.middleware
    async def middleware(self, request: web.Request, handler: WebHandler) -> web.StreamResponse:
        """Refuse foreign Hosts (DNS rebinding) and Origins before anything else runs."""
        if request.host not in self._hosts:
            return web.Response(status=421, text="unknown host\n", headers=SECURITY_HEADERS)
        origin = request.headers.get("Origin")
        if origin is not None and origin not in self.origins:
            return web.Response(status=403, text="foreign origin\n", headers=SECURITY_HEADERS)
        eio_sid = request.query.get("sid")
        socket_io = request.path.startswith("/socket.io")  # uploads cap their own size
        if (
            socket_io
            and request.method == "POST"
            and (request.content_length or 0) > p.MAX_PACKET_BYTES
        ):
            await self._close_session(eio_sid)
            return web.Response(status=413, text="payload too large\n", headers=SECURITY_HEADERS)
        is_ws = request.query.get("transport") == "websocket"
        if is_ws and eio_sid and request.transport is not None:
            self._ws_transports[eio_sid] = request.transport
        try:
            response = await handler(request)
        finally:
            if is_ws and eio_sid:
                self._ws_transports.pop(eio_sid, None)
        if not response.prepared:
            response.headers.update(SECURITY_HEADERS)
        return response
