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
from tests.support.waiting import PATIENCE, wait_until

ROOT = Path(__file__).resolve().parents[2]
CHUNK = "x" * 2000  # large deltas fill the frozen view's socket buffers quickly
BATCH = 50  # deltas pushed at once
# Far beyond what loopback socket buffers hold (tcp_wmem max 4 MiB; the stuck reader's
# receive buffer does not grow once it stops reading): ends a run whose view is never dropped.
FLOOD_LIMIT = 64 * 2**20


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
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        result = run_async(_scenario(harness, stuck), timeout=PATIENCE * 8)
    finally:
        stuck.kill()
        stuck.wait()
        assert stuck.stdout is not None
        stuck.stdout.close()
        run_async(harness.close())
    max_backlog, dropped, healthy_ok = result
    assert healthy_ok
    assert max_backlog <= fanout.MAX_BACKLOG + 10  # skipped, not queued without bound
    assert dropped  # the stall limit fired long before FLOOD_LIMIT bytes were pushed


async def _scenario(harness: Harness, stuck: subprocess.Popen[str]) -> tuple[int, bool, bool]:
    server, model, service = harness.server, harness.model, harness.service
    conversation = service.new_conversation()
    server.set_active_conversation(conversation.id)
    healthy: Viewer = await harness.viewer()
    assert stuck.stdout is not None
    ready = await asyncio.get_running_loop().run_in_executor(None, stuck.stdout.readline)
    assert ready == "ready\n", f"the stuck viewer did not connect: {ready!r}"
    # An external fact (the kernel's view of another process), hence a poll:
    await wait_until(lambda: psutil.Process(stuck.pid).status() == psutil.STATUS_STOPPED)
    healthy_sid = healthy.client.get_sid()
    stuck_sid = next(sid for sid in server._fanout.views if sid != healthy_sid)

    message = service.send(conversation.id, "flood me")
    max_backlog = 0
    pushed = 0

    def healthy_has_all() -> bool:
        reply = healthy.replies.get(message.id)
        return reply is not None and reply.seq == pushed

    # Paced by the healthy view, not the clock: the next batch goes out once it has shown
    # every delta so far, so however slow the machine it never backs up itself, while the
    # stuck view, which reads nothing, fills its socket buffers and then its queue.
    while stuck_sid in server._fanout.views and pushed * len(CHUNK) < FLOOD_LIMIT:
        model.push(*([CHUNK] * BATCH))
        pushed += BATCH
        max_backlog = max(max_backlog, server._backlog(stuck_sid))  # white-box: queue size
        await wait_until(lambda: healthy_has_all() or stuck_sid not in server._fanout.views)
        max_backlog = max(max_backlog, server._backlog(stuck_sid))
    dropped = stuck_sid not in server._fanout.views
    print("DEBUG pushed", pushed, "backlog", max_backlog, "dropped", dropped)
    model.end()
    await wait_until(lambda: healthy.replies[message.id].state == "complete")
    healthy_ok = healthy.replies[message.id].text == CHUNK * pushed
    return max_backlog, dropped, healthy_ok


def test_view_refused_when_full(
    harness: Harness, run_async: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamchat_desktop.companion import admission as admission_module
    from streamchat_desktop.companion import protocol as p

    monkeypatch.setattr(admission_module, "MAX_VIEWS", 2)

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
