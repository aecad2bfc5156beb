"""The built page in headless Chromium, talking to the real server on the qasync loop.

Replies come from the tests' OpenAI-compatible server through the real provider, so the
whole path is real: fake OpenAI → SDK → ChatService → CompanionServer → Socket.IO →
React page. Needs Debian's ``/usr/bin/chromium`` and the built page (``npm run build``).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from streamchat_desktop.companion.server import STATIC_DIR, CompanionServer
from streamchat_desktop.core.chat_service import ChatService
from tests.companion.conftest import ModelChat
from tests.support.chromium import CHROMIUM, LivePage, live_page
from tests.support.fake_openai import FakeOpenAIServer, Gate, Script

ROOT = Path(__file__).resolve().parents[2]
# The README's screenshots are retaken only when asked (STREAMCHAT_SCREENSHOTS=1), so a
# test run never dirties the work tree; otherwise they go to the test's temp dir.
SCREENSHOT_DIR = ROOT / "docs" / "screenshots"

ANSWER = [
    "## Streaming",
    " in",
    " the",
    " companion",
    " view\n\n",
    "The",
    " desktop",
    " app",
    " relays",
    " every",
    " delta",
    " to",
    " each",
    " view:\n\n",
    "- **coalesced**",
    " per",
    " frame\n",
    "- numbered",
    " by `seq`",
    "\n",
    "- rendered",
    " safely",
    "\n\n```python\n",
    "async for chunk in stream:\n",
    "    print(chunk)\n",
    "```\n\n",
    "<script>alert('not run')</script>",
]
PAGE_ANSWER = ["Hello", " from", " the", " desktop", " app", "!"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
    pytest.mark.skipif(
        not (STATIC_DIR / "index.html").exists(), reason="page not built: npm run build in web/"
    ),
]


def test_page_shows_streams_and_sends_prompts(
    run_async: Callable[..., Any], model_chat: ModelChat, tmp_path: Path
) -> None:
    chat = model_chat
    run_async(_drive_page(chat.service, chat.server, chat.fake, tmp_path), timeout=90)


def _screenshot_path(tmp: Path, name: str) -> str:
    folder = SCREENSHOT_DIR if os.environ.get("STREAMCHAT_SCREENSHOTS") == "1" else tmp
    return str(folder / name)


async def _drive_page(
    service: ChatService, server: CompanionServer, fake: FakeOpenAIServer, tmp: Path
) -> None:
    conversation = service.new_conversation(title="Streaming demo")
    service.new_conversation(title="Another conversation")
    server.set_active_conversation(conversation.id)

    async def watch_dialogs(live: LivePage) -> None:
        live.page.on("dialog", lambda dialog: live.errors.append("dialog: " + dialog.message))

    async with live_page(server, tmp / "profile", before_load=watch_dialogs) as live:
        page, errors = live.page, live.errors
        assert "token=" not in page.url  # the token leaves the address bar

        # 1. a prompt typed in the desktop window streams into the page
        heading_sent = Gate(after=5)  # held once the heading is sent, until seen
        fake.enqueue(Script(deltas=ANSWER, gate=heading_sent))
        service.send(conversation.id, "How does the companion view work?")
        reply = page.locator("[data-testid=message-assistant]").last
        await page.wait_for_function(
            "() => document.querySelector('[data-testid=message-assistant] h2')"
        )
        assert await reply.get_attribute("data-state") == "streaming"  # shown as it streams
        heading_sent.release()
        await page.wait_for_selector("[data-testid=message-assistant][data-state=complete]")
        assert await reply.locator("h2").inner_text() == "Streaming in the companion view"
        assert await reply.locator("pre code").inner_text() == (
            "async for chunk in stream:\n    print(chunk)\n"
        )
        assert "<script>alert('not run')</script>" in await reply.inner_text()
        assert await page.locator(".markdown script").count() == 0
        await page.screenshot(path=_screenshot_path(tmp, "companion-view.png"))

        # 2. a prompt typed in the page streams (in the page and to the desktop app)
        fake.enqueue(Script(deltas=PAGE_ANSWER))
        await page.get_by_label("Prompt").fill("Say hello")
        await page.get_by_label("Prompt").press("Enter")
        await page.wait_for_selector("[data-testid=message-user]:has-text('Say hello')")
        await page.wait_for_selector(
            "[data-testid=message-assistant][data-state=complete] >> text=Hello from the"
            " desktop app!"
        )
        request = fake.last_request
        assert request.json["messages"][-1]["content"] == "Say hello"
        saved = service.messages(conversation.id)[-1]
        assert saved.content == "".join(PAGE_ANSWER)

        # 3. Stop in the page ends the reply; the HTTP stream to the model is closed
        long_answer = Script(deltas=[f"word{i} " for i in range(200)], gate=Gate(after=4))
        fake.enqueue(long_answer)  # held after word3: Stop comes while it streams
        await page.get_by_label("Prompt").fill("Talk for a long time")
        await page.get_by_label("Prompt").press("Enter")
        await page.wait_for_selector("[data-testid=message-assistant] >> text=word3")
        await page.get_by_role("button", name="Stop").click()
        await page.wait_for_selector("[data-testid=message-assistant][data-state=stopped]")
        await asyncio.to_thread(fake.last_request.closed_event.wait, 5)
        assert fake.last_request.client_closed

        # 4. the phone layout: the list is a drawer, opened from the menu
        await page.set_viewport_size({"width": 390, "height": 760})
        await page.wait_for_selector("[data-testid=message-assistant][data-state=stopped]")
        await page.wait_for_function(  # the drawer's slide-out transition has ended
            "() => document.getAnimations().every(a => a.playState !== 'running')"
        )
        await page.screenshot(path=_screenshot_path(tmp, "companion-view-phone.png"))
        await page.get_by_role("button", name="Conversations").click()
        await page.get_by_role("button", name="Another conversation").click()
        await page.wait_for_selector("h1:has-text('Another conversation')")
        assert not errors, errors
        content = await page.content()
        assert "sk-test-secret" not in content
