"""The one place that reads python-engineio's internals (pinned: python-engineio 4.15.1,
python-socketio 5.18.1; ``tests/companion/test_engineio_sockets.py`` fails on another).

Neither library exposes how many packets wait for a client, nor a way to end a
long-poll GET of a client that said goodbye. Both live in engine.io's per-socket
state: ``AsyncServer.eio.sockets[eio_sid]`` is an ``AsyncSocket`` whose ``queue`` (an
``asyncio.Queue``) holds the packets not yet written, and whose ``upgraded`` says the
client moved to WebSocket. ``AsyncManager.eio_sid_from_sid`` maps a Socket.IO sid to its
engine.io sid.
"""

from __future__ import annotations

from typing import Any

PINNED = {"python-engineio": "4.15.1", "python-socketio": "5.18.1"}


class EngineSockets:
    """The engine.io side of a python-socketio ``AsyncServer``'s clients."""

    def __init__(self, sio: Any) -> None:
        self._sio = sio

    def eio_sid(self, sid: str) -> str | None:
        """The engine.io session of a Socket.IO client, if it is still connected."""
        try:
            eio_sid = self._sio.manager.eio_sid_from_sid(sid, "/")
        except (KeyError, AttributeError):
            return None
        return eio_sid if isinstance(eio_sid, str) else None

    def backlog(self, sid: str) -> int:
        """Packets queued for the client and not yet written to its transport."""
        sock = self._socket(sid)
        return int(sock.queue.qsize()) if sock is not None else 0

    def end_long_poll(self, sid: str) -> None:
        """Answer a polling client's waiting GET now (engine.io does the same to unlock a
        WebSocket writer), instead of after the ping interval and timeout."""
        sock = self._socket(sid)
        if sock is not None and not sock.upgraded:
            sock.queue.put_nowait(None)

    def _socket(self, sid: str) -> Any:
        eio_sid = self.eio_sid(sid)
        return self._sio.eio.sockets.get(eio_sid) if eio_sid else None
