"""The closed set of events a reply produces, from provider to every view.

A provider yields ``StreamEvent``s; the ChatSession adds exactly one terminal
event (``Finished``, ``Failed`` or ``Cancelled``) and hands ``ReplyEvent``s on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from streamchat_desktop.core.errors import ChatError
from streamchat_desktop.core.models import Usage


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
class KeyEchoed:
    """The server sent the request's own API key back inside the answer. The provider
    replaced it with ``***`` before anyone saw it and says so once, so the user can be
    told (the reply's ``ReplyStats.key_echoed``)."""

    NOTICE: ClassVar[str] = (
        "The server sent your API key back inside its answer. It is shown as *** and was "
        "not saved; consider replacing the key."
    )


@dataclass(frozen=True, slots=True)
class StreamEnd:
    """The provider's own end of stream, with the finish reason the server gave."""

    finish_reason: str | None


StreamEvent = TextDelta | ReasoningDelta | UsageReport | KeyEchoed | StreamEnd


@dataclass(frozen=True, slots=True)
class ReplyStats:
    """What the status bar shows after a reply."""

    time_to_first_token: float | None
    duration: float
    completion_tokens: int | None
    tokens_per_second: float | None
    usage: Usage | None
    key_echoed: bool = False  # the answer held the API key, masked as ``***``


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
ReplyEvent = TextDelta | ReasoningDelta | UsageReport | TerminalEvent
