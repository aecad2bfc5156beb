"""When StreamChat cannot start, the person who launched it is told why.

A launch from a menu or a file manager has no terminal: a message on stderr alone would
leave them with a window that never came, or one that vanished. The message goes to
stderr as well, for scripts and terminals; a scripted run (``--exit-after-reply``) gets
no dialog, since nobody is there to close it.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

TITLE = "StreamChat cannot start"


def tell_cannot_start(
    message: str,
    *,
    dialog: bool,
    details: str = "",
    title: str = TITLE,
    parent: QWidget | None = None,
) -> None:
    """Print ``streamchat: message`` on stderr and, if ``dialog``, show it until closed."""
    print(f"streamchat: {message}", file=sys.stderr, flush=True)
    if not dialog:
        return
    if QApplication.instance() is None:
        QApplication(sys.argv[:1])
    sentence = message[:1].upper() + message[1:]
    box = QMessageBox(QMessageBox.Icon.Critical, title, sentence, parent=parent)
    if details:
        box.setDetailedText(details)
    box.exec()
