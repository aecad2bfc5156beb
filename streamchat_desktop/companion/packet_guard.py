"""Two checks python-socketio leaves to the app, made where packets enter it.

- **Only the documented events reach a handler.** The library dispatches a client event
  named ``connect`` or ``disconnect`` to the server's own connection handlers (FACTS.md):
  ``42["disconnect",{}]`` would drop a view from the server's list while its socket stays
  open. Here every event whose name is not a documented request is handed to one
  ``REFUSED`` handler instead, with a reason, so it is answered and counted like any
  other bad request.
- **Deep nesting is refused before it is parsed.** ``json.loads`` of a 5,000-deep array
  hits Python's recursion limit inside the library, and the view never gets an ack. A
  cheap scan of the packet text (brackets outside strings) catches it first: a Socket.IO
  event gets an ack, and the JSON codec both libraries use (their ``json`` option)
  refuses it too, for an Engine.IO message that is not a Socket.IO packet at all.
- **Garbage is dropped, not logged as a crash.** A message the library cannot decode
  raised ``ValueError`` into engine.io, which logs a traceback: here it is one line.
"""

from __future__ import annotations

import json
import logging
import re
from itertools import accumulate
from typing import Any

import socketio
from socketio import packet as sio_packet

log = logging.getLogger(__name__)

# The internal event every refused request is handed to: ``handler(sid, reason)``.
# Clients may send this name too; it is not documented, so it is refused like the rest.
REFUSED = "\x00refused"

_ESCAPE = re.compile(r"\\.", re.DOTALL)
_STRING = re.compile(r'"[^"]*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def nested_deeper_than(text: str, limit: int) -> bool:
    """Whether the JSON in ``text`` opens more than ``limit`` brackets at once.

    Linear and regex-driven (no backtracking, no recursion): escapes go first, then
    strings, then everything but brackets; the deepest point is the largest running sum.
    Unbalanced or invalid text is fine: the parser refuses it later anyway.
    """
    if text.count("[") + text.count("{") <= limit:
        return False  # the usual packet: too few brackets to be deep
    outside_strings = _STRING.sub("", _ESCAPE.sub("", text))
    brackets = _NOT_BRACKET.sub("", outside_strings)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0) > limit


class DepthLimitedJson:
    """The JSON codec for python-socketio and engine.io (their ``json`` option): the
    standard one, refusing text nested deeper than ``max_depth`` with ``ValueError``
    (which both libraries treat as "not JSON") instead of recursing into it."""

    def __init__(self, max_depth: int) -> None:
        self._max_depth = max_depth

    def loads(self, text: str | bytes, *args: Any, **kwargs: Any) -> Any:
        if isinstance(text, str) and nested_deeper_than(text, self._max_depth):
            raise ValueError(f"JSON nested deeper than {self._max_depth} levels")
        return json.loads(text, *args, **kwargs)

    @staticmethod
    def dumps(value: Any, *args: Any, **kwargs: Any) -> str:
        return json.dumps(value, *args, **kwargs)


class _SkipBody:
    """A JSON codec that reads no body: the library's own header parsing, nothing more."""

    @staticmethod
    def loads(_text: str, *_args: Any, **_kwargs: Any) -> None:
        return None

    dumps = staticmethod(json.dumps)


class _PacketHeader(sio_packet.Packet):  # type: ignore[misc]
    json = _SkipBody


class GuardedServer(socketio.AsyncServer):  # type: ignore[misc]
    """``socketio.AsyncServer`` that dispatches only ``client_events`` and refuses
    packets nested deeper than ``max_depth`` before parsing them."""

    def __init__(self, *, client_events: frozenset[str], max_depth: int, **kwargs: Any) -> None:
        super().__init__(json=DepthLimitedJson(max_depth), **kwargs)
        self._client_events = client_events
        self._max_depth = max_depth

    async def _handle_event(
        self, eio_sid: str, namespace: str | None, id: int | None, data: Any
    ) -> None:
        name = data[0] if isinstance(data, list) and data else None
        if isinstance(name, str) and name in self._client_events:
            await super()._handle_event(eio_sid, namespace, id, data)
            return
        reason = f"unknown event {str(name)[:40]!r}"
        await super()._handle_event(eio_sid, namespace, id, [REFUSED, reason])

    async def _handle_eio_message(self, eio_sid: str, data: object) -> None:
        if not isinstance(data, str | bytes):  # engine.io found JSON: no Socket.IO packet
            log.info("companion view sent an engine.io message that is no packet; dropped")
            return
        deep = (
            isinstance(data, str)
            and eio_sid not in self._binary_packet
            and nested_deeper_than(data, self._max_depth)
        )
        if not deep:
            try:
                await super()._handle_eio_message(eio_sid, data)
            except ValueError as error:  # the library's word for a malformed packet
                log.info("companion view sent a malformed packet (%s); dropped", error)
            return
        try:
            header = _PacketHeader(encoded_packet=data)
        except ValueError:
            return  # not even a packet header: the library would refuse it too
        if header.packet_type in (sio_packet.EVENT, sio_packet.BINARY_EVENT):
            reason = f"the payload is nested deeper than {self._max_depth} levels"
            await super()._handle_event(eio_sid, header.namespace, header.id, [REFUSED, reason])
