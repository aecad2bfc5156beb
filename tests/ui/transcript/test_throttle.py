"""Throttle: at most one call per interval, the trailing call is guaranteed (after qutebrowser)."""

from __future__ import annotations

import itertools
import time

from PySide6.QtCore import QObject

from streamchat_desktop.ui.throttle import Throttle
from tests.support.qt_events import PATIENCE_MS, wait_past

DELAY = 100


class Calls:
    def __init__(self) -> None:
        self.times: list[float] = []

    def __call__(self) -> None:
        self.times.append(time.monotonic())


def test_first_request_runs_at_once_then_bursts_merge(qtbot: object) -> None:
    calls = Calls()
    throttle = Throttle(calls, DELAY)
    for _ in range(50):
        throttle()
    assert len(calls.times) == 1
    assert throttle.pending
    qtbot.waitUntil(lambda: not throttle.pending, timeout=PATIENCE_MS)  # type: ignore[attr-defined]
    wait_past(qtbot, 2 * DELAY)  # any further call would have come by now
    assert len(calls.times) == 2  # one trailing call for the whole burst


def test_calls_are_spaced_by_the_interval(qtbot: object) -> None:
    """Requested all the time, it still runs at most once per interval (a lower bound:
    a busy machine spaces calls more, never less)."""
    calls = Calls()
    throttle = Throttle(calls, 30)

    def request_until_five_calls() -> bool:
        throttle()
        return len(calls.times) >= 5

    qtbot.waitUntil(request_until_five_calls, timeout=PATIENCE_MS)  # type: ignore[attr-defined]
    gaps = [b - a for a, b in itertools.pairwise(calls.times)]
    assert min(gaps) >= 0.028  # 30 ms, less the timer's millisecond rounding


def test_interval_counts_from_the_end_of_a_slow_call(qtbot: object) -> None:
    ends: list[float] = []
    starts: list[float] = []

    def slow() -> None:
        starts.append(time.monotonic())
        time.sleep(0.05)
        ends.append(time.monotonic())

    throttle = Throttle(slow, 20)
    throttle()
    throttle()
    qtbot.waitUntil(lambda: len(starts) == 2)  # type: ignore[attr-defined]
    assert starts[1] - ends[0] >= 0.018


def test_flush_runs_the_pending_call_now_and_cancel_drops_it(qtbot: object) -> None:
    calls = Calls()
    throttle = Throttle(calls, DELAY)
    throttle()
    throttle()
    throttle.flush()
    assert len(calls.times) == 2
    throttle.flush()  # nothing pending: no call
    assert len(calls.times) == 2
    throttle()
    throttle.cancel()
    wait_past(qtbot, 2 * DELAY)  # past the cancelled call's time
    assert len(calls.times) == 2


def test_deleted_parent_stops_the_timer(qtbot: object) -> None:
    owner = QObject()
    calls = Calls()
    throttle = Throttle(calls, DELAY, parent=owner)
    throttle()
    throttle()
    owner.deleteLater()
    wait_past(qtbot, 2 * DELAY)  # past the pending call's time
    assert len(calls.times) == 1
