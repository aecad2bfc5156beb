"""A stuck view costs bounded memory, never slows the loop or the others, and is dropped."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pytest
import socketio

from streamchat_desktop.companion import fanout
from streamchat_desktop.companion.server import CompanionServer
from streamchat_desktop.core.chat_service import ChatService
from streamchat_desktop.core.store import MemoryStore
from tests.companion.conftest import Harness, ScriptedModel, Viewer
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
CHUNK = "x" * 2000  # large deltas fill the frozen view's socket buffers quickly


def test_stuck_view_is_skipped_then_dropped(
    run_async: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fanout, "STALL_LIMIT", 1.0)
    model = ScriptedModel()
    store = MemoryStore()
    service = ChatService(store, model.target)
    server = CompanionServer(service)
    run_async(server.start())
    harness = Harness(store, model, service, server)
    base = f"http://127.0.0.1:{server.port}"
    stuck = subprocess.Popen(
        [sys.executable, "-m", "tests.companion.stuck_viewer", base, server.token],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    try:
        result = run_async(_scenario(harness, stuck.pid), timeout=60)
    finally:
        stuck.kill()
        stuck.wait()
        run_async(harness.close())
    max_backlog, max_gap, dropped_after, healthy_ok = result
    print(f"backlog={max_backlog} gap={max_gap:.3f} dropped_after={dropped_after:.2f}")
    assert healthy_ok
    assert max_backlog <= fanout.MAX_BACKLOG + 10  # skipped, not queued without bound
    assert dropped_after < 10.0
    assert max_gap < 0.25, f"the loop stalled {max_gap * 1000:.0f} ms"


async def _scenario(harness: Harness, pid: int) -> tuple[int, float, float, bool]:
    server, model, service = harness.server, harness.model, harness.service
    conversation = service.new_conversation()
    server.set_active_conversation(conversation.id)
    healthy: Viewer = await harness.viewer()
    await wait_until(lambda: server.view_count == 2, timeout=15)
    await wait_until(lambda: psutil.Process(pid).status() == psutil.STATUS_STOPPED, timeout=15)
    healthy_sid = healthy.client.get_sid()
    stuck_sid = next(sid for sid in server._fanout.views if sid != healthy_sid)

    gaps: list[float] = []
    ticking = True

    async def ticker() -> None:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while ticking:
            await asyncio.sleep(0.005)
            now = loop.time()
            gaps.append(now - last - 0.005)
            last = now

    tick = asyncio.ensure_future(ticker())
    message = service.send(conversation.id, "flood me")
    loop = asyncio.get_running_loop()
    started = loop.time()
    max_backlog = 0
    pushed = 0
    while stuck_sid in server._fanout.views and loop.time() - started < 15:
        model.push(*([CHUNK] * 50))
        pushed += 50
        max_backlog = max(max_backlog, server._backlog(stuck_sid))  # white-box: queue size
        await asyncio.sleep(0.01)
    dropped_after = loop.time() - started
    model.end()
    await wait_until(lambda: healthy.replies[message.id].state == "complete", timeout=15)
    ticking = False
    await tick
    healthy_ok = healthy.replies[message.id].text == CHUNK * pushed
    return max_backlog, max(gaps), dropped_after, healthy_ok


def test_view_refused_when_full(
    harness: Harness, run_async: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamchat_desktop.companion import protocol as p
    from streamchat_desktop.companion import server as server_module

    monkeypatch.setattr(server_module, "MAX_VIEWS", 2)

    async def scenario() -> list[Any]:
        await harness.viewer()
        await harness.viewer()
        client = socketio.AsyncClient(reconnection=False)
        errors: list[Any] = []
        client.on("connect_error", errors.append)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect(
                harness.base_url,
                auth={"token": harness.server.token},
                transports=["websocket"],
                wait_timeout=5,
            )
        await client.eio.disconnect()
        return errors

    errors = run_async(scenario())
    assert errors[-1]["message"] == p.REFUSED_FULL
