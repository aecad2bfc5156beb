"""Companion view benchmark: 1, 10 and 100 viewers, a reply at 1,000 and 5,000 deltas/s.

Three processes per run, on loopback: the relay (``companion_relays.py``: the real
CompanionServer, or the article-style Flask-SocketIO baseline), the viewers (N
python-socketio clients in one process) and this orchestrator. Reported per run:
completeness (every delta, in order, exactly once, at every viewer), latency from the
app receiving a delta to a viewer receiving it (p50/p99/max), the relay's longest
stall and the CPU of relay and viewers. The last line is JSON.

    .venv/bin/python bench/companion.py            # the full matrix (~2 min)
    .venv/bin/python bench/companion.py --quick    # 3 runs of ours + 1 baseline (~30 s)

Goals (issue 6): 100 viewers at 1,000 deltas/s with nothing lost, p99 ≤ 100 ms, the
desktop loop never stalled more than 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PY = sys.executable
GOALS = {"viewers": 100, "rate": 1000, "p99_ms": 100.0, "stall_ms": 50.0}


# --- viewers (a separate process) -------------------------------------------------------


@dataclass
class _Viewer:
    last_seq: int = 0
    in_order: int = 0
    broken: int = 0  # gaps or duplicates
    messages: int = 0
    total: int | None = None
    latencies: list[float] = field(default_factory=list)

    def take(self, text: str) -> None:
        now = time.monotonic()
        self.messages += 1
        for token in text.split():
            seq_hex, _, stamp_hex = token.partition(":")
            seq = int(seq_hex, 16)
            if seq == self.last_seq + 1:
                self.in_order += 1
            else:
                self.broken += 1
            self.last_seq = max(self.last_seq, seq)
            self.latencies.append(now - int(stamp_hex, 16) / 1e6)

    @property
    def done(self) -> bool:
        return self.total is not None and self.last_seq >= self.total


async def run_viewers(system: str, url: str, token: str, count: int, timeout: float) -> None:
    import socketio

    viewers = [_Viewer() for _ in range(count)]
    clients = []
    for viewer in viewers:
        client = socketio.AsyncClient(reconnection=False)
        if system == "ours":
            client.on("message:delta", lambda d, v=viewer: v.take(d["text"]))
            client.on("message:finished", lambda d, v=viewer: setattr(v, "total", d["seq"]))
        else:
            client.on("chunk", viewer.take)
            client.on("done", lambda d, v=viewer: setattr(v, "total", d["seq"]))
        clients.append(client)
    auth = {"token": token} if token else None
    for start in range(0, count, 20):
        await asyncio.gather(
            *(
                c.connect(url, auth=auth, transports=["websocket"], wait_timeout=10)
                for c in clients[start : start + 20]
            )
        )
    print("connected", flush=True)
    cpu = time.process_time()
    deadline = time.monotonic() + timeout
    while not all(v.done for v in viewers) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    cpu = time.process_time() - cpu
    latencies = sorted(x for v in viewers for x in v.latencies)
    print(
        json.dumps(
            {
                "in_order": [v.in_order for v in viewers],
                "broken": sum(v.broken for v in viewers),
                "messages": sum(v.messages for v in viewers),
                "complete_viewers": sum(1 for v in viewers if v.done and v.broken == 0),
                "p50_ms": _pct(latencies, 0.50),
                "p99_ms": _pct(latencies, 0.99),
                "max_ms": latencies[-1] * 1000 if latencies else None,
                "cpu_seconds": cpu,
            }
        ),
        flush=True,
    )
    await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


# --- orchestration ----------------------------------------------------------------------


def run_once(system: str, viewers: int, rate: int, duration: float, grace: float) -> dict[str, Any]:
    relay = subprocess.Popen(
        [PY, str(HERE / "companion_relays.py"), system, str(rate), str(duration)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    watchers = None
    try:
        assert relay.stdin and relay.stdout
        info = json.loads(relay.stdout.readline())
        url = f"http://127.0.0.1:{info['port']}"
        watchers = subprocess.Popen(
            [
                PY,
                str(HERE / "companion.py"),
                "--viewer",
                system,
                url,
                info["token"],
                str(viewers),
                str(duration + grace),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert watchers.stdout
        if watchers.stdout.readline().strip() != "connected":
            raise RuntimeError("viewers did not connect")
        relay.stdin.write("go\n")
        relay.stdin.flush()
        seen = json.loads(watchers.stdout.readline())
        relay.stdin.write("quit\n")
        relay.stdin.flush()
        server = json.loads(relay.stdout.readline())
    finally:
        for process in (watchers, relay):
            if process is not None:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    total = server["produced"]
    delivered = sum(seen["in_order"]) / (total * viewers) if total else 0.0
    return {
        "system": system,
        "viewers": viewers,
        "rate": rate,
        "deltas": total,
        "complete": seen["complete_viewers"] == viewers and seen["broken"] == 0,
        "delivered": round(delivered, 6),
        "complete_viewers": seen["complete_viewers"],
        "out_of_order_or_dup": seen["broken"],
        "messages": seen["messages"],
        "p50_ms": _round(seen["p50_ms"]),
        "p99_ms": _round(seen["p99_ms"]),
        "max_ms": _round(seen["max_ms"]),
        "stall_ms": _round(server["max_stall_ms"]),
        "produce_s": _round(server["produce_seconds"]),
        "offered_s": duration,
        "relay_cpu_pct": _round(100 * server["cpu_seconds"] / server["wall_seconds"]),
        "viewer_cpu_s": _round(seen["cpu_seconds"]),
        "mode": server["mode"],
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter runs")
    parser.add_argument("--no-baseline", action="store_true", help="skip Flask-SocketIO")
    args = parser.parse_args()
    duration, grace = (1.5, 4.0) if args.quick else (3.0, 8.0)
    matrix = [(n, r) for n in (1, 10, 100) for r in (1000, 5000)]
    ours = [(1, 1000), (100, 1000), (100, 5000)] if args.quick else matrix
    baseline = [(100, 1000)] if args.quick else [(1, 1000), (10, 1000), (100, 1000), (100, 5000)]
    runs = [("ours", n, r) for n, r in ours]
    if not args.no_baseline:
        runs += [("baseline", n, r) for n, r in baseline]
    results = []
    for system, viewers, rate in runs:
        result = run_once(system, viewers, rate, duration, grace)
        results.append(result)
        print(
            f"{system:8} {viewers:3} viewers {rate:5}/s  delivered {result['delivered']:8.2%}"
            f"  p50 {result['p50_ms']} ms  p99 {result['p99_ms']} ms  stall {result['stall_ms']}"
            f" ms  relay CPU {result['relay_cpu_pct']}%  msgs {result['messages']}",
            flush=True,
        )
    goal = next(
        (
            r
            for r in results
            if r["system"] == "ours"
            and (r["viewers"], r["rate"]) == (GOALS["viewers"], GOALS["rate"])
        ),
        None,
    )
    met = bool(
        goal
        and goal["complete"]
        and goal["p99_ms"] is not None
        and goal["p99_ms"] <= GOALS["p99_ms"]
        and goal["stall_ms"] <= GOALS["stall_ms"]
    )
    print(
        json.dumps(
            {
                "benchmark": "companion",
                "quick": args.quick,
                "goals": GOALS,
                "goals_met": met,
                "runs": results,
            }
        )
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--viewer":
        system_arg, url_arg, token_arg, count_arg, timeout_arg = sys.argv[2:7]
        asyncio.run(run_viewers(system_arg, url_arg, token_arg, int(count_arg), float(timeout_arg)))
    else:
        main()
