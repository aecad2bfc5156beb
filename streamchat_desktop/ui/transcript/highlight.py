"""Syntax highlighting of code blocks with pygments, split into lines of (token type, text).

pygments' lexers are imported by the first code block, not with this module (only the tiny
``pygments.token`` is needed up front): the window's first frame shows no code.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, TypeAlias

from pygments.token import Token, _TokenType

if TYPE_CHECKING:
    from pygments.lexer import Lexer

Run: TypeAlias = tuple[_TokenType, str]
Line: TypeAlias = tuple[Run, ...]

_PLAIN = Token.Text


@lru_cache(maxsize=64)
def lexer_for(language: str) -> Lexer:
    """A lexer for a fence's language word; plain text when pygments does not know it."""
    from pygments.lexers import get_lexer_by_name
    from pygments.lexers.special import TextLexer
    from pygments.util import ClassNotFound

    options = {"stripnl": False, "ensurenl": False, "tabsize": 0}
    if language:
        try:
            return get_lexer_by_name(language.lower(), **options)
        except ClassNotFound:
            pass
    return TextLexer(**options)


def split_lines(code: str) -> list[str]:
    """Code lines as markdown-it gives them (a final newline ends a line, it adds none)."""
    if not code:
        return []
    lines = code.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def plain_line(text: str) -> Line:
    return ((_PLAIN, text),) if text else ()


def highlight_lines(code: str, language: str) -> list[Line]:
    """Highlight ``code`` in one pass and cut the runs at line ends."""
    if not code:
        return []
    from pygments.lexers.special import TextLexer

    lexer = lexer_for(language)
    if isinstance(lexer, TextLexer):
        return [plain_line(line) for line in split_lines(code)]
    lines: list[Line] = []
    current: list[Run] = []
    for ttype, value in lexer.get_tokens(code):
        parts = value.split("\n")
        for index, part in enumerate(parts):
            if index:
                lines.append(_merge(current))
                current = []
            if part:
                current.append((ttype, part))
    if current:
        lines.append(_merge(current))
    wanted = len(split_lines(code))
    # pygments may add a trailing newline of its own; keep markdown-it's line count.
    del lines[wanted:]
    while len(lines) < wanted:
        lines.append(())
    return lines


def _merge(runs: list[Run]) -> Line:
    """Join neighbouring runs of the same token type (fewer Qt insertions)."""
    merged: list[Run] = []
    for ttype, text in runs:
        if merged and merged[-1][0] is ttype:
            merged[-1] = (ttype, merged[-1][1] + text)
        else:
            merged.append((ttype, text))
    return tuple(merged)
