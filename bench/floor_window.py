"""The start-up floor: a bare PySide6 program that shows an empty QMainWindow.

It reports its first paint exactly as the app does (``STREAMCHAT_READY <seconds since
process start>`` on stderr when ``STREAMCHAT_REPORT_READY=1``, emitted from a zero
timer queued by the window's first ``paintEvent``; process age from /proc), then
stays idle until terminated, so bench/startup.py measures both the same way.
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QApplication, QMainWindow


def process_age() -> float:
    """Seconds since this process started (a copy of streamchat_desktop.app.runtime.process_age:
    the floor window imports nothing of the app)."""
    try:
        with open(f"/proc/{os.getpid()}/stat", encoding="ascii") as stat:
            start_ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as uptime:
            up = float(uptime.read().split()[0])
        return up - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.process_time()


class FloorWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("floor")
        self.resize(980, 720)
        self._painted = False

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self._report)

    def _report(self) -> None:
        if os.environ.get("STREAMCHAT_REPORT_READY") == "1":
            print(f"STREAMCHAT_READY {process_age():.4f}", file=sys.stderr, flush=True)


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = FloorWindow()
    QTimer.singleShot(0, window.show)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
