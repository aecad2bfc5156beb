"""Math in Markdown: ``$…$``, ``\\(…\\)``, ``$$…$$`` inline; ``$$`` and ``\\[`` display blocks.

Inline ``$…$`` follows mdit-py-plugins' dollarmath rules with its pandoc options
(``allow_space=False, allow_digits=False, double_inline=True``: no space inside the dollars,
no digit before the opening or after the closing one), so "$5 and $10" stays text. The rule
is dollarmath's, ported (``_dollar_inline``), for one slip: at the start of a paragraph it
reads the paragraph's *last* character as the one before the ``$`` (Python's ``src[-1]``),
so "$x$ is 5" stayed text. The companion page (web/src/math.ts) has the same rules.

Display blocks are parsed like fenced code, not like dollarmath's blocks: an opening line of
just ``$$`` (or ``\\[``) runs to its closing line, or to the end of its container while none
came. That keeps the streaming renderer's rule true — a block followed by another block never
changes again, and a block seen in a prefix only grows — where dollarmath's blocks are
paragraphs until they close. A block that is not closed within ``MAX_DISPLAY_LINES`` lines
stops there. ``token.meta["closed"]`` says whether the closing line came: an open block is
shown as its source (the renderer typesets only closed ones).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock
    from markdown_it.rules_inline import StateInline

MAX_DISPLAY_LINES = 40
_DISPLAY = {"$$": "$$", "\\[": "\\]"}
INLINE_TOKENS = frozenset({"math_inline", "math_inline_double"})
# set on a document holding formulas: the view registers their handler when it shows it
HAS_FORMULAS = "streamchat_has_formulas"


def math_plugin(md: MarkdownIt) -> None:
    """Add the math rules to ``md``: inline ``$``, ``$$`` and ``\\(``, display blocks."""
    md.inline.ruler.before("escape", "math_dollar", _dollar_inline)
    md.block.ruler.before(
        "fence",
        "display_math",
        _display_block,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    md.inline.ruler.before("escape", "math_paren", _paren_inline)


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]


def _opening(first: str) -> tuple[str, str, str | None] | None:
    """(opening, closing, the formula of a one-line block) for a display block's first line."""
    for opening, closing in _DISPLAY.items():
        if first == opening:
            return opening, closing, None
        inner = first[len(opening) : -len(closing)]
        if (
            len(first) > len(opening) + len(closing)
            and first.startswith(opening)
            and first.endswith(closing)
            and closing not in inner
            and inner.strip()
        ):
            return opening, closing, inner
    return None


def _display_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    first = state.bMarks[start] + state.tShift[start]
    if state.src[first : first + 2] not in _DISPLAY or state.is_code_block(start):
        return False  # the common case, checked first: this runs for every line
    found = _opening(_line(state, start).rstrip())
    if found is None:
        return False
    if silent:
        return True
    opening, closing, one_line = found
    if one_line is not None:
        _push(state, one_line, opening, start, start + 1, closed=True)
        return True
    line, closed = start, False
    while line + 1 < end and line + 1 - start < MAX_DISPLAY_LINES:
        text = _line(state, line + 1)
        if text and state.sCount[line + 1] < state.blkIndent:
            break  # a line that leaves the container ends the block (as fences do)
        line += 1
        if text.rstrip() == closing and not state.is_code_block(line):
            closed = True
            break
    content = state.getLines(start + 1, line if closed else line + 1, state.sCount[start], True)
    _push(state, content, opening, start, line + 1, closed=closed)
    return True


def _push(
    state: StateBlock, content: str, markup: str, start: int, stop: int, *, closed: bool
) -> None:
    state.line = stop
    token = state.push("math_block", "math", 0)
    token.content = content
    token.markup = markup
    token.block = True
    token.map = [start, state.line]
    token.meta = {"closed": closed}


def _escaped(src: str, pos: int) -> bool:
    """Whether the character at ``pos`` follows an odd number of backslashes."""
    start = pos
    while start > 0 and src[start - 1] == "\\":
        start -= 1
    return (pos - start) % 2 == 1


def _dollar_inline(state: StateInline, silent: bool) -> bool:
    """``$…$`` and ``$$…$$`` inside a paragraph (dollarmath's rule, pandoc options)."""
    src, start = state.src, state.pos
    if src[start] != "$" or start + 1 >= len(src) or src[start + 1].isspace():
        return False
    if (start > 0 and src[start - 1].isdigit()) or _escaped(src, start):
        return False
    double = src[start + 1] == "$"
    pos = start + 1 + double
    while True:
        end = src.find("$", pos)
        if end < 0:
            return False
        if _escaped(src, end) or (double and src[end + 1 : end + 2] != "$"):
            pos = end + 1
            continue
        break
    if src[end - 1].isspace() or src[end + 1 + double : end + 2 + double].isdigit():
        return False
    content = src[start + 2 : end] if double else src[start + 1 : end]
    if not content:
        return False
    if not silent:
        token = state.push("math_inline_double" if double else "math_inline", "math", 0)
        token.content = content
        token.markup = "$$" if double else "$"
    state.pos = end + 1 + double
    return True


def _paren_inline(state: StateInline, silent: bool) -> bool:
    """``\\(…\\)`` inline math (before CommonMark's escapes turn ``\\(`` into ``(``)."""
    src, pos = state.src, state.pos
    if not src.startswith("\\(", pos):
        return False
    end = src.find("\\)", pos + 2)
    if end < 0 or not src[pos + 2 : end].strip():
        return False
    if not silent:
        token = state.push("math_inline", "math", 0)
        token.content = src[pos + 2 : end]
        token.markup = "\\("
    state.pos = end + 2
    return True


def source_of(content: str, markup: str, *, display: bool) -> str:
    """The formula as it was written (what a copy gives back)."""
    closing = {"$": "$", "$$": "$$", "\\(": "\\)", "\\[": "\\]"}.get(markup, markup)
    if display:
        return f"{markup}\n{content.rstrip(chr(10))}\n{closing}"
    return f"{markup}{content}{closing}"
