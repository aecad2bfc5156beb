"""In-process stream openers for core tests: a provider's events, scripted and paced.

The core is provider-agnostic; these openers yield exactly what a provider would
(``StreamEvent``s, then a ``ChatError`` or the end), so the tests are about the
session and the service, not about HTTP (tests/providers covers that).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

from streamchat_desktop.core.errors import ChatError
from streamchat_desktop.core.events import StreamEnd, StreamEvent, TextDelta, UsageReport
from streamchat_desktop.core.models import ChatRequest, Usage
from streamchat_desktop.core.session import StreamOpener


@dataclass
class ScriptedProvider:
    """Yields ``events`` with ``delay`` between them, then raises ``error`` if set.

    Records every request it was asked for, and whether its stream was closed.
    """

    events: Sequence[StreamEvent] = ()
    delay: float = 0.0
    error: ChatError | None = None
    hang: bool = False  # after the events, wait forever (until cancelled)
    requests: list[ChatRequest] = field(default_factory=list)
    closed: int = 0

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        self.requests.append(request)
        try:
            for event in self.events:
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
