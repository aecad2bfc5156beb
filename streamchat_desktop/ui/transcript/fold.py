"""Display folding: how much of a long answer the transcript lays out, decided by the text alone.

Qt lays out a whole paragraph again whenever it changes, and a QTextDocument costs about
100 bytes a character: a 1 MB line or a 10 MB answer would freeze the window and fill the
memory. Like code editors, the transcript shows a bounded part and a link to the whole:

- a source line longer than ``LINE_FOLD`` characters shows its first ``LINE_FOLD``, then
  a fold link ("long line folded — show all"); a line without a space in its first
  ``UNBROKEN_FOLD`` characters (base64, minified code) folds there already;
- an answer shows its lines up to ``ANSWER_FOLD`` characters, then a fold link for the rest;
- a table shows its first body rows, then a fold link for the rest (``tables``), which
  opens the table's lines (``table_part``).

The *shown text* is a pure, append-only function of the answer text: a streamed answer folds
exactly as a one-shot render of the same text does, whatever the deltas. Folding changes the
display only: the stored, copied ("Copy" links, reply text) and exported text stay whole,
and a fold link opens the whole text.

A fold is marked in the shown text by one private-use character (plane 15 for line folds,
numbered; U+10FFFD for the answer fold); ``markdown.sanitize`` turns any such character that
comes from the model into U+FFFD, so only folds produce them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LINE_FOLD = 20_000
UNBROKEN_FOLD = 5_000
ANSWER_FOLD = 100_000
_LINE_MARK_BASE = 0xF0000
_LINE_MARK_LAST = 0xFFFFD
ANSWER_MARK = "\U0010fffd"
TABLE_FOLD_PREFIX = "table"  # a table's fold link: ``fold:<message id>:table<line>``


def line_mark(index: int) -> str:
    return chr(min(_LINE_MARK_BASE + index, _LINE_MARK_LAST))


def mark_index(char: str) -> int | None:
    """The fold a mark stands for: its line-fold number, -1 for the answer fold, else None."""
    code = ord(char)
    if char == ANSWER_MARK:
        return -1
    if _LINE_MARK_BASE <= code <= _LINE_MARK_LAST:
        return code - _LINE_MARK_BASE
    return None


@dataclass
class Folder:
    """Turns answer text, fed in pieces, into the shown text (append-only)."""

    line_length: int = 0  # characters of the current source line seen so far
    consumed: int = 0  # source characters taken
    shown: int = 0  # characters of shown text produced
    capped: bool = False  # the answer fold was reached: the rest is not shown
    breakable: bool = False  # the current line has a space in its first UNBROKEN_FOLD
    line_starts: list[int] = field(default_factory=list)  # source offset of each folded line
    _line_start: int = 0

    def feed(self, text: str, start: int = 0, room: int | None = None) -> tuple[str, int]:
        """Fold ``text[start:]``; stop once ``room`` shown characters were produced.

        Returns the shown text and the number of characters of ``text`` taken. Folded
        characters cost one ``str.find`` per line, not one step per character.
        """
        end = len(text)
        if self.capped:
            self.consumed += end - start
            return "", end - start
        out: list[str] = []
        produced = 0
        position = start
        while position < end and (room is None or produced < room):
            newline = text.find("\n", position)
            line_end = end if newline < 0 else newline
            if self.line_length < UNBROKEN_FOLD:  # decide the line's limit first
                line_end = min(line_end, position + UNBROKEN_FOLD - self.line_length)
            limit = self._limit()
            if room is not None and self.line_length < limit:
                line_end = min(line_end, position + (room - produced))
            length = line_end - position
            visible = max(0, min(length, limit - self.line_length))
            if visible:
                shown = text[position : position + visible]
                self.breakable = self.breakable or " " in shown
                out.append(shown)
                produced += visible
            if self.line_length <= limit < self.line_length + length:
                out.append(line_mark(len(self.line_starts)))
                produced += 1
                self.line_starts.append(self._line_start)
            self.line_length += length
            position = line_end
            if position == newline:
                out.append("\n")
                produced += 1
                position += 1
                self.line_length = 0
                self.breakable = False
                self._line_start = self.consumed + (position - start)
                if self.shown + produced >= ANSWER_FOLD:
                    out.append(ANSWER_MARK)
                    produced += 1
                    self.capped = True
                    self.consumed += end - start
                    self.shown += produced
                    return "".join(out), end - start
        self.consumed += position - start
        self.shown += produced
        return "".join(out), position - start

    def _limit(self) -> int:
        """The current line's fold: ``LINE_FOLD``, or ``UNBROKEN_FOLD`` for a line whose
        first ``UNBROKEN_FOLD`` characters have no space (Qt lays those out slowly)."""
        if self.line_length < UNBROKEN_FOLD or self.breakable:
            return LINE_FOLD
        return UNBROKEN_FOLD


def fold_text(text: str) -> str:
    """The shown text of a whole answer (what streaming it in any pieces would show)."""
    shown, _ = Folder().feed(text)
    return shown


def folded_part(text: str, index: int) -> str:
    """The whole text behind fold ``index`` of ``text``: a long line, or the whole answer."""
    if index < 0:
        return text
    folder = Folder()
    folder.feed(text)
    if index >= len(folder.line_starts):
        return ""
    start = folder.line_starts[index]
    end = text.find("\n", start)
    return text[start : end if end >= 0 else len(text)]


def table_part(text: str, line: int) -> str:
    """The lines of the table whose header is line ``line`` of ``text``: up to the first
    blank line (where a Markdown table surely ends) or the end."""
    start = 0
    for _ in range(line):
        start = text.find("\n", start) + 1
        if not start:
            return ""
    end = start
    while end < len(text):
        newline = text.find("\n", end)
        if newline < 0:
            return text[start:]
        if not text[end:newline].strip():
            break
        end = newline + 1
    return text[start:end].rstrip("\n")


def folded_text(text: str, fold: str) -> tuple[str, str] | None:
    """The title and whole text behind the fold named ``fold`` in a fold link: a line's
    number, -1 for the rest of the answer, ``table<line>`` for a table; None if unknown."""
    if fold.startswith(TABLE_FOLD_PREFIX) and fold[len(TABLE_FOLD_PREFIX) :].isdigit():
        return "The whole table", table_part(text, int(fold[len(TABLE_FOLD_PREFIX) :]))
    if not fold.lstrip("-").isdigit():
        return None
    index = int(fold)
    return ("The whole answer" if index < 0 else "The whole line"), folded_part(text, index)


def describe_size(characters: int) -> str:
    """``1.0 MB`` / ``12 KB`` / ``900 characters``: the size of a folded part, for its label."""
    if characters >= 1_000_000:
        return f"{characters / 1_000_000:.1f} MB"
    if characters >= 10_000:
        return f"{characters // 1000} KB"
    return f"{characters:,} characters"
