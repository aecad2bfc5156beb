"""Copying a selection of the transcript: bidi labels give back the characters they stand for,
formulas their LaTeX source as written (``$…$``, ``$$…$$``)."""

from __future__ import annotations

from PySide6.QtGui import QTextDocument

from streamchat_desktop.ui.transcript.math_object import formula_source
from streamchat_desktop.ui.transcript.properties import ORIGINAL_PROPERTY

_QT_BREAKS = str.maketrans({"\u2028": "\n", "\u2029": "\n", "\u00a0": " "})


def selection_text(document: QTextDocument, start: int, end: int) -> str:
    """The plain text of ``[start, end)`` as Qt copies it, except that each ``⟨RLO⟩``-style
    label is replaced by the one character it shows (``runs.RunWriter``)."""
    parts: list[str] = []
    block = document.findBlock(start)
    first = True
    while block.isValid() and block.position() <= end:
        if not first:
            parts.append("\n")
        first = False
        item = block.begin()
        while not item.atEnd():
            fragment = item.fragment()
            item += 1
            begin = fragment.position()
            low, high = max(begin, start), min(begin + fragment.length(), end)
            if low >= high:
                continue
            selected = fragment.text()[low - begin : high - begin]
            original = fragment.charFormat().property(ORIGINAL_PROPERTY)
            formula = formula_source(fragment.charFormat())
            if formula is not None:
                parts.append(formula * len(selected))
            elif isinstance(original, str) and original:
                parts.append(original * max(1, selected.count("⟨")))
            else:
                parts.append(selected)
        block = block.next()
    return "".join(parts).translate(_QT_BREAKS)
