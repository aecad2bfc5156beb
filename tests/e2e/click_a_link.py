"""Run the real program (its ``main``) and click a link in its answer, as a person would.

``python tests/e2e/click_a_link.py WORD URL DONE_FILE -- STREAMCHAT_ARGS…``: once the
transcript shows WORD (the answer arrived), its ``anchorClicked`` fires for URL (what a
click on the link does); once DONE_FILE exists (the launched browser wrote it), the
window is closed and the program ends as usual. Only the click is simulated: everything
else is the app's own start, link handling and quit.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer, QUrl
from PySide6.QtWidgets import QApplication

from streamchat_desktop.cli.main import main as streamchat
from streamchat_desktop.ui.main_window import MainWindow


def run(word: str, url: str, done_file: Path, argv: list[str]) -> int:
    app = QApplication(sys.argv[:1])  # the app's start reuses an existing QApplication
    clicked = False

    def poll() -> None:
        nonlocal clicked
        windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow)]
        if not windows or not windows[0].isVisible():
            return
        transcript = windows[0].transcript
        if not clicked and word in transcript.toPlainText():
            clicked = True
            transcript.anchorClicked.emit(QUrl(url))
        elif clicked and done_file.exists():
            timer.stop()
            windows[0].close()

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(20)
    return streamchat(argv)


if __name__ == "__main__":
    word, url, done, separator, *rest = sys.argv[1:]
    assert separator == "--"
    sys.exit(run(word, url, Path(done), rest))
