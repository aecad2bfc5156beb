"""Math benchmark: what typesetting formulas costs, and what it costs the GUI thread.

A transcript view (shown, offscreen) gets an answer with ``--formulas`` distinct formulas;
the typesetter works through them on its worker thread while a 5 ms heartbeat timer runs on
the GUI thread. Measured: typesetting time per formula (worker), the longest gap between
heartbeats (a stall of the event loop), the time until every formula is typeset, and the
cost of showing the same answer again (every formula a cache hit: no typesetting at all).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/formulas.py [--formulas 60]

Human-readable lines first; the JSON summary is the last line.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from streamchat_desktop.core.models import Message, MessageState, Role
from streamchat_desktop.ui.transcript.math_cache import shared_typesetter
from streamchat_desktop.ui.transcript.math_typeset import typeset
from streamchat_desktop.ui.transcript.view import TranscriptView

GOAL_STALL_MS = 16.0  # the loop keeps a frame's pace while formulas are typeset


def answer(count: int) -> str:
    lines = []
    for i in range(count):
        if i % 5 == 4:
            lines.append(f"$$\n\\sum_{{k=1}}^{{{i}}} \\frac{{k^2}}{{{i}+k}} = x_{{{i}}}\n$$\n")
        else:
            lines.append(f"Term {i}: $\\sqrt{{a_{{{i}}}^2 + b^2}}$ and $e^{{i\\pi {i}}}$.\n")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--formulas", type=int, default=60)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    typeset("x", display=False, size=16, color="#000000", ratio=1.0)  # ziamath's first load

    samples = []
    for i in range(20):
        started = time.perf_counter()
        typeset(
            f"\\frac{{{i}}}{{x+{i}}} + \\sqrt{{y_{i}}}",
            display=False,
            size=16,
            color="#000000",
            ratio=1.0,
        )
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()

    view = TranscriptView(open_links=False)
    view.resize(900, 700)
    view.show()
    typesetter = shared_typesetter()
    beats: list[float] = []
    heart = QTimer()
    heart.setInterval(5)
    heart.timeout.connect(lambda: beats.append(time.perf_counter()))
    text = answer(args.formulas)
    message = Message(role=Role.ASSISTANT, content=text, id="m", state=MessageState.COMPLETE)
    renders = typesetter.renders
    started = time.perf_counter()
    view.set_messages([message])
    view.viewport().repaint()  # the formulas on screen ask to be typeset
    first_ms = (time.perf_counter() - started) * 1000
    heart.start()
    while typesetter.busy or time.perf_counter() - started < 0.05:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
    all_typeset = time.perf_counter() - started
    heart.stop()
    gaps = [(b - a) * 1000 for a, b in itertools.pairwise(beats)]
    typeset_count = typesetter.renders - renders

    started = time.perf_counter()
    view.set_messages([message])
    view.viewport().repaint()
    again_ms = (time.perf_counter() - started) * 1000
    hits = typesetter.renders - renders - typeset_count

    summary = {
        "benchmark": "formulas",
        "formulas": typeset_count,
        "typeset_ms_p50": round(samples[len(samples) // 2], 2),
        "typeset_ms_max": round(samples[-1], 2),
        "first_shown_ms": round(first_ms, 1),
        "all_typeset_s": round(all_typeset, 3),
        "longest_loop_gap_ms": round(max(gaps, default=0.0), 1),
        "shown_again_ms": round(again_ms, 1),
        "typeset_again": hits,
        "goals": {"longest_loop_gap_ms": {"goal": GOAL_STALL_MS, "measured": max(gaps)}},
        "goals_met": max(gaps, default=0.0) <= GOAL_STALL_MS and hits == 0,
    }
    print(
        f"typeset one formula: p50 {summary['typeset_ms_p50']} ms, max "
        f"{summary['typeset_ms_max']} ms (worker thread)"
    )
    print(f"answer shown (formulas as source) in {first_ms:.1f} ms")
    print(
        f"{typeset_count} formulas typeset in {all_typeset:.2f} s while the loop's longest "
        f"gap was {summary['longest_loop_gap_ms']} ms"
    )
    print(f"the same answer shown again: {again_ms:.1f} ms, {hits} formulas typeset again")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
