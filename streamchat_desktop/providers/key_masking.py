"""A server that echoes the request's key inside its answer never gets it any further.

The answer text goes on screen, into SQLite, both exports, stdout and the companion
view; the provider is the one place that knows the key, so it masks it here, where the
text enters. The text arrives in pieces and a key may be split across them: only the end
of a piece that could be the start of the key is held back (at most ``len(key) - 1``
characters), and given back at the end of the stream.
"""

from __future__ import annotations

from streamchat_desktop.core.events import ReasoningDelta, StreamEvent, TextDelta
from streamchat_desktop.core.tool_events import Notice

MASK = "***"
KEY_ECHO_NOTICE = (
    "The server sent your API key back inside its answer. It is shown as *** and was not "
    "saved; consider replacing the key."
)
# Shorter "keys" are placeholders local servers accept ("ollama", "lm-studio"): masking
# them would blank ordinary words out of answers, and they guard nothing.
MIN_MASKED_KEY_CHARS = 16


class KeyMasker:
    """Replaces ``key`` with ``***`` in a text fed piece by piece."""

    def __init__(self, key: str | None) -> None:
        self._key = key if key and len(key) >= MIN_MASKED_KEY_CHARS else None
        self._held = ""
        self.masked = False

    def feed(self, piece: str) -> str:
        """The text that is certainly not part of the key, masked."""
        if self._key is None:
            return piece
        text = self._held + piece
        if self._key in text:
            text = text.replace(self._key, MASK)
            self.masked = True
        cut = len(text) - _key_start_at_end(text, self._key)
        self._held = text[cut:]
        return text[:cut]

    def flush(self) -> str:
        """What was held back: the stream ended without completing the key."""
        held, self._held = self._held, ""
        return held


def _key_start_at_end(text: str, key: str) -> int:
    """The length of the longest end of ``text`` that the key starts with (< len(key))."""
    index = text.find(key[0], max(0, len(text) - len(key) + 1))
    while index != -1:
        if key.startswith(text[index:]):
            return len(text) - index
        index = text.find(key[0], index + 1)
    return 0


class AnswerMasker:
    """Masks the key in a stream's answer and reasoning; one ``Notice`` when it is found
    (a script gets it on stderr, the window in its status bar)."""

    def __init__(self, key: str | None) -> None:
        self._text = KeyMasker(key)
        self._reasoning = KeyMasker(key)
        self._told = False

    def mask(self, event: StreamEvent) -> list[StreamEvent]:
        if isinstance(event, TextDelta):
            return self._events(self._text.feed(event.text), "")
        if isinstance(event, ReasoningDelta):
            return self._events("", self._reasoning.feed(event.text))
        return [event]

    def flush(self) -> list[StreamEvent]:
        return self._events(self._text.flush(), self._reasoning.flush())

    def _events(self, text: str, reasoning: str) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        if (self._text.masked or self._reasoning.masked) and not self._told:
            self._told = True
            events.append(Notice(KEY_ECHO_NOTICE))
        if reasoning:
            events.append(ReasoningDelta(reasoning))
        if text:
            events.append(TextDelta(text))
        return events
