"""The one Provider protocol every model backend implements."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from streamchat_desktop.core.events import StreamEvent
from streamchat_desktop.core.models import ChatRequest


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where a provider sends requests, and with what key (``None``: send no key)."""

    base_url: str
    api_key: str | None = None
    timeout: float = 60.0
    connect_timeout: float = 10.0

    def __repr__(self) -> str:  # never show the key, even in a traceback
        return f"Endpoint(base_url={self.base_url!r}, api_key={'***' if self.api_key else None})"


class Provider(Protocol):
    """A chat backend.

    ``stream`` yields ``TextDelta``/``ReasoningDelta``/``UsageReport`` events and one
    ``StreamEnd`` with the finish reason; it raises ``ChatError`` for every known
    fault and closes its HTTP response however the iteration ends (cancellation too).
    """

    @property
    def base_url(self) -> str: ...

    def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]: ...

    async def list_models(self) -> list[str]: ...

    async def aclose(self) -> None: ...
