"""Pathological answer shapes streamed into the real TranscriptView (part of bench/render.py).

Each shape runs in its own process (``python bench/render_shapes.py SHAPE [--quick]``), so
its peak RSS is its own: memory is reported as the peak over the idle app (the view shown,
the renderer loaded, before the answer) divided by the answer's size.

Deltas are offered at 5,000 deltas/s from a 1 ms feeder timer (or all at once for the
one-chunk shape), then the reply ends. Measured: kept up (every delta shown within 100 ms
of when it was due), the longest event-loop stall (5 ms heartbeat), flush p99, the time from
the last byte until everything is shown, and peak RSS over idle (sampled every 20 ms). The
JSON result is the last line.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psutil
from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QApplication

from streamchat_desktop.core.models import Message, MessageState, Role
from streamchat_desktop.ui.transcript.view import TranscriptView

RATE = 5_000
LAG_LIMIT_S = 0.100
GOAL_STALL_MS = 50.0
GOAL_SHOWN_S = 1.0
GOAL_MEMORY_RATIO = 20.0


# The idle app has shown a little of everything: the renderer's code and caches are loaded
# (a first table or code block costs about 2 MB once per process, not per answer).
WARM_UP = (
    "warm *up* `x`\n\n- a\n\n> q\n\n```python\nx = 1\n```\n\n"
    "| a | b |\n|---|---|\n| 1 | 2 |\n\n1. one\n"
)


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def _line(scale: int) -> str:
    return "".join(chr(0x41 + (i * 7) % 58) for i in range(1_048_576 // scale))


def _table(scale: int) -> str:
    rows = (f"| {i} | item{i} | {i * 37 % 1000} | ok |\n" for i in range(5_000 // scale))
    return "| # | name | value | note |\n|---:|---|---:|---|\n" + "".join(rows)


def _ten_megabytes(scale: int) -> list[str]:
    from render import markdown_text

    return [markdown_text(10_000_000 // scale)]


SHAPES: dict[str, Callable[[int], list[str]]] = {
    "1 MB line, 16-char deltas": lambda scale: _pieces(_line(scale), 16),
    "1 MB line, 64 KiB deltas": lambda scale: _pieces(_line(scale), 65_536),
    "100k lines": lambda scale: _pieces(
        "".join(f"log line {i}\n" for i in range(100_000 // scale)), 16
    ),
    "5,000-row table": lambda scale: _pieces(_table(scale), 8),
    "list nested 1,000 levels": lambda scale: _pieces(
        "".join("  " * i + f"- level {i}\n" for i in range(1_000 // scale)), 16
    ),
    "10 MB in one chunk": _ten_megabytes,
}


def _rss_mb() -> float:
    return float(psutil.Process().memory_info().rss) / 2**20


def start_timers(*pairs: tuple[int, Callable[[], None]]) -> list[QTimer]:
    """Precise repeating timers (interval ms, slot), started."""
    timers = []
    for interval, slot in pairs:
        timer = QTimer()
        timer.setTimerType(Qt.TimerType.PreciseTimer)
        timer.setInterval(interval)
        timer.timeout.connect(slot)
        timer.start()
        timers.append(timer)
    return timers


def stream_measured(view: TranscriptView, items: list[str], rate: int) -> dict[str, Any]:
    """Offer ``items`` as a reply at ``rate`` deltas/s, end it, wait until all is shown."""
    view.begin_reply(Message(role=Role.ASSISTANT, content="", id="r", state=MessageState.STREAMING))
    flushes: list[float] = []
    state: dict[str, Any] = {"sent": 0, "shown": 0, "lag": 0.0, "last": 0.0, "done": None}
    stall = {"max": 0.0, "beat": 0.0, "rss": 0.0, "beats": 0, "cpu": 0.0, "cpu_at": 0.0}
    loop = QEventLoop()
    start = time.perf_counter()

    def on_flushed(seconds: float) -> None:
        flushes.append(seconds)
        if view.pending_characters() == 0:  # everything sent so far is shown
            state["shown"] = state["sent"]

    def feed() -> None:
        now = time.perf_counter()
        target = min(len(items), int((now - start) * rate) + 1)
        for index in range(state["sent"], target):
            view.append_text("r", items[index])
        state["sent"] = max(state["sent"], target)
        if state["sent"] == len(items) and not state["last"]:
            state["last"], state["last_cpu"] = time.perf_counter(), time.thread_time()
            view.end_reply(Message(role=Role.ASSISTANT, content="".join(items), id="r"))
        if state["shown"] < state["sent"]:
            state["lag"] = max(state["lag"], now - (start + state["shown"] / rate))
        if state["last"] and view.pending_characters() == 0:
            state["done"], state["done_cpu"] = time.perf_counter(), time.thread_time()
            loop.quit()

    def beat() -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        if stall["beat"] and now - stall["beat"] > stall["max"]:
            stall["max"], stall["cpu"] = now - stall["beat"], cpu - stall["cpu_at"]
        stall["beat"], stall["cpu_at"] = now, cpu
        stall["beats"] += 1
        if stall["beats"] % 4 == 0:
            stall["rss"] = max(stall["rss"], _rss_mb())

    view.flushed.connect(on_flushed)
    timers = start_timers((1, feed), (5, beat))
    QTimer.singleShot(300_000, loop.quit)  # a run that never ends is reported, not awaited
    loop.exec()
    for timer in timers:
        timer.stop()
    view.flushed.disconnect(on_flushed)
    times = sorted(t * 1000 for t in flushes)
    shown_after = (state["done"] - state["last"]) if state["done"] else None
    return {
        "kept_up": state["lag"] <= LAG_LIMIT_S and state["done"] is not None,
        "max_lag_ms": round(state["lag"] * 1000, 1),
        "longest_stall_ms": round(stall["max"] * 1000, 1),
        "stall_cpu_ms": round(stall["cpu"] * 1000, 1),  # this thread's CPU in that stall
        "flush_p99_ms": round(_percentile(times, 0.99), 2),
        "shown_after_last_byte_s": round(shown_after, 3) if shown_after is not None else None,
        "shown_after_cpu_s": (
            round(state["done_cpu"] - state["last_cpu"], 3) if state["done"] else None
        ),  # the CPU this thread used in that time
        "peak_rss_mb": max(stall["rss"], _rss_mb()),
    }


def _percentile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def run_shape(name: str, items: list[str]) -> dict[str, Any]:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    view = TranscriptView(open_links=False)
    view.resize(900, 700)
    view.show()
    view.set_messages([Message(role=Role.ASSISTANT, content=WARM_UP, id="w")])
    app.processEvents()
    idle_mb = _rss_mb()
    view.set_messages([])
    size = sum(len(item) for item in items)
    result: dict[str, Any] = {"shape": name, "characters": size, "deltas": len(items)}
    result |= stream_measured(view, items, RATE if len(items) > 1 else 1_000_000)
    over_idle = max(0.0, result.pop("peak_rss_mb") - idle_mb)
    ratio = over_idle * 2**20 / size
    result["peak_rss_over_idle_mb"] = round(over_idle, 1)
    result["memory_ratio"] = round(ratio, 1)
    shown_after = result["shown_after_last_byte_s"]
    result["goals_met"] = bool(
        result["longest_stall_ms"] <= GOAL_STALL_MS
        and shown_after is not None
        and shown_after <= GOAL_SHOWN_S
        and ratio <= GOAL_MEMORY_RATIO
    )
    return result


def main() -> int:
    quick = "--quick" in sys.argv
    names = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    for language in ("python", "javascript"):
        from streamchat_desktop.ui.transcript.highlight import highlight_lines

        highlight_lines("x = 1\n", language)
    for name in names:
        print(json.dumps(run_shape(name, SHAPES[name](4 if quick else 1))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
