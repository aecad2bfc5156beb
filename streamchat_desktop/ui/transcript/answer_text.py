"""The text of a live answer: received, cleaned, and shown (folded), taken in bounded slices.

Deltas are kept as received (``feed`` costs nothing, whatever their size). Each flush takes
a bounded slice: raw text is cleaned (``sanitize``, newlines) in pieces of ``CLEAN_PIECE``
characters and folded (``fold.Folder``) until ``room`` shown characters were produced, so
a 10 MB delta is rendered over many frames instead of freezing one.
"""

from __future__ import annotations

from collections import deque

from streamchat_desktop.ui.transcript.fold import ANSWER_MARK, Folder
from streamchat_desktop.ui.transcript.markdown import normalize_newlines, sanitize

CLEAN_PIECE = 65_536
MAX_PIECES_PER_TAKE = 8  # past the answer fold text is only cleaned: 512 KB a slice


class AnswerText:
    """The whole text (``text()``), and the shown text (``shown``) produced so far."""

    def __init__(self) -> None:
        self._raw: deque[str] = deque()
        self._raw_position = 0  # characters of _raw[0] already cleaned
        self._raw_size = 0  # characters in _raw not cleaned yet
        self._carriage_return = False  # a cleaned piece ended in "\r" (maybe half a "\r\n")
        self._source: list[str] = []  # cleaned text: the whole answer as the view keeps it
        self._unshown: deque[str] = deque()  # cleaned text not folded into ``shown`` yet
        self._unshown_position = 0
        self._unshown_size = 0
        self._folder = Folder()
        self.shown = ""
        self._rest_folded = False  # ``fold_rest``: nothing more is shown
        self._mark = ""  # the fold mark ``fold_rest`` added, until taken

    def feed(self, text: str) -> None:
        if text:
            self._raw.append(text)
            self._raw_size += len(text)

    @property
    def dirty(self) -> bool:
        """Whether received text is not shown yet."""
        if self._rest_folded:
            return bool(self._mark)
        return bool(self._raw_size or self._unshown_size)

    @property
    def received(self) -> bool:
        """Whether any text was fed (cleaned or not)."""
        return bool(self._raw_size or self._source)

    @property
    def backlog(self) -> int:
        """Characters received and not yet taken into the shown text."""
        if self._rest_folded:
            return len(self._mark)
        return self._raw_size + self._unshown_size

    def fold_rest(self) -> None:
        """Show nothing more: what is not shown yet is folded (the answer fold's link
        opens the whole). For a reply that was stopped with a backlog: it ends at once.
        The text stays whole (``text`` cleans the rest when asked)."""
        if self._rest_folded or not self.dirty:
            return
        self._rest_folded = True
        self._unshown.clear()
        self._unshown_size = self._unshown_position = 0
        if not self._folder.capped:
            self._folder.capped = True
            self._mark = ANSWER_MARK if self.shown.endswith("\n") else "\n" + ANSWER_MARK

    @property
    def capped(self) -> bool:
        """Whether the answer fold was reached (the rest is only counted, not shown)."""
        return self._folder.capped

    def text(self) -> str:
        """The whole answer received so far, newlines normalised as markdown-it reads them."""
        while self._raw_size:
            self._clean_piece(final=False)
        if len(self._source) > 1:
            self._source = ["".join(self._source)]
        whole = self._source[0] if self._source else ""
        return whole + ("\n" if self._carriage_return else "")

    def take(self, *, final: bool, room: int | None) -> str:
        """Fold received text into ``shown`` until ``room`` characters were added (``None``:
        all of it); ``final`` ends a dangling "\\r". Returns the characters added."""
        if self._rest_folded:
            new, self._mark = self._mark, ""
            self.shown += new
            return new
        added: list[str] = []
        produced = cleaned = 0
        while room is None or (produced < room and cleaned < MAX_PIECES_PER_TAKE):
            if not self._unshown_size:
                if not self._clean_piece(final=final):
                    break
                cleaned += 1
                continue
            piece = self._unshown[0]
            shown, taken = self._folder.feed(
                piece, self._unshown_position, None if room is None else room - produced
            )
            added.append(shown)
            produced += len(shown)
            self._unshown_position += taken
            self._unshown_size -= taken
            if self._unshown_position >= len(piece):
                self._unshown.popleft()
                self._unshown_position = 0
        new = "".join(added)
        self.shown += new
        return new

    def _clean_piece(self, *, final: bool) -> bool:
        """Clean the next raw piece into the source and the unshown queue; any left?"""
        if not self._raw_size:
            if not (final and self._carriage_return):
                return False
            self._carriage_return = False
            self._append_clean("\n")
            return True
        parts = ["\r"] if self._carriage_return else []
        wanted = CLEAN_PIECE
        while self._raw and wanted > 0:
            chunk = self._raw[0]
            end = min(len(chunk), self._raw_position + wanted)
            parts.append(chunk[self._raw_position : end])
            wanted -= end - self._raw_position
            self._raw_size -= end - self._raw_position
            if end >= len(chunk):
                self._raw.popleft()
                self._raw_position = 0
            else:
                self._raw_position = end
        new = "".join(parts)
        self._carriage_return = new.endswith("\r") and not (final and not self._raw_size)
        if self._carriage_return:
            new = new[:-1]
        self._append_clean(normalize_newlines(sanitize(new)))
        return True

    def _append_clean(self, text: str) -> None:
        if text:
            self._source.append(text)
            self._unshown.append(text)
            self._unshown_size += len(text)
