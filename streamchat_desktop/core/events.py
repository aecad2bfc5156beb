"""The closed set of events a reply produces, from provider to every view.

A provider yields ``StreamEvent``s; the ChatSession adds exactly one terminal
event (``Finished``, ``Failed`` or ``Cancelled``) and hands ``ReplyEvent``s on.
"""

from __future__ import annotations

from dataclasses import dataclass

from streamchat_desktop.core.errors import ChatError
from streamchat_desktop.core.models import Usage
from streamchat_desktop.core.tool_events import Notice, ToolCallChanged, ToolCallFragment


@dataclass(frozen=True, slots=True)
class TextDelta:
    text: str


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    text: str


@dataclass(frozen=True, slots=True)
class UsageReport:
    usage: Usage


@dataclass(frozen=True, slots=True)
class StreamEnd:
    """The provider's own end of stream, with the finish reason the server gave."""

    finish_reason: str | None


# Tool events (core.tool_events): a provider yields fragments and notices; the tool loop
# turns fragments into ToolCallChanged events, which reach every view.
StreamEvent = (
    TextDelta
    | ReasoningDelta
    | UsageReport
    | StreamEnd
    | ToolCallFragment
    | ToolCallChanged
    | Notice
)


@dataclass(frozen=True, slots=True)
class ReplyStats:
    """What the status bar shows after a reply."""

    time_to_first_token: float | None
    duration: float
    completion_tokens: int | None
    tokens_per_second: float | None
    usage: Usage | None


@dataclass(frozen=True, slots=True)
class Finished:
    finish_reason: str | None
    stats: ReplyStats


@dataclass(frozen=True, slots=True)
class Failed:
    error: ChatError
    stats: ReplyStats


@dataclass(frozen=True, slots=True)
class Cancelled:
    stats: ReplyStats


TerminalEvent = Finished | Failed | Cancelled
ReplyEvent = TextDelta | ReasoningDelta | UsageReport | ToolCallChanged | Notice | TerminalEvent
