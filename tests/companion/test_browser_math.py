"""A math answer in the built page, in headless Chromium: typeset by KaTeX, with its bundled
fonts and its inline styles allowed by the page's Content-Security-Policy.

The whole path is real, as in test_browser.py: the tests' OpenAI-compatible server → SDK →
ChatService → CompanionServer → Socket.IO → React page.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from streamchat_desktop.companion.server import STATIC_DIR, CompanionServer
from streamchat_desktop.core.chat_service import ChatService, ChatTarget
from streamchat_desktop.core.models import Conversation
from streamchat_desktop.core.store import MemoryStore
from streamchat_desktop.providers.base import Endpoint
from streamchat_desktop.providers.openai_compat import OpenAICompatibleProvider
from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.support.fake_openai import FakeOpenAIServer, Script
from tests.support.waiting import wait_until

MATH_ANSWER = [
    "Energy is $E=mc^2$",
    " and a ratio is \\(\\frac{a}{b}\\); it costs $5 and $10.\n\n",
    "$$\n\\sum_{i=1}^{n} i = \\frac{n(n+1)}{2}\n$$\n\n",
    "Broken: $\\frac{a$ stays source.\n",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
    pytest.mark.skipif(
        not (STATIC_DIR / "index.html").exists(), reason="page not built: npm run build in web/"
    ),
]


def test_a_math_answer_is_typeset_by_katex_in_the_page(
    run_async: Callable[..., Any], tmp_path: Path
) -> None:
    with FakeOpenAIServer() as fake:
        provider = OpenAICompatibleProvider(Endpoint(fake.base_url, api_key="sk-test"))

        def target(_conversation: Conversation) -> ChatTarget:
            return ChatTarget(open_stream=provider.stream, model="m")

        service = ChatService(MemoryStore(), target)
        server = CompanionServer(service)
        run_async(server.start())
        try:
            run_async(_drive(service, server, fake, tmp_path), timeout=90)
        finally:
            run_async(service.stop_all())
            run_async(server.stop())
            run_async(provider.aclose())


async def _drive(
    service: ChatService, server: CompanionServer, fake: FakeOpenAIServer, tmp: Path
) -> None:
    from playwright.async_api import async_playwright

    conversation = service.new_conversation(title="Math")
    server.set_active_conversation(conversation.id)
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(tmp / "profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1000, "height": 700},
        )
        try:
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            failed: list[str] = []  # the page's own files (fonts, styles) that did not load
            page.on(
                "response",
                lambda r: failed.append(r.url) if r.status >= 400 and "/assets/" in r.url else None,
            )
            await page.goto(server.url)
            await page.wait_for_selector("[data-testid=connection]:has-text('Live')")
            await page.evaluate(
                "() => { window.violations = [];"
                " document.addEventListener('securitypolicyviolation',"
                " e => window.violations.push(e.violatedDirective)); }"
            )
            fake.enqueue(Script(deltas=MATH_ANSWER))
            service.send(conversation.id, "Some math, please")
            reply = page.locator("[data-testid=message-assistant][data-state=complete]")
            await reply.wait_for()
            assert await reply.locator(".katex").count() == 3  # two inline, one display
            assert await reply.locator(".katex-display").count() == 1
            assert await reply.locator(".katex-error").count() == 1  # the malformed one
            text = await reply.inner_text()
            assert "it costs $5 and $10." in text
            assert "\\frac{a" in text
            # KaTeX's own font, bundled with the page, is what draws the formula
            await page.wait_for_function("() => document.fonts.check('16px KaTeX_Main')")
            family = await reply.locator(".katex .mord").first.evaluate(
                "e => getComputedStyle(e).fontFamily"
            )
            assert "KaTeX" in family
            # the fraction's parts are placed by KaTeX's inline styles: the CSP lets them be
            heights = await reply.locator(".katex-display .vlist").first.evaluate(
                "e => e.getBoundingClientRect().height"
            )
            assert heights > 10
            assert await page.evaluate("() => window.violations") == []  # style-src-attr
            assert not errors, errors
            assert not failed, failed
        finally:
            await context.close()
    await wait_until(lambda: server.view_count == 0)
    await asyncio.sleep(0)
