"""Regression guard for the PySide6 6.12.0 bug on Python 3.11.

6.12.0 drops a reference to ``None`` for each call returning nothing and one to
``True`` per ``Signal.emit``; a long streaming session then dies with
``Fatal Python error: none_dealloc``. The streaming path emits thousands of signals
a second, so the pin must hold: these counts must not fall.
"""

from __future__ import annotations

import sys

import PySide6
from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    delta_received = Signal(str, str)


def test_pyside_is_the_pinned_version() -> None:
    assert PySide6.__version__ == "6.11.3"


def test_signal_emits_do_not_leak_none_or_true_references() -> None:
    emitter = _Emitter()
    received: list[str] = []
    emitter.delta_received.connect(lambda _mid, text: received.append(text))
    none_before = sys.getrefcount(None)
    true_before = sys.getrefcount(True)
    for _ in range(100_000):
        emitter.delta_received.emit("m", "x")
        emitter.blockSignals(False)  # a call returning None
    received.clear()
    # Small positive drift from unrelated allocations is fine; 6.12.0 fell by 100,000+.
    assert sys.getrefcount(None) >= none_before - 100
    assert sys.getrefcount(True) >= true_before - 100
