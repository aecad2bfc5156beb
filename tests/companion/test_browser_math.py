"""A math answer in the built page, in headless Chromium: typeset by KaTeX, with its bundled
fonts and its inline styles allowed by the page's Content-Security-Policy.

The whole path is real, as in test_browser.py: the tests' OpenAI-compatible server → SDK →
ChatService → CompanionServer → Socket.IO → React page.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from streamchat_desktop.companion.server import STATIC_DIR, CompanionServer
from streamchat_desktop.core.chat_service import ChatService
from tests.companion.conftest import ModelChat
from tests.support.chromium import CHROMIUM, LivePage, live_page
from tests.support.fake_openai import FakeOpenAIServer, Script

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
    run_async: Callable[..., Any], model_chat: ModelChat, tmp_path: Path
) -> None:
    chat = model_chat
    run_async(_drive(chat.service, chat.server, chat.fake, tmp_path), timeout=90)


async def _drive(
    service: ChatService, server: CompanionServer, fake: FakeOpenAIServer, tmp: Path
) -> None:
    conversation = service.new_conversation(title="Math")
    server.set_active_conversation(conversation.id)
    failed: list[str] = []  # the page's own files (fonts, styles) that did not load

    async def watch_assets(live: LivePage) -> None:
        live.page.on(
            "response",
            lambda r: failed.append(r.url) if r.status >= 400 and "/assets/" in r.url else None,
        )

    async with live_page(
        server, tmp / "profile", width=1000, height=700, before_load=watch_assets
    ) as live:
        page, errors = live.page, live.errors
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
