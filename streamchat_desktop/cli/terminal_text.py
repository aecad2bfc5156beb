"""Model text shown on a terminal cannot drive it.

A model (or whoever controls the server) can put escape sequences in its answer: on a
terminal they would move the cursor, rewrite what was printed, set the window title or
worse. Control characters become visible symbols there (``\\x1b`` → ``␛``), as code
editors show them; newlines and tabs stay. Into a pipe or a file the text goes exactly.
"""

from __future__ import annotations

_KEPT = {ord("\n"), ord("\t")}
_CONTROL_PICTURES = 0x2400  # U+2400…U+241F picture C0 controls; U+2421 is DEL's
_VISIBLE: dict[int, str] = {
    **{code: chr(_CONTROL_PICTURES + code) for code in range(0x20) if code not in _KEPT},
    0x7F: "\u2421",
    **{code: f"\\x{code:02x}" for code in range(0x80, 0xA0)},  # C1: CSI, OSC … have no picture
}


def visible_controls(text: str) -> str:
    """``text`` with every control character but newline and tab shown as a symbol."""
    return text.translate(_VISIBLE)
