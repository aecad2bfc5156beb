"""Python's cyclic garbage collector, run on the GUI thread only.

Automatic collection runs on whichever thread allocates when a threshold is crossed: the
formula worker (ziamath) or the executor's threads. A collection there can free Python-owned
Qt objects (wrappers of text cursors, formats, documents left in cycles) while the GUI thread
is inside Qt using them: a segfault, seen in `tests/ui/transcript/test_math.py` and CI with
the worker importing ziafont while the GUI thread processed events. So automatic collection
is off, and the GUI thread collects on a timer with the interpreter's own thresholds (the
collector recipe PyQt documents for the same reason).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_MS = 500  # cycles live at most this much longer than with automatic collection


class MainThreadCollector(QObject):
    """Collects generation 0 (1, 2) on the GUI thread when its count passes its threshold."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start(CHECK_MS)

    def collect_due(self) -> None:
        counts = gc.get_count()
        generation = -1
        for level, (count, threshold) in enumerate(zip(counts, self._thresholds, strict=True)):
            if count <= threshold:
                break
            generation = level
        if generation >= 0:
            gc.collect(generation)


def collect_on_gui_thread(app: QObject) -> MainThreadCollector:
    """Install the collector on ``app`` (the QApplication: it lives as long as the GUI)."""
    existing = app.findChild(MainThreadCollector)
    return existing if existing is not None else MainThreadCollector(app)
