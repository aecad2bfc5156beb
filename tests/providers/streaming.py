"""Helpers to drive a provider or a ChatSession and keep everything they produced."""

from __future__ import annotations

from dataclasses import dataclass, field

from streamchat_desktop.core.errors import ChatError
from streamchat_desktop.core.events import ReplyEvent, StreamEvent, TextDelta
from streamchat_desktop.core.models import ChatRequest
from streamchat_desktop.core.session import ChatSession, StreamOpener
from streamchat_desktop.providers.base import Provider


@dataclass
class Collected:
    events: list[StreamEvent] = field(default_factory=list)
    error: ChatError | None = None

    @property
    def text(self) -> str:
        return "".join(e.text for e in self.events if isinstance(e, TextDelta))


async def collect(provider: Provider, request: ChatRequest) -> Collected:
    """Every event of one stream, and the ChatError that ended it, if any."""
    out = Collected()
    try:
        async for event in provider.stream(request):
            out.events.append(event)
    except ChatError as error:
        out.error = error
    return out


@dataclass
class SessionRun:
    session: ChatSession
    events: list[ReplyEvent] = field(default_factory=list)


def new_session(opener: StreamOpener, request: ChatRequest) -> SessionRun:
    """A ChatSession whose events are recorded (not started yet)."""
    events: list[ReplyEvent] = []
    run = SessionRun(ChatSession(opener, request, events.append), events)
    return run
