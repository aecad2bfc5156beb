"""Syntax highlighting of code blocks with pygments, split into lines of (token type, text)."""

from __future__ import annotations

from functools import lru_cache

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.lexers.special import TextLexer
from pygments.token import Token, _TokenType
from pygments.util import ClassNotFound

Run = tuple[_TokenType, str]
Line = tuple[Run, ...]

_PLAIN = Token.Text


@lru_cache(maxsize=64)
def lexer_for(language: str) -> Lexer:
    """A lexer for a fence's language word; plain text when pygments does not know it."""
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
