"""Text that cannot be encoded as UTF-8 is repaired once, where it enters the app.

JSON may carry lone surrogates (``"\\ud800"``): they decode into a Python ``str`` but
cannot be encoded, so SQLite, ``sys.stdout`` and Socket.IO would each fail on them later
(measured). Every entry point (model output, prompts from the composer, the command line or
the companion, imported files) passes its text through here; past it, every layer sees the
same, encodable text. A lone surrogate becomes U+FFFD; a high and low surrogate that arrive
as two code points are joined into the one character they encode.
"""

from __future__ import annotations

REPLACEMENT = "\ufffd"
_HIGH = range(0xD800, 0xDC00)


def is_encodable(text: str) -> bool:
    """Whether ``text`` encodes as UTF-8 as it is (the fast path: no copy)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def repair_text(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD, pairs joined."""
    if is_encodable(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


class StreamRepair:
    """``repair_text`` for a text that arrives in pieces.

    A surrogate pair may be split across two deltas (its high half ends one, its low half
    starts the next): a trailing high surrogate is held back until the next piece says
    whether it completes a pair. ``flush`` gives back what is held at the end.
    """

    def __init__(self) -> None:
        self._held = ""

    def feed(self, piece: str) -> str:
        text = self._held + piece
        self._held = ""
        if text and ord(text[-1]) in _HIGH:
            text, self._held = text[:-1], text[-1]
        return repair_text(text)

    def flush(self) -> str:
        held, self._held = self._held, ""
        return repair_text(held)
