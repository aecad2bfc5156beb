"""Transcript benchmark: opening long conversations, and streaming into them.

Conversations of realistic Markdown (paragraphs, lists, code, tables; about 1,600
characters a message) of 10, 200 and 1,000 messages are opened in the real TranscriptView
(``set_messages``), measured side by side in one run:

  open_ms        from set_messages until the last screen is painted (and the CPU it took)
  load_stall_ms  the longest event-loop stall (5 ms heartbeat) while the earlier messages
                 are written above it, in idle slices, for ``LOAD_SECONDS``
  loaded         messages rendered when that time is up (the rest come on scrolling up)
  scroll_batch_ms what one scroll to the top costs when messages are still to come
  rss_mb         resident memory after opening and idle loading
  flush_p99_ms   flush p99 while 20,000 tokens stream in at 5,000 deltas/s

Goals: opening 1,000 messages takes at most 1.5x opening 10; no stall over 50 ms; flush
p99 at most 16 ms with the 1,000-message history. ``--quick`` (CI) uses 5,000 tokens.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/transcript.py [--quick]

Human-readable lines and a Markdown table first; the JSON summary is the last line.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psutil
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication
from render import deltas, idle_stall_ms, markdown_text
from render_shapes import start_timers, stream_measured

from streamchat_desktop.core.models import Message, Role
from streamchat_desktop.ui.transcript.highlight import highlight_lines
from streamchat_desktop.ui.transcript.view import TranscriptView

SIZES = (10, 200, 1_000)
LOAD_SECONDS = 3.0
GOAL_OPEN_RATIO = 1.5
GOAL_STALL_MS = 50.0
GOAL_FLUSH_P99_MS = 16.0
RATE = 5_000


def conversation(count: int) -> list[Message]:
    """``count`` messages, prompts and answers, about 1,600 characters each on average."""
    messages = []
    for i in range(count):
        if i % 2:
            messages.append(
                Message(role=Role.ASSISTANT, content=markdown_text(2_900, seed=i), id=f"m{i}")
            )
        else:
            prompt = f"Question {i}: explain the {i}th part, with code and a table please."
            messages.append(Message(role=Role.USER, content=prompt, id=f"m{i}"))
    return messages


def _painted_ms(
    app: QApplication, view: TranscriptView, messages: list[Message]
) -> tuple[float, float]:
    """Wall and CPU (this thread) milliseconds until the last screen is painted."""
    started, cpu = time.perf_counter(), time.thread_time()
    view.set_messages(messages)
    view.viewport().repaint()
    app.processEvents()
    return (time.perf_counter() - started) * 1000, (time.thread_time() - cpu) * 1000


def _load_while_idle(view: TranscriptView) -> tuple[float, float]:
    """Run the loop for LOAD_SECONDS (earlier messages load): the longest stall and the
    CPU this thread used in it, ms."""
    beats: list[tuple[float, float]] = []
    loop = QEventLoop()
    timers = start_timers((5, lambda: beats.append((time.perf_counter(), time.thread_time()))))
    QTimer.singleShot(round(LOAD_SECONDS * 1000), loop.quit)
    loop.exec()
    for timer in timers:
        timer.stop()
    gaps = [(b[0] - a[0], b[1] - a[1]) for a, b in itertools.pairwise(beats)]
    wall, cpu = max(gaps, default=(0.0, 0.0))
    return round(wall * 1000, 1), round(cpu * 1000, 1)


def _scroll_batch_ms(app: QApplication, view: TranscriptView) -> float | None:
    if not view.earlier_pending():
        return None
    started = time.perf_counter()
    view.verticalScrollBar().setValue(0)
    app.processEvents()
    return round((time.perf_counter() - started) * 1000, 1)


def run_size(app: QApplication, count: int, tokens: int) -> dict[str, Any]:
    messages = conversation(count)
    view = TranscriptView(open_links=False)
    view.resize(900, 700)
    view.show()
    app.processEvents()
    opens = [_painted_ms(app, view, messages) for _ in range(3)]
    stall, stall_cpu = _load_while_idle(view)
    loaded = count - view.earlier_pending()
    rss = psutil.Process().memory_info().rss / 2**20
    scroll = _scroll_batch_ms(app, view)
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
    streamed = stream_measured(view, deltas(tokens), RATE)
    view.close()
    view.deleteLater()
    app.processEvents()
    return {
        "messages": count,
        "characters": sum(len(m.content) for m in messages),
        "open_ms": round(statistics.median(wall for wall, _cpu in opens), 1),
        "open_cpu_ms": round(statistics.median(cpu for _wall, cpu in opens), 1),
        "load_stall_ms": stall,
        "load_stall_cpu_ms": stall_cpu,
        "loaded": loaded,
        "scroll_batch_ms": scroll,
        "rss_mb": round(rss, 1),
        "flush_p99_ms": streamed["flush_p99_ms"],
        "stream_stall_ms": streamed["longest_stall_ms"],
        "stream_stall_cpu_ms": streamed["stall_cpu_ms"],
        "kept_up": streamed["kept_up"],
    }


def _table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| messages | characters | open (last screen) ms (CPU ms) | longest stall while loading ms "
        "(CPU ms in it) | loaded in 3 s | scroll-up batch ms | RSS MB "
        "| flush p99 ms streaming 20k tokens | longest stall streaming (CPU) | kept up |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['messages']:,} | {r['characters']:,} | {r['open_ms']} ({r['open_cpu_ms']}) "
            f"| {r['load_stall_ms']} "
            f"({r['load_stall_cpu_ms']}) | {r['loaded']:,} "
            f"| {r['scroll_batch_ms'] if r['scroll_batch_ms'] else '—'} | {r['rss_mb']} "
            f"| {r['flush_p99_ms']} | {r['stream_stall_ms']} ({r['stream_stall_cpu_ms']}) "
            f"| {'yes' if r['kept_up'] else 'no'} |"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer tokens streamed (CI)")
    args = parser.parse_args()
    tokens = 5_000 if args.quick else 20_000
    load_start = round(os.getloadavg()[0], 2)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    for language in ("python", "javascript"):
        highlight_lines("x = 1\n", language)
    noise = idle_stall_ms(2.0)
    print(f"idle event loop, longest heartbeat gap: {noise} ms (machine noise)", flush=True)
    rows = []
    for count in SIZES:
        rows.append(run_size(app, count, tokens))
        print(json.dumps(rows[-1]), flush=True)
    by_size = {r["messages"]: r for r in rows}
    ratio = round(by_size[1_000]["open_ms"] / by_size[10]["open_ms"], 2)
    cpu_ratio = round(by_size[1_000]["open_cpu_ms"] / by_size[10]["open_cpu_ms"], 2)
    stall = max(max(r["load_stall_ms"], r["stream_stall_ms"]) for r in rows)
    p99 = by_size[1_000]["flush_p99_ms"]
    goals = {
        "open_1000_over_open_10": {"goal": GOAL_OPEN_RATIO, "measured": ratio},
        "open_cpu_1000_over_open_cpu_10": {"goal": GOAL_OPEN_RATIO, "measured": cpu_ratio},
        "longest_stall_ms": {"goal": GOAL_STALL_MS, "measured": stall},
        "flush_p99_ms_with_1000": {"goal": GOAL_FLUSH_P99_MS, "measured": p99},
    }
    print()
    print("\n".join(_table(rows)))
    print()
    summary = {
        "benchmark": "transcript",
        "mode": "quick" if args.quick else "full",
        "sizes": rows,
        "goals": goals,
        "goals_met": ratio <= GOAL_OPEN_RATIO
        and stall <= GOAL_STALL_MS
        and p99 <= GOAL_FLUSH_P99_MS,
        "idle_loop_longest_gap_ms": noise,
        "cpu_count": os.cpu_count(),
        "load_average_start_end": [load_start, round(os.getloadavg()[0], 2)],
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
