"""The formula objects of a transcript document, for comparing documents beyond their HTML
(a formula's LaTeX lives in its format, which ``toHtml`` does not show)."""

from __future__ import annotations

from PySide6.QtGui import QTextDocument

from streamchat_desktop.ui.transcript.math_object import formula_source


def formulas(document: QTextDocument) -> list[tuple[int, str]]:
    """Each formula object in the document: its position and the source it keeps."""
    found = []
    block = document.begin()
    while block.isValid():
        item = block.begin()
        while not item.atEnd():
            fragment = item.fragment()
            source = formula_source(fragment.charFormat())
            if source is not None:
                found.append((fragment.position(), source))
            item += 1
        block = block.next()
    return found
