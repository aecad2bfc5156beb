"""A view's prompt meets the machine's faults, not a bug (issue 14, item 9): a lone
surrogate in the JSON is repaired where it enters, a full disk is a known ack code.
The real server, a real SQLite file (on a real, full tmpfs), raw Engine.IO packets."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from streamchat_desktop.companion import protocol as p
from streamchat_desktop.companion.server import CompanionServer
from streamchat_desktop.core.chat_service import ChatService
from streamchat_desktop.core.models import Role
from streamchat_desktop.storage.repository import SqliteStore
from tests.companion.conftest import Harness, ScriptedModel
from tests.companion.raw_engineio import RawWebSocket
from tests.support.mounts import fill_disk, small_tmpfs

RunAsync = Callable[..., Any]


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    with small_tmpfs(tmp_path / "disk", size="2m") as where:
        yield where


@pytest.fixture
def sqlite_harness(disk: Path, run_async: RunAsync) -> Iterator[Harness]:
    store = SqliteStore.open(disk / "history.sqlite3")
    model = ScriptedModel()
    service = ChatService(store, model.target)
    server = CompanionServer(service)
    run_async(server.start())
    harness = Harness(store, model, service, server)  # type: ignore[arg-type]
    yield harness
    run_async(harness.close())
    store.close()


async def _send_raw(harness: Harness, packet: str) -> Any:
    async with aiohttp.ClientSession() as session:
        raw = await RawWebSocket.connect(session, harness.base_url, harness.server.token)
        try:
            await raw.send(packet)
            return await raw.ack(1)
        finally:
            await raw.close()


def test_a_lone_surrogate_in_a_prompt_is_repaired_and_sent(
    sqlite_harness: Harness, run_async: RunAsync
) -> None:
    """``\\ud800`` as a JSON escape decodes into a ``str`` SQLite cannot encode: the ack
    was ``internal`` with a traceback in the log."""
    ack = run_async(_send_raw(sqlite_harness, '421["prompt:send",{"text":"caf\\ud800e"}]'))
    assert ack["ok"] is True, ack
    sqlite_harness.model.end()
    prompts = [
        m.content
        for m in sqlite_harness.store.messages(ack["conversation_id"])
        if m.role is Role.USER
    ]
    assert prompts == ["caf\ufffde"]
    assert sqlite_harness.model.requests[0].messages[-1].content == "caf\ufffde"


def test_a_prompt_on_a_full_disk_gets_a_storage_error(
    sqlite_harness: Harness, disk: Path, run_async: RunAsync, caplog: pytest.LogCaptureFixture
) -> None:
    filler = fill_disk(disk)
    try:
        ack = run_async(_send_raw(sqlite_harness, '421["prompt:send",{"text":"hello"}]'))
    finally:
        filler.unlink()
    assert ack["ok"] is False
    assert ack["error"] == p.ERROR_STORAGE
    assert "disk is full" in ack["message"]
    assert not [r for r in caplog.records if r.exc_info], "an environment fault is no bug"
