"""In-process stream openers for core tests: a provider's events, scripted and paced.

The core is provider-agnostic; these openers yield exactly what a provider would
(``StreamEvent``s, then a ``ChatError`` or the end), so the tests are about the
session and the service, not about HTTP (tests/providers covers that).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from streamchat_desktop.core.chat_service import ChatTarget
from streamchat_desktop.core.errors import ChatError
from streamchat_desktop.core.events import StreamEnd, StreamEvent, TextDelta, UsageReport
from streamchat_desktop.core.models import ChatRequest, Usage
from streamchat_desktop.core.session import StreamOpener


@dataclass
class ScriptedProvider:
    """Yields ``events`` with ``delay`` between them, then raises ``error`` if set.

    With ``hold_after``, it stops after that many events until ``release()``: "still
    streaming" as a fact the test controls. Records every request it was asked for,
    whether its stream was closed, and the task each reply ran in (once that is done,
    nothing more can come of the reply).
    """

    events: Sequence[StreamEvent] = ()
    delay: float = 0.0
    error: ChatError | None = None
    hang: bool = False  # after the events, wait forever (until cancelled)
    hold_after: int | None = None
    released: asyncio.Event = field(default_factory=asyncio.Event)
    requests: list[ChatRequest] = field(default_factory=list)
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    closed: int = 0

    def release(self) -> None:
        """Let held streams (and later ones) go on."""
        self.released.set()

    async def all_done(self, timeout: float = 30.0) -> None:
        """Wait until every reply's task has ended."""
        await asyncio.wait(self.tasks, timeout=timeout)
        assert all(task.done() for task in self.tasks), "a reply is still running"

    def target(self, _conversation: object = None, model: str = "m") -> ChatTarget:
        return ChatTarget(self.stream, model)

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        self.requests.append(request)
        task = asyncio.current_task()
        if task is not None:
            self.tasks.append(task)
        try:
            for index, event in enumerate(self.events):
                if index == self.hold_after:
                    await self.released.wait()
                if self.delay:
                    await asyncio.sleep(self.delay)
                yield event
            if self.hang:
                await asyncio.Event().wait()
            if self.error is not None:
                raise self.error
        finally:
            self.closed += 1

    @property
    def opener(self) -> StreamOpener:
        return self.stream


def answer(
    *deltas: str, finish: str | None = "stop", usage: Usage | None = None
) -> list[StreamEvent]:
    """A provider's events for an answer made of ``deltas``."""
    events: list[StreamEvent] = [TextDelta(d) for d in deltas]
    if usage is not None:
        events.append(UsageReport(usage))
    if finish is not None:
        events.append(StreamEnd(finish))
    return events


class FakeClock:
    """A monotonic clock the test moves by hand (``advance``) or per call (``step``)."""

    def __init__(self, step: float = 0.0) -> None:
        self.now = 100.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
