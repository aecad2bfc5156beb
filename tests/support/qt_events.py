"""Waiting for Qt to have handled what is queued, instead of waiting for a while.

"Nothing happened" is only a fact once Qt has had the chance to make it happen: a
single-shot timer due after every timer under test fires only after those (Qt runs
due timers in deadline order), so its firing is the event that proves the point. A
loaded machine makes it late, never early.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer

PATIENCE_MS = 30_000  # only ends a broken run; a healthy one returns as soon as it fires


def wait_past(qtbot: Any, delay_ms: int = 0) -> None:
    """Return once a timer started now with ``delay_ms`` has fired: everything queued
    before it, and every timer due sooner, has been handled."""
    fired: list[bool] = []
    QTimer.singleShot(delay_ms, lambda: fired.append(True))
    qtbot.waitUntil(lambda: bool(fired), timeout=PATIENCE_MS)
