"""A stuck view costs bounded memory, never holds up the others, and is dropped.

(How long the loop may stall while views fall behind: bench/companion.py's ``stall_ms``.)
"""

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
        result = run_async(_scenario(harness, stuck.pid), timeout=100)
    finally:
        stuck.kill()
        stuck.wait()
        run_async(harness.close())
    max_backlog, dropped, healthy_ok = result
    assert healthy_ok
    assert max_backlog <= fanout.MAX_BACKLOG + 10  # skipped, not queued without bound
    assert dropped  # the stall limit (1 s here) fired, well before the flood's 45 s end


async def _scenario(harness: Harness, pid: int) -> tuple[int, bool, bool]:
    server, model, service = harness.server, harness.model, harness.service
    conversation = service.new_conversation()
    server.set_active_conversation(conversation.id)
    healthy: Viewer = await harness.viewer()
    await wait_until(lambda: server.view_count == 2)
    await wait_until(lambda: psutil.Process(pid).status() == psutil.STATUS_STOPPED)
    healthy_sid = healthy.client.get_sid()
    stuck_sid = next(sid for sid in server._fanout.views if sid != healthy_sid)

    message = service.send(conversation.id, "flood me")
    loop = asyncio.get_running_loop()
    started = loop.time()
    max_backlog = 0
    pushed = 0
    while stuck_sid in server._fanout.views and loop.time() - started < 45:
        model.push(*([CHUNK] * 50))
        pushed += 50
        max_backlog = max(max_backlog, server._backlog(stuck_sid))  # white-box: queue size
        await asyncio.sleep(0.01)
    dropped = stuck_sid not in server._fanout.views
    model.end()
    await wait_until(lambda: healthy.replies[message.id].state == "complete", timeout=30)
    healthy_ok = healthy.replies[message.id].text == CHUNK * pushed
    return max_backlog, dropped, healthy_ok


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
                wait_timeout=30,
            )
        await client.eio.disconnect()
        return errors

    errors = run_async(scenario())
    assert errors[-1]["message"] == p.REFUSED_FULL
