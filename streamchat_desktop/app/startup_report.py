"""Start-up timing, for the benchmark and the tests: the process's age, reported on stderr.

Imports nothing beyond the standard library's basics: it runs before the first frame.
"""

from __future__ import annotations

import os
import sys
import time


def process_age() -> float:
    """Seconds since this process started (from /proc; elsewhere, CPU time as a stand-in)."""
    try:
        with open(f"/proc/{os.getpid()}/stat", encoding="ascii") as stat:
            start_ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as uptime:
            up = float(uptime.read().split()[0])
        return up - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.process_time()


def report(label: str, age: float) -> None:
    """``label <age>`` on stderr, only with ``STREAMCHAT_REPORT_READY=1``.

    ``STREAMCHAT_READY``: the window's first frame is on screen. ``STREAMCHAT_STARTED``:
    every service is up and the event loop runs (the app takes prompts)."""
    if os.environ.get("STREAMCHAT_REPORT_READY") == "1":
        print(f"{label} {age:.4f}", file=sys.stderr, flush=True)
