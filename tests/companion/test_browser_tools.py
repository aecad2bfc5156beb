"""The companion page in Chromium shows a tool call and its result as they happen, with
no way to approve it there: the call waits for the desktop's decision."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from streamchat_desktop.companion.server import STATIC_DIR, CompanionServer
from streamchat_desktop.core.approvals import ApprovalDesk
from streamchat_desktop.core.chat_service import ChatService, ChatTarget, ToolSetup
from streamchat_desktop.core.store import MemoryStore
from streamchat_desktop.core.tools import Decision
from streamchat_desktop.providers.base import Endpoint
from streamchat_desktop.providers.openai_compat import OpenAICompatibleProvider
from tests.support.chromium import CHROMIUM, live_page
from tests.support.fake_openai import FakeOpenAIServer, Script, ScriptedCall, calling
from tests.support.local_tools import LocalToolbox
from tests.support.waiting import wait_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
    pytest.mark.skipif(not (STATIC_DIR / "index.html").exists(), reason="page not built"),
]


def test_page_shows_a_waiting_call_then_its_result(
    run_async: Callable[..., Any], tmp_path: Path
) -> None:
    with FakeOpenAIServer() as fake:
        provider = OpenAICompatibleProvider(Endpoint(fake.base_url))
        desk = ApprovalDesk(lambda _k: False, lambda _k: None)
        service = ChatService(
            MemoryStore(),
            lambda _c: ChatTarget(provider.stream, "m"),
            tools=ToolSetup(LocalToolbox(), desk),
        )
        server = CompanionServer(service)
        run_async(server.start())
        try:
            run_async(_drive(service, server, desk, fake, tmp_path), timeout=90)
        finally:
            run_async(service.stop_all())
            run_async(server.stop())
            run_async(provider.aclose())


async def _drive(
    service: ChatService,
    server: CompanionServer,
    desk: ApprovalDesk,
    fake: FakeOpenAIServer,
    tmp: Path,
) -> None:
    conversation = service.new_conversation(title="Tools")
    server.set_active_conversation(conversation.id)
    async with live_page(server, tmp / "profile", width=1280, height=720) as live:
        page = live.page
        call = ScriptedCall("echo", ['{"text": ', '"from the page test"}'])
        fake.enqueue(calling(call, deltas=["Calling echo. "]), Script(deltas=["Echoed."]))
        service.send(conversation.id, "echo something")

        waiting = page.locator("[data-testid=tool-call][data-status=pending]")
        await waiting.wait_for()
        assert "Tool: echo (local) — waiting for a decision in the desktop app" in (
            await waiting.inner_text()
        )
        assert await page.get_by_role("button", name="Allow once").count() == 0
        await wait_until(lambda: desk.pending() == [call.id], timeout=10)
        desk.decide(call.id, Decision.ALLOW_ONCE)

        done = page.locator("[data-testid=tool-call][data-status=done]")
        await done.wait_for()
        await done.locator("summary").click()
        assert await done.locator("pre.result").inner_text() == "echo: from the page test"
        assert await done.locator("pre.arguments").inner_text() == (
            '{"text": "from the page test"}'
        )
        await page.wait_for_selector(
            "[data-testid=message-assistant][data-state=complete] >> text=Echoed."
        )
        assert not live.errors, live.errors
