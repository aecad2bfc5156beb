"""Paste benchmark: 20,000 lines into the prompt box of the real window.

Times ``insertFromMimeData`` (the path Ctrl+V takes) plus the layout and paint that
follow, in our Composer inside the MainWindow (growing height, size hint, attachment
check) and, as the baseline, in a bare QPlainTextEdit. The last line is JSON.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/paste.py

Goal (issue 16): the paste never freezes the window: ≤ 1 s, and within 1.5× the bare
widget.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QMimeData
from PySide6.QtWidgets import QApplication, QPlainTextEdit

from streamchat_desktop.ui.main_window import MainWindow

LINES = 20_000
RUNS = 5
GOAL_SECONDS = 1.0
GOAL_RATIO = 1.5


def pasted_text() -> QMimeData:
    mime = QMimeData()
    mime.setText("\n".join(f"{i:05d} INFO worker-3 handled request in 12 ms" for i in range(LINES)))
    return mime


def time_paste(app: QApplication, box: QPlainTextEdit, mime: QMimeData) -> float:
    box.clear()
    app.processEvents()
    started = time.perf_counter()
    box.insertFromMimeData(mime)
    box.repaint()
    app.processEvents()
    elapsed = time.perf_counter() - started
    assert box.document().blockCount() == LINES
    return elapsed


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    window = MainWindow()
    window.show()
    bare = QPlainTextEdit()
    bare.resize(window.composer.size())
    bare.show()
    mime = pasted_text()
    ours = [time_paste(app, window.composer, mime) for _ in range(RUNS)]
    baseline = [time_paste(app, bare, mime) for _ in range(RUNS)]
    median, base = statistics.median(ours), statistics.median(baseline)
    result = {
        "lines": LINES,
        "paste_median_s": round(median, 4),
        "paste_max_s": round(max(ours), 4),
        "bare_widget_median_s": round(base, 4),
        "ratio_to_bare": round(median / base, 2),
        "goal_met": max(ours) <= GOAL_SECONDS and median / base <= GOAL_RATIO,
    }
    print(json.dumps(result))
    return 0 if result["goal_met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
