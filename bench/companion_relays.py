"""The two relays the companion benchmark compares, each run as its own server process.

``ours``: the real ``CompanionServer`` + ``ChatService`` on one asyncio loop, fed by a
paced in-process model. ``baseline``: a relay written like the article the project
grew from — Flask-SocketIO, one ``emit`` per chunk, broadcast to every view — in
Flask-SocketIO's ``threading`` mode (Werkzeug threads, WebSocket via simple-websocket;
eventlet is deprecated and gunicorn ≥ 26 dropped its worker).

Every delta's text is ``"<seq hex>:<µs hex> "``, the CLOCK_MONOTONIC time the app got it
(system-wide on Linux), so a viewer in another process can time each delta.

Protocol with the orchestrator: print one JSON line ``{port, token}``; read ``go``;
stream the reply; read ``quit``; print one JSON line of results.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TICK = 0.005


def delta_text(seq: int) -> str:
    return f"{seq:x}:{int(time.monotonic() * 1e6):x} "


def due(started: float, rate: int, total: int) -> int:
    return min(total, int((time.monotonic() - started) * rate) + 1)


# --- ours -------------------------------------------------------------------------------


async def serve_ours(rate: int, duration: float) -> None:
    from streamchat_desktop.companion.server import CompanionServer
    from streamchat_desktop.core.chat_service import ChatService, ChatTarget
    from streamchat_desktop.core.events import StreamEnd, StreamEvent, TextDelta
    from streamchat_desktop.core.models import ChatRequest
    from streamchat_desktop.core.store import MemoryStore

    total = int(rate * duration)
    produced = {"count": 0, "seconds": 0.0}

    async def paced(_request: ChatRequest) -> AsyncIterator[StreamEvent]:
        started = time.monotonic()
        seq = 0
        while seq < total:
            target = due(started, rate, total)
            while seq < target:
                seq += 1
                yield TextDelta(delta_text(seq))
            produced["count"] = seq
            await asyncio.sleep(0.001)
        produced["seconds"] = time.monotonic() - started
        yield StreamEnd("stop")

    service = ChatService(MemoryStore(), lambda _c: ChatTarget(open_stream=paced, model="b"))
    server = CompanionServer(service)
    await server.start()
    conversation = service.new_conversation()
    server.set_active_conversation(conversation.id)
    print(json.dumps({"port": server.port, "token": server.token}), flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.readline)  # "go"

    stall = _LoopStall()
    ticker = asyncio.ensure_future(stall.run())
    cpu, wall = time.process_time(), time.monotonic()
    message = service.send(conversation.id, "benchmark")
    while service.is_streaming(message.id):
        await asyncio.sleep(0.05)
    await loop.run_in_executor(None, sys.stdin.readline)  # "quit": the viewers are done
    cpu, wall = time.process_time() - cpu, time.monotonic() - wall
    stall.running = False
    await ticker
    await server.stop()
    print(
        json.dumps(
            {
                "produced": produced["count"],
                "produce_seconds": produced["seconds"],
                "max_stall_ms": stall.worst * 1000,
                "cpu_seconds": cpu,
                "wall_seconds": wall,
                "mode": "python-socketio AsyncServer on aiohttp, asyncio loop, coalesced per frame",
            }
        ),
        flush=True,
    )


class _LoopStall:
    """The longest time the loop was late to wake a 5 ms sleeper: a frozen window."""

    def __init__(self) -> None:
        self.worst = 0.0
        self.running = True

    async def run(self) -> None:
        last = time.monotonic()
        while self.running:
            await asyncio.sleep(TICK)
            now = time.monotonic()
            self.worst = max(self.worst, now - last - TICK)
            last = now


# --- baseline (the article's stack) -----------------------------------------------------


def serve_baseline(rate: int, duration: float) -> None:
    from flask import Flask
    from flask_socketio import SocketIO
    from werkzeug.serving import make_server

    app = Flask("baseline")
    # As in the article: any origin, one emit per chunk (here to every view).
    socketio = SocketIO(app, async_mode="threading", cors_allowed_origins="*")
    http = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    print(json.dumps({"port": http.server_port, "token": ""}), flush=True)
    sys.stdin.readline()  # "go"

    worst = [0.0]
    running = [True]

    def ticker() -> None:  # no loop here: the stall of a thread that wants to run every 5 ms
        last = time.monotonic()
        while running[0]:
            time.sleep(TICK)
            now = time.monotonic()
            worst[0] = max(worst[0], now - last - TICK)
            last = now

    tick = threading.Thread(target=ticker, daemon=True)
    tick.start()
    total = int(rate * duration)
    cpu, wall = time.process_time(), time.monotonic()
    started, seq = time.monotonic(), 0
    while seq < total:
        target = due(started, rate, total)
        while seq < target:
            seq += 1
            socketio.emit("chunk", delta_text(seq))
        time.sleep(0.001)
    produce_seconds = time.monotonic() - started
    socketio.emit("done", {"seq": total})
    sys.stdin.readline()  # "quit"
    running[0] = False
    tick.join()
    cpu, wall = time.process_time() - cpu, time.monotonic() - wall
    print(
        json.dumps(
            {
                "produced": total,
                "produce_seconds": produce_seconds,
                "max_stall_ms": worst[0] * 1000,
                "cpu_seconds": cpu,
                "wall_seconds": wall,
                "mode": "Flask-SocketIO threading mode (Werkzeug threads + simple-websocket), "
                "one emit per chunk",
            }
        ),
        flush=True,
    )
    http.shutdown()


if __name__ == "__main__":
    system, rate_arg, duration_arg = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    if system == "ours":
        asyncio.run(serve_ours(rate_arg, duration_arg))
    else:
        serve_baseline(rate_arg, duration_arg)
