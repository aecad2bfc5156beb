"""Stream benchmark: how fast the provider path reacts, through the real openai SDK against
the tests' own OpenAI-compatible server. These were bounds inside tests once; a test on a
shared machine can only say *that* something happens, this script says how soon.

    .venv/bin/python bench/stream.py [--runs 20] [--quick]

Measured (median and worst of the runs):
  ttft_ms           time to first token of a reply the server sends at once (SDK overhead)
  tokens_per_s      rate of a 2,000-delta reply sent as fast as the server can
  stop_close_ms     Stop pressed mid-answer until the server sees the connection closed
  read_timeout_s    a 0.3 s read timeout on a server that holds the answer: when it fires
  connect_timeout_s a 0.3 s connect timeout on a port whose accept queue is full
  probe_s           the local-server probe over 4 ports (one closed, one HTML, one stalled,
                    one real), after the adapter is loaded
  probe_gap_ms      the longest the loop went unserved during that probe (a frozen window)
  idle_gap_ms       the same with the loop idle as long: what a busy machine adds by itself
Human-readable lines first; the JSON summary is the last line, with the goals each figure
is held to (the bounds the tests used to assert) and whether it met them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamchat_desktop.core.events import Failed, Finished, ReplyEvent  # noqa: E402
from streamchat_desktop.core.models import ChatRequest, ChatTurn, Role  # noqa: E402
from streamchat_desktop.core.session import ChatSession  # noqa: E402
from streamchat_desktop.providers.base import Endpoint  # noqa: E402
from streamchat_desktop.providers.openai_compat import OpenAICompatibleProvider  # noqa: E402
from streamchat_desktop.providers.probe import probe_local_servers  # noqa: E402
from tests.support.fake_openai import FakeOpenAIServer, Gate, Script  # noqa: E402
from tests.support.servers import free_port, full_backlog, raw_server  # noqa: E402

REQUEST = ChatRequest(model="m", messages=(ChatTurn(Role.USER, "Say hello"),))
GOALS = {
    "stop_close_ms": 200.0,
    "read_timeout_s": 1.5,
    "connect_timeout_s": 2.0,
    "probe_s": 0.9,
    "probe_gap_ms": 100.0,
}


def provider(base_url: str, timeout: float = 60.0, connect: float = 10.0) -> Any:
    return OpenAICompatibleProvider(Endpoint(base_url, "sk-bench-0123456789", timeout, connect))


def ignore(_event: ReplyEvent) -> None:
    """Replies are measured, not shown."""


async def ttft_and_rate(server: FakeOpenAIServer, deltas: int) -> tuple[float, float]:
    """(time to first token in ms, tokens per second) of one reply sent at once."""
    server.enqueue(Script(deltas=[f"w{i} " for i in range(deltas)]))
    adapter = provider(server.base_url)
    try:
        outcome = await ChatSession(adapter.stream, REQUEST, ignore).start()
    finally:
        await adapter.aclose()
    assert isinstance(outcome, Finished), outcome
    stats = outcome.stats
    assert stats.time_to_first_token is not None and stats.tokens_per_second is not None
    return stats.time_to_first_token * 1000, stats.tokens_per_second


async def stop_to_close(server: FakeOpenAIServer) -> float:
    """Milliseconds from Stop to the server seeing the connection closed."""
    held = Gate(after=5)
    server.enqueue(Script(deltas=["x "] * 50, gate=held))
    adapter = provider(server.base_url)
    try:
        session = ChatSession(adapter.stream, REQUEST, ignore)
        task = session.start()
        while not held.reached:
            await asyncio.sleep(0.001)
        request = server.last_request
        stopped = time.monotonic()
        session.stop()
        await task
        while not request.client_closed:
            await asyncio.sleep(0.001)
        assert request.client_closed_at is not None
        return (request.client_closed_at - stopped) * 1000
    finally:
        await adapter.aclose()


async def seconds_to_fail(adapter: Any) -> float:
    """How long a reply through ``adapter`` takes to fail (then the adapter is closed)."""
    try:
        started = time.monotonic()
        outcome = await ChatSession(adapter.stream, REQUEST, ignore).start()
        assert isinstance(outcome, Failed), outcome
        return time.monotonic() - started
    finally:
        await adapter.aclose()


async def read_timeout(server: FakeOpenAIServer) -> float:
    """Seconds until a 0.3 s read timeout ends a reply the server holds."""
    server.enqueue(Script(deltas=["partial ", "never"], gate=Gate(after=1)))
    return await seconds_to_fail(provider(server.base_url, timeout=0.3))


async def connect_timeout() -> float:
    """Seconds until a 0.3 s connect timeout fires (the read timeout is far away)."""
    with full_backlog() as port:
        url = f"http://127.0.0.1:{port}/v1"
        return await seconds_to_fail(provider(url, timeout=60.0, connect=0.3))


async def longest_gap_ms(work: Awaitable[Any]) -> tuple[Any, float]:
    """``work``'s result, and the longest the loop went unserved while it ran (ms)."""
    gaps: list[float] = []
    running = True

    async def ticker() -> None:
        last = time.monotonic()
        while running:
            await asyncio.sleep(0.005)
            now = time.monotonic()
            gaps.append(now - last - 0.005)
            last = now

    tick = asyncio.ensure_future(ticker())
    try:
        result = await work
    finally:
        running = False
        await tick
    return result, max(gaps, default=0.0) * 1000


async def probe(server: FakeOpenAIServer) -> tuple[float, float, float]:
    """(seconds for the probe, longest loop gap in ms while it ran, and while idle as
    long: the machine's own share of the gap)."""
    async with raw_server("html") as html, raw_server("stall") as stall:
        ports = [free_port(), html, stall, server.port]
        started = time.monotonic()
        found, gap = await longest_gap_ms(probe_local_servers(ports))
        elapsed = time.monotonic() - started
    assert [s.base_url for s in found] == [server.base_url], found
    _, idle_gap = await longest_gap_ms(asyncio.sleep(elapsed))
    return elapsed, gap, idle_gap


async def repeat(runs: int, measure: Callable[[], Awaitable[float]]) -> list[float]:
    return [await measure() for _ in range(runs)]


def summary(values: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(values), 3), "max": round(max(values), 3)}


async def measure(runs: int, deltas: int) -> dict[str, Any]:
    with FakeOpenAIServer(keep_requests=10, record_wire=False) as server:
        await probe_local_servers([free_port()])  # load the adapter: its import is not a probe
        ttft, rate = zip(*[await ttft_and_rate(server, deltas) for _ in range(runs)], strict=True)
        probes = [await probe(server) for _ in range(max(3, runs // 4))]
        return {
            "ttft_ms": summary(list(ttft)),
            "tokens_per_s": summary(list(rate)),
            "stop_close_ms": summary(await repeat(runs, lambda: stop_to_close(server))),
            "read_timeout_s": summary(await repeat(3, lambda: read_timeout(server))),
            "connect_timeout_s": summary(await repeat(3, connect_timeout)),
            "probe_s": summary([elapsed for elapsed, _, _ in probes]),
            "probe_gap_ms": summary([gap for _, gap, _ in probes]),
            "idle_gap_ms": summary([idle for _, _, idle in probes]),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="5 runs, 500 deltas (for CI)")
    args = parser.parse_args()
    runs, deltas = (5, 500) if args.quick else (args.runs, 2000)
    figures = asyncio.run(measure(runs, deltas))
    met = {name: figures[name]["max"] <= goal for name, goal in GOALS.items()}
    for name, values in figures.items():
        goal = f"  (goal ≤ {GOALS[name]})" if name in GOALS else ""
        print(f"{name:18} p50 {values['p50']:>10}  max {values['max']:>10}{goal}")
    print(json.dumps({"runs": runs, "deltas": deltas, **figures, "goals": GOALS, "met": met}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
