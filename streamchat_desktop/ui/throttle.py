"""Coalesce bursts of requests into at most one call per interval (one flush per frame).

Modelled on qutebrowser's ``misc/throttle.py``: the first request after a quiet period runs
at once; requests that arrive too soon are merged into one trailing call, which is
guaranteed. Unlike qutebrowser, the interval is counted from the *end* of the previous
call, so a slow callback still leaves the event loop ``interval_ms`` to breathe.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer


def _now_ms() -> float:
    return time.monotonic() * 1000.0


class Throttle(QObject):
    """Call ``callback`` at most once per ``interval_ms``; a trailing call always follows.

    Call the instance to request a run. ``flush()`` runs a pending request now (used when a
    reply ends), ``cancel()`` drops it.
    """

    def __init__(
        self,
        callback: Callable[[], None],
        interval_ms: int = 16,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._callback = callback
        self._interval_ms = interval_ms
        self._last_end_ms: float | None = None
        self._pending = False
        self._running = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_timeout)

    @property
    def interval_ms(self) -> int:
        return self._interval_ms

    @interval_ms.setter
    def interval_ms(self, value: int) -> None:
        self._interval_ms = max(0, value)

    @property
    def pending(self) -> bool:
        """Whether a trailing call is scheduled."""
        return self._pending

    def __call__(self) -> None:
        if self._pending:
            return
        now = _now_ms()
        since = None if self._last_end_ms is None else now - self._last_end_ms
        if not self._running and (since is None or since >= self._interval_ms):
            self._run()
            return
        self._pending = True
        wait = self._interval_ms if since is None else self._interval_ms - since
        self._timer.start(max(0, round(wait)))

    def again(self, delay_ms: int) -> None:
        """Request a run ``delay_ms`` from now, sooner than the interval allows: a callback
        working through a backlog in slices leaves the loop ``delay_ms`` between them."""
        if self._pending:
            return
        self._pending = True
        self._timer.start(max(0, delay_ms))

    def flush(self) -> None:
        """Run a pending call right now (no-op when nothing is pending)."""
        if self._pending:
            self._timer.stop()
            self._pending = False
            self._run()

    def cancel(self) -> None:
        """Forget a pending call."""
        self._timer.stop()
        self._pending = False

    def _on_timeout(self) -> None:
        if self._pending:
            self._pending = False
            self._run()

    def _run(self) -> None:
        self._running = True
        try:
            self._callback()
        finally:
            self._running = False
            self._last_end_ms = _now_ms()
