"""ChatSession: runs one reply from a provider and ends it exactly once."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable

from streamchat_desktop.core.errors import ChatError, ErrorKind
from streamchat_desktop.core.events import (
    Cancelled,
    Failed,
    Finished,
    ReasoningDelta,
    ReplyEvent,
    ReplyStats,
    StreamEnd,
    StreamEvent,
    TerminalEvent,
    TextDelta,
    UsageReport,
)
from streamchat_desktop.core.models import ChatRequest, Usage
from streamchat_desktop.core.think_tags import ThinkTagSplitter
from streamchat_desktop.core.tool_events import Notice, ToolCallChanged

log = logging.getLogger(__name__)

# Events already buffered (a burst read in one go) come without a pause: after this long
# the session lets the loop run (the window, Stop, SIGTERM) before it goes on.
BREATHE_AFTER_S = 0.005
BURST_GAP_S = 0.001  # a longer gap between two events was a wait for the network

EventSink = Callable[[ReplyEvent], None]
StreamOpener = Callable[[ChatRequest], AsyncIterator[StreamEvent]]


class _Burst:
    """Events handled back to back, without waiting for the network in between: a burst
    read in one go. ``long`` once it has held the loop for ``BREATHE_AFTER_S``."""

    def __init__(self) -> None:
        self._start = self._last = -1.0

    def long(self) -> bool:
        now = time.perf_counter()
        if self._last < 0 or now - self._last > BURST_GAP_S:  # it waited: a new burst
            self._start = now
        return now - self._start > BREATHE_AFTER_S

    def restart(self) -> None:
        self._start = time.perf_counter()

    def handled(self) -> None:
        self._last = time.perf_counter()


class ChatSession:
    """One streamed reply.

    Events: every ``TextDelta``/``ReasoningDelta``/``UsageReport`` as it arrives,
    then exactly one terminal event — ``Finished``, ``Failed`` or ``Cancelled`` —
    whatever ends the stream. The text received so far is kept in ``text`` and
    ``reasoning`` in every case.
    """

    def __init__(
        self,
        open_stream: StreamOpener,
        request: ChatRequest,
        sink: EventSink,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._open_stream = open_stream
        self._request = request
        self._sink = sink
        self._clock = clock
        self._splitter = ThinkTagSplitter()
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self._usage: Usage | None = None
        self._deltas = 0
        self._started: float | None = None
        self._first_token: float | None = None
        self._outcome: TerminalEvent | None = None
        self._stop_requested = False
        self._task: asyncio.Task[TerminalEvent] | None = None

    @property
    def text(self) -> str:
        return "".join(self._text)

    @property
    def reasoning(self) -> str:
        return "".join(self._reasoning)

    @property
    def outcome(self) -> TerminalEvent | None:
        return self._outcome

    @property
    def task(self) -> asyncio.Task[TerminalEvent] | None:
        return self._task

    def start(self) -> asyncio.Task[TerminalEvent]:
        """Run the reply as a task on the running loop (the qasync loop in the app)."""
        self._started = self._clock()
        self._task = asyncio.ensure_future(self.run())
        self._task.add_done_callback(self._on_task_done)
        return self._task

    def _on_task_done(self, task: asyncio.Task[TerminalEvent]) -> None:
        # A task cancelled before its first step never runs ``run()`` at all (Stop
        # pressed right after Send): end the reply here so it still ends exactly once.
        if task.cancelled():
            if self._outcome is None:
                self._end(Cancelled(self._stats()))
            return
        # A bug: nobody awaits this task, and the session and its task form a reference
        # cycle, so "exception never retrieved" would only surface whenever the cyclic
        # GC ran. Hand it to the loop's handler (the app's bug report) now, once.
        exc = task.exception()  # marks it retrieved
        if exc is not None:
            task.get_loop().call_exception_handler(
                {"message": "unexpected error in a reply", "exception": exc, "task": task}
            )

    def stop(self) -> None:
        """Cancel the reply; the provider's stream is closed and ``Cancelled`` is sent."""
        self._stop_requested = True
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def run(self) -> TerminalEvent:
        if self._started is None:
            self._started = self._clock()
        finish_reason: str | None = None
        burst = _Burst()
        try:
            async for event in self._open_stream(self._request):
                if burst.long():
                    await asyncio.sleep(0)  # buffered events for a while: the loop runs too
                    burst.restart()
                if isinstance(event, StreamEnd):
                    finish_reason = event.finish_reason
                elif isinstance(event, UsageReport):
                    self._usage = event.usage
                    self._emit(event)
                elif isinstance(event, TextDelta):
                    for part in self._splitter.feed(event.text):
                        self._accept(part)
                elif isinstance(event, ReasoningDelta):
                    self._accept(event)
                elif isinstance(event, ToolCallChanged | Notice):
                    self._flush_splitter()  # the text before a call is whole
                    self._emit(event)
                # a ToolCallFragment here: no tool loop asked for tools; nothing to run
                burst.handled()
            self._flush_splitter()
            return self._end(Finished(finish_reason, self._stats()))
        except ChatError as error:
            self._flush_splitter()
            return self._end(Failed(error, self._stats()))
        except Exception as exc:
            # A bug, not an environment fault: end the reply (keeping its text) and let
            # the exception reach the loop's handler, which logs it and tells the user.
            self._flush_splitter()
            self._end(Failed(ChatError(ErrorKind.INTERNAL, type(exc).__name__), self._stats()))
            raise
        except asyncio.CancelledError:
            self._flush_splitter()
            outcome = self._end(Cancelled(self._stats()))
            if not self._stop_requested:
                raise  # someone else (shutdown) cancelled us: let it propagate
            return outcome

    def _flush_splitter(self) -> None:
        for part in self._splitter.flush():
            self._accept(part)

    def _accept(self, event: TextDelta | ReasoningDelta) -> None:
        if not event.text:
            return
        if self._first_token is None:
            self._first_token = self._clock()
        self._deltas += 1
        (self._text if isinstance(event, TextDelta) else self._reasoning).append(event.text)
        self._emit(event)

    def _emit(self, event: ReplyEvent) -> None:
        try:
            self._sink(event)
        except Exception:  # a broken view must not end the reply for the others
            log.exception("reply event sink failed on %s", type(event).__name__)

    def _end(self, event: TerminalEvent) -> TerminalEvent:
        if self._outcome is None:
            self._outcome = event
            self._emit(event)
        return self._outcome

    def _stats(self) -> ReplyStats:
        now = self._clock()
        started = now if self._started is None else self._started
        ttft = None if self._first_token is None else self._first_token - started
        tokens = self._usage.completion_tokens if self._usage else None
        counted = tokens if tokens is not None else (self._deltas or None)
        rate = None
        if counted and self._first_token is not None and now > self._first_token:
            rate = counted / (now - self._first_token)
        return ReplyStats(
            time_to_first_token=ttft,
            duration=now - started,
            completion_tokens=tokens,
            tokens_per_second=rate,
            usage=self._usage,
        )
