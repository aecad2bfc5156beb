"""The code a "Copy" link stands for, found without parsing a huge answer whole."""

from __future__ import annotations

from streamchat_desktop.ui.transcript.markdown import (
    FenceOpening,
    closes_fence,
    fence_opening,
    line_offsets,
    parser,
)


def code_at_line(text: str, line: int) -> str | None:
    """The content of the code block whose first line is ``line`` in ``text``.

    A fence at the start of a line parses the same on its own: only its lines are parsed
    (a "Copy" under a 10 MB answer stays instant). Anything else (a fence inside a list or
    a quote, an indented block) takes a parse of the whole answer.
    """
    start = line_offsets(text, line)
    newline = text.find("\n", start)
    opening = fence_opening(text[start : newline if newline >= 0 else len(text)])
    if opening is not None and newline >= 0:
        code = _code_in(text[start : _fence_end(text, newline + 1, opening)], 0)
        if code is not None:
            return code
    return _code_in(text, line)


def _fence_end(text: str, position: int, opening: FenceOpening) -> int:
    """The offset after the line that closes the fence (or the end of the text)."""
    while position < len(text):
        found = text.find("\n", position)
        line_end = len(text) if found < 0 else found
        if closes_fence(text[position:line_end], opening):
            return min(len(text), line_end + 1)
        position = line_end + 1
    return len(text)


def _code_in(text: str, line: int) -> str | None:
    for token in parser().parse(text):
        if token.type in ("fence", "code_block") and token.map and token.map[0] == line:
            return token.content
    return None
