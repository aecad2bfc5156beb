"""Markdown parsing for the transcript: markdown-it-py, raw HTML off, split into top-level blocks.

The incremental renderer works on *top-level blocks*: a parse is cut into groups of tokens,
one group per block at nesting level 0 (a paragraph, a whole list, a table, a fence...).
markdown-it is imported by the first parse, not with this module: the window's first frame
(an empty or plain transcript) needs none of it, and it costs ≈ 20 ms to import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

ALLOWED_LINK_SCHEMES = frozenset({"http", "https", "mailto"})

# Characters Qt's QTextDocument treats as structure (block/frame separators, object
# placeholders): model text must never smuggle them in.
_STRUCTURE_CHARS = str.maketrans(
    {
        "\u2029": "\u2028",  # paragraph separator would split a block: keep a line break
        "\ufdd0": "\ufffd",  # QTextBeginningOfFrame
        "\ufdd1": "\ufffd",  # QTextEndOfFrame
        "\ufffc": "\ufffd",  # object replacement (images)
        "\x00": "\ufffd",
    }
)
_STRUCTURE_UTF8 = tuple(char.encode("utf-8") for char in "\u2029\ufdd0\ufdd1\ufffc\x00")
# Lone surrogates cannot be encoded; private-use planes 15-16 are the transcript's fold marks.
_UNSAFE = re.compile("[\ud800-\udfff\U000f0000-\U0010ffff]")


@cache
def parser() -> MarkdownIt:
    """CommonMark plus GFM tables, strikethrough and math; raw HTML is text, never markup."""
    from markdown_it import MarkdownIt

    from streamchat_desktop.ui.transcript.math_syntax import math_plugin

    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    return md.use(math_plugin)


def sanitize(text: str) -> str:
    """Replace lone surrogates, fold marks and Qt structure characters with U+FFFD (or a
    line break).

    A 10 MB answer must not stall the window: ASCII text (``isascii`` is free) can only
    hold NUL; other text is checked in its UTF-8 form (``bytes.find`` runs at memory
    speed, a regex character class at about 20 ns a character), and the regexes run
    only where something was found.
    """
    if text.isascii():
        return text.replace("\x00", "\ufffd") if "\x00" in text else text
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        data = b""
    if not data or b"\xf3" in data or b"\xf4" in data:  # planes 12-16 start so
        text = _UNSAFE.sub("\ufffd", text)
    if not data or any(part in data for part in _STRUCTURE_UTF8):
        text = text.translate(_STRUCTURE_CHARS)
    return text


def normalize_newlines(text: str) -> str:
    """What markdown-it does to line ends, done once so line numbers match offsets."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def inline_text(text: str) -> str:
    """Text safe for ``QTextCursor.insertText`` inside one block (no block breaks)."""
    return text.replace("\n", " ").replace("\r", " ")


def is_allowed_link(href: str) -> bool:
    """Only http, https and mailto links become clickable."""
    try:
        scheme = urlsplit(href.strip()).scheme.lower()
    except ValueError:
        return False
    return scheme in ALLOWED_LINK_SCHEMES


@dataclass(frozen=True, slots=True)
class Block:
    """One top-level block: its tokens and its line range ``[start, end)`` in the parsed text."""

    tokens: list[Token]
    start: int
    end: int

    @property
    def kind(self) -> str:
        return self.tokens[0].type


@dataclass(slots=True)
class Parsed:
    blocks: list[Block]
    has_references: bool


def parse_blocks(text: str) -> Parsed:
    """Parse ``text`` and cut the token stream into top-level blocks."""
    env: dict[str, object] = {}
    tokens = parser().parse(text, env)
    blocks: list[Block] = []
    current: list[Token] = []
    for token in tokens:
        current.append(token)
        if token.level == 0 and token.nesting <= 0:
            first = current[0].map or [0, 0]
            last = token.map or current[0].map or first
            blocks.append(Block(current, first[0], max(first[1], last[1])))
            current = []
    return Parsed(blocks, bool(env.get("references")))


def line_offsets(text: str, upto_line: int, offset: int = 0) -> int:
    """Character offset of the start of line ``upto_line`` (0-based) in ``text``, counted
    from ``offset`` (a line start; the text is not copied)."""
    for _ in range(upto_line):
        found = text.find("\n", offset)
        if found < 0:
            return len(text)
        offset = found + 1
    return offset


_FENCE_OPEN = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")


@dataclass(frozen=True, slots=True)
class FenceOpening:
    indent: int
    marker: str
    info: str


def fence_opening(line: str) -> FenceOpening | None:
    """The opening line of a fenced code block, as CommonMark reads it."""
    match = _FENCE_OPEN.match(line)
    if match is None:
        return None
    marker, info = match.group(2), match.group(3)
    if marker[0] == "`" and "`" in info:
        return None
    return FenceOpening(len(match.group(1)), marker, info.strip())


def closes_fence(line: str, opening: FenceOpening) -> bool:
    """Whether ``line`` closes the fence opened by ``opening``."""
    stripped = line.lstrip(" ")
    if len(line) - len(stripped) > 3:
        return False
    run = len(stripped) - len(stripped.lstrip(opening.marker[0]))
    return run >= len(opening.marker) and not stripped[run:].strip(" \t")


def fence_language(info: str) -> str:
    """The language word of a fence's info string (``python`` in ``python title=x``)."""
    return info.split(maxsplit=1)[0] if info.strip() else ""
