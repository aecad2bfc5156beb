"""Split inline ``<think>…</think>`` reasoning out of a streamed answer.

Local servers (Ollama, llama.cpp, vLLM without a reasoning parser) send a model's
reasoning inline in ``content``. Tags may arrive split across deltas, so the
splitter holds back only the few characters that could still become a tag.
"""

from __future__ import annotations

from streamchat_desktop.core.events import ReasoningDelta, TextDelta

_OPEN = "<think>"
_CLOSE = "</think>"


def _partial_suffix(text: str, tag: str) -> int:
    """Length of the longest suffix of ``text`` that is a proper prefix of ``tag``."""
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if tag.startswith(text[-size:]):
            return size
    return 0


class ThinkTagSplitter:
    """Turns content deltas into text and reasoning deltas.

    Only a ``<think>`` at the very start of the answer (after whitespace) opens a
    reasoning section, so an answer that merely *mentions* the tag is left intact.
    """

    def __init__(self) -> None:
        self._pending = ""
        self._in_think = False
        self._decided = False  # whether the answer's opening has been seen
        self._closed = False  # reasoning ended: drop the newlines that follow the tag

    def feed(self, text: str) -> list[TextDelta | ReasoningDelta]:
        self._pending += text
        out: list[TextDelta | ReasoningDelta] = []
        while self._pending:
            if not self._decided:
                stripped = self._pending.lstrip()
                if _OPEN.startswith(stripped) and len(stripped) < len(_OPEN):
                    return out  # could still be the opening tag
                self._decided = True
                if stripped.startswith(_OPEN):
                    self._in_think = True
                    self._pending = stripped[len(_OPEN) :]
                continue
            if not self._in_think:
                if self._closed:  # however the newlines after </think> are split
                    self._pending = self._pending.lstrip("\n")
                    if not self._pending:
                        break
                    self._closed = False
                out.append(TextDelta(self._pending))
                self._pending = ""
                break
            end = self._pending.find(_CLOSE)
            if end >= 0:
                if end:
                    out.append(ReasoningDelta(self._pending[:end]))
                self._pending = self._pending[end + len(_CLOSE) :]
                self._in_think = False
                self._closed = True
                continue
            keep = _partial_suffix(self._pending, _CLOSE)
            emit = self._pending[: len(self._pending) - keep]
            if emit:
                out.append(ReasoningDelta(emit))
            self._pending = self._pending[len(emit) :]
            break
        return out

    def flush(self) -> list[TextDelta | ReasoningDelta]:
        """Whatever is held back at the end of the stream."""
        rest, self._pending = self._pending, ""
        if not rest:
            return []
        return [ReasoningDelta(rest) if self._in_think else TextDelta(rest)]
