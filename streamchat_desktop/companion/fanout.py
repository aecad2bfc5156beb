"""Fan a reply's deltas out to many views: coalesced per frame, in order, never unbounded.

Each streaming reply keeps one list of its deltas (``ReplyMirror``); each view keeps only a
cursor per reply, the last ``seq`` it was sent. Once per frame the pump sends every view
the deltas past its cursor as ONE ``message:delta``; views at the same cursor share one
encoded packet. A view whose socket is backed up is skipped (its cursor stays, so it later
gets one larger delta) and, if it stays backed up, dropped; it resyncs from a snapshot
when it reconnects. So a slow view costs no memory beyond the reply itself and never
delays the desktop loop or the other views.

Everything a view is sent goes through one outbox, in the order it was decided, so a
snapshot, the deltas after it and the reply's end always arrive in that order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from streamchat_desktop.companion.protocol import MESSAGE_DELTA, MessageDeltaPayload

log = logging.getLogger(__name__)

FRAME_INTERVAL = 1 / 30  # at most one message:delta per view per frame
MAX_BACKLOG = 40  # packets queued for a view before it is skipped (≈ 1.3 s of frames)
STALL_LIMIT = 5.0  # seconds a view may stay backed up before it is dropped

Send = Callable[[str, object, list[str]], Awaitable[None]]
Backlog = Callable[[str], int]


@dataclass(slots=True)
class ReplyMirror:
    """The deltas of one streaming reply, ``parts[i]`` being delta ``seq = i + 1``."""

    conversation_id: str
    message_id: str
    base: tuple[str, str] = ("", "")  # (answer, reasoning) before delta 1: a continued reply
    parts: list[tuple[bool, str]] = field(default_factory=list)  # (is_reasoning, text)

    @property
    def seq(self) -> int:
        return len(self.parts)

    def deltas(self, start: int) -> tuple[str, str]:
        """(answer, reasoning) of the deltas after ``start``, concatenated."""
        chunk = self.parts[start:]
        answer = "".join(text for reasoning, text in chunk if not reasoning)
        thinking = "".join(text for reasoning, text in chunk if reasoning)
        return answer, thinking

    def text(self) -> tuple[str, str]:
        """(answer, reasoning) of the whole reply so far."""
        answer, thinking = self.deltas(0)
        return self.base[0] + answer, self.base[1] + thinking


@dataclass(slots=True)
class View:
    """One connected viewer: what it shows and how far each reply got to it."""

    sid: str
    conversation_id: str | None = None
    following: bool = True
    cursors: dict[str, int] = field(default_factory=dict)
    backed_up_since: float | None = None


class Fanout:
    """Views, streaming replies and the pump that sends coalesced deltas."""

    def __init__(
        self,
        send: Send,
        backlog: Backlog,
        on_stuck: Callable[[str], None],
        *,
        frame: float | None = None,
        max_backlog: int | None = None,
        stall_limit: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._send = send
        self._backlog = backlog
        self._on_stuck = on_stuck
        self._frame = FRAME_INTERVAL if frame is None else frame
        self._max_backlog = MAX_BACKLOG if max_backlog is None else max_backlog
        self._stall_limit = STALL_LIMIT if stall_limit is None else stall_limit
        self._clock = clock
        self.views: dict[str, View] = {}
        self.mirrors: dict[str, ReplyMirror] = {}
        self._outbox: deque[tuple[str, object, list[str]]] = deque()
        self._wake = asyncio.Event()
        self._dirty = False
        self._last_flush = float("-inf")
        self._task: asyncio.Task[None] | None = None

    # --- lifecycle ------------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._pump())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    # --- views ------------------------------------------------------------------------

    def add_view(self, sid: str) -> View:
        view = self.views[sid] = View(sid)
        return view

    def remove_view(self, sid: str) -> None:
        self.views.pop(sid, None)

    def watchers(self, conversation_id: str) -> list[View]:
        return [v for v in self.views.values() if v.conversation_id == conversation_id]

    def show(self, view: View, conversation_id: str | None, *, following: bool) -> None:
        """Point a view at a conversation, its cursors at the replies streaming there.

        Call this while building the view's snapshot and post the snapshot right after,
        with no ``await`` in between: the snapshot holds every delta up to the cursors.
        """
        view.conversation_id = conversation_id
        view.following = following
        view.backed_up_since = None
        view.cursors = {
            mirror.message_id: mirror.seq
            for mirror in self.mirrors.values()
            if mirror.conversation_id == conversation_id
        }

    # --- replies ----------------------------------------------------------------------

    def reply_started(
        self, conversation_id: str, message_id: str, base: tuple[str, str] = ("", "")
    ) -> list[str]:
        """Track a new reply; returns the sids of the views that show its conversation."""
        self.mirrors[message_id] = ReplyMirror(conversation_id, message_id, base)
        sids = []
        for view in self.watchers(conversation_id):
            view.cursors[message_id] = 0
            sids.append(view.sid)
        return sids

    def add_delta(self, message_id: str, text: str, *, reasoning: bool = False) -> None:
        mirror = self.mirrors.get(message_id)
        if mirror is None or not text:
            return
        mirror.parts.append((reasoning, text))
        self._dirty = True
        self._wake.set()

    def reply_ended(self, message_id: str) -> tuple[ReplyMirror, list[str]] | None:
        """Post the last deltas to every view of the reply, backed up or not; forget it.

        Returns the mirror and the sids to post the reply's end to (after this call).
        """
        mirror = self.mirrors.pop(message_id, None)
        if mirror is None:
            return None
        sids = []
        for view in self.watchers(mirror.conversation_id):
            cursor = view.cursors.pop(message_id, None)
            if cursor is None:
                continue
            sids.append(view.sid)
            if cursor < mirror.seq:
                self.post(MESSAGE_DELTA, _delta(mirror, cursor), [view.sid])
        return mirror, sids

    # --- output -----------------------------------------------------------------------

    def post(self, event: str, payload: object, sids: list[str]) -> None:
        """Queue an event for some views; sent in posting order by the pump."""
        if sids:
            self._outbox.append((event, payload, sids))
            self._wake.set()

    async def _pump(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            if self._dirty:
                wait = self._last_flush + self._frame - self._clock()
                if wait > 0 and self._outbox:
                    self._wake.set()  # send what is queued now, come back for the deltas
                else:
                    if wait > 0:
                        await asyncio.sleep(wait)
                    self._last_flush = self._clock()
                    self._dirty = False
                    self._collect_deltas()
            while self._outbox:
                event, payload, sids = self._outbox.popleft()
                try:
                    await self._send(event, payload, sids)
                except Exception:  # a failing view must not stop the others' stream
                    log.exception("could not send %s to %d view(s)", event, len(sids))

    def _collect_deltas(self) -> None:
        now = self._clock()
        for mirror in self.mirrors.values():
            groups: dict[int, list[str]] = {}
            for view in self.watchers(mirror.conversation_id):
                cursor = view.cursors.get(mirror.message_id)
                if cursor is None or cursor >= mirror.seq:
                    continue
                if self._backlog(view.sid) > self._max_backlog:
                    self._behind(view, now)
                    continue
                view.backed_up_since = None
                groups.setdefault(cursor, []).append(view.sid)
            for cursor, sids in groups.items():
                self.post(MESSAGE_DELTA, _delta(mirror, cursor), sids)
                for sid in sids:
                    self.views[sid].cursors[mirror.message_id] = mirror.seq

    def _behind(self, view: View, now: float) -> None:
        self._dirty = True  # come back next frame: it still has deltas to get
        self._wake.set()
        if view.backed_up_since is None:
            view.backed_up_since = now
        elif now - view.backed_up_since > self._stall_limit:
            log.warning("companion view %s stayed backed up; dropping it", view.sid)
            self.remove_view(view.sid)
            self._on_stuck(view.sid)


def _delta(mirror: ReplyMirror, cursor: int) -> MessageDeltaPayload:
    text, reasoning = mirror.deltas(cursor)
    return {
        "conversation_id": mirror.conversation_id,
        "message_id": mirror.message_id,
        "first_seq": cursor + 1,
        "seq": mirror.seq,
        "text": text,
        "reasoning": reasoning,
    }
