"""Every per-message action driven from the built page in headless Chromium (protocol 3):
edit an earlier prompt (a new version), switch back, regenerate a middle answer, delete
and undo, continue a cut answer, copy — each time the page shows exactly the branch the
desktop side (the ChatService and what its observers were told) holds. Real parts: the
tests' OpenAI server through the SDK, a real SQLite file, the real Socket.IO server."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from streamchat_desktop.companion.server import STATIC_DIR, CompanionServer
from streamchat_desktop.core.branch import Branch
from tests.support.chromium import CHROMIUM, LivePage, live_page
from tests.support.live_chat import LiveChat, live_chat  # noqa: F401
from tests.support.waiting import PATIENCE, wait_until

RunAsync = Callable[..., Any]
Shown = list[tuple[str, str, str | None]]  # (id, text, "n/m" or None)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
    pytest.mark.skipif(
        not (STATIC_DIR / "index.html").exists(), reason="page not built: npm run build in web/"
    ),
]

PAGE_BRANCH = """() => Array.from(document.querySelectorAll('article.message')).map((a) => [
  a.dataset.id,
  (a.querySelector('.plain, .markdown')?.innerText ?? '').trim(),
  a.querySelector('[data-testid=version]')?.textContent ?? null,
])"""


def screenshot_dir(tmp: Path) -> Path:
    """The README's screenshots are retaken only when asked (STREAMCHAT_SCREENSHOTS=1)."""
    if os.environ.get("STREAMCHAT_SCREENSHOTS") == "1":
        return Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    return tmp


@pytest.fixture
def server(live_chat: LiveChat, run_async: RunAsync) -> Iterator[CompanionServer]:  # noqa: F811
    made = CompanionServer(live_chat.service)
    run_async(made.start())
    yield made
    run_async(made.stop())


def desktop(branch: Branch) -> Shown:
    shown: Shown = []
    for message in branch.messages:
        position = branch.position(message.id)
        label = None if position is None else f"{position[0]}/{position[1]}"
        rendered = message.content.replace("**", "")  # the page shows bold, not stars
        shown.append((message.id, rendered, label))
    return shown


class Page:
    """The page, and the checks that it shows what the desktop side holds."""

    def __init__(self, page: Any, chat: LiveChat, conversation_id: str) -> None:
        self.page = page
        self.chat = chat
        self.cid = conversation_id

    async def shown(self) -> Shown:
        rows = await self.page.evaluate(PAGE_BRANCH)
        return [(str(i), str(text), version) for i, text, version in rows]

    async def same_as_desktop(self, *, told: bool = True) -> Shown:
        """Wait until no reply streams and the page shows the service's branch; after a
        change of the branch (``told``), the branch the observers were last told has
        the same messages and versions."""
        service = self.chat.service
        loop = asyncio.get_running_loop()
        deadline = loop.time() + PATIENCE
        while True:
            expected = desktop(service.branch(self.cid))
            idle = service.active_reply(self.cid) is None
            if idle and await self.shown() == expected:
                break
            if loop.time() > deadline:
                raise AssertionError(f"page shows {await self.shown()}, desktop {expected}")
            await asyncio.sleep(0.02)
        if told:
            last = desktop(self.chat.observer.branches[-1])
            assert [(i, v) for i, _, v in last] == [(i, v) for i, _, v in expected]
        return expected

    async def act(self, message_id: str, label: str) -> None:
        """Hover the message and click one of its action buttons."""
        article = self.page.locator(f"article[data-id='{message_id}']")
        await article.hover()
        await article.get_by_role("button", name=label, exact=True).click()


def test_every_action_from_the_page(
    live_chat: LiveChat,  # noqa: F811
    server: CompanionServer,
    run_async: RunAsync,
    tmp_path: Path,
) -> None:
    chat = live_chat
    conversation = chat.turns([("q1", "a1"), ("q2", "a2"), ("q3", "a3")])
    server.set_active_conversation(conversation.id)
    run_async(_drive(chat, server, conversation.id, tmp_path), timeout=180)


async def _drive(chat: LiveChat, server: CompanionServer, cid: str, tmp: Path) -> None:
    q1, a1, _q2, a2, _q3, _a3 = chat.branch(cid)

    async def allow_the_clipboard(live: LivePage) -> None:
        await live.context.grant_permissions(["clipboard-read", "clipboard-write"])

    async with live_page(
        server, tmp / "profile", width=1000, height=900, before_load=allow_the_clipboard
    ) as live:
        page, errors = live.page, live.errors
        view = Page(page, chat, cid)
        assert len(await view.same_as_desktop(told=False)) == 6

        # Edit the first prompt: a new version, what followed stays reachable
        chat.answer_with("a1 for the edit")
        await view.act(q1.id, "Edit message")
        box = page.get_by_role("textbox", name="Edited message")
        await box.fill("q1 edited")
        await box.press("Enter")
        shown = await view.same_as_desktop()
        assert [(text, version) for _, text, version in shown] == [
            ("q1 edited", "2/2"),
            ("a1 for the edit", None),
        ]
        assert chat.last_sent() == [("user", "q1 edited")]

        # Switch back to the first version: the whole old branch returns
        await view.act(shown[0][0], "Previous version")
        shown = await view.same_as_desktop()
        assert [text for _, text, _ in shown] == ["q1", "a1", "q2", "a2", "q3", "a3"]
        assert shown[0][2] == "1/2"
        await page.wait_for_selector("[data-testid=action-status]:has-text('Version 1 of 2')")

        # Regenerate a middle answer: the branch up to its prompt is sent
        chat.answer_with("a2 again")
        await view.act(a2.id, "Regenerate answer")
        shown = await view.same_as_desktop()
        assert [(text, version) for _, text, version in shown][2:] == [
            ("q2", None),
            ("a2 again", "2/2"),
        ]
        assert chat.last_sent() == [("user", "q1"), ("assistant", "a1"), ("user", "q2")]
        await page.locator(f"article[data-id='{shown[3][0]}']").hover()
        await page.screenshot(path=str(screenshot_dir(tmp) / "companion-actions.png"))

        # Delete a message, then Undo from the toast: it is back exactly where it was
        before = shown
        await view.act(a1.id, "Delete message")
        shown = await view.same_as_desktop()
        assert [text for _, text, _ in shown] == ["q1", "q2", "a2 again"]
        await page.get_by_role("button", name="Undo delete").click()
        assert await view.same_as_desktop() == before

        # Continue a cut answer (asked in the desktop window, continued in the page)
        chat.answer_with("**half** of it", finish_reason="length")
        chat.service.send(cid, "q4")
        shown = await view.same_as_desktop(told=False)
        cut_id = shown[-1][0]
        chat.answer_with(" and the rest")
        await view.act(cut_id, "Continue answer")
        await wait_until(lambda: chat.branch(cid)[-1].content.endswith("the rest"))
        shown = await view.same_as_desktop(told=False)
        assert shown[-1] == (cut_id, "half of it and the rest", None)
        assert chat.branch(cid)[-1].content == "**half** of it and the rest"

        # Copy: Markdown as written, plain text without the markup
        await view.act(cut_id, "Copy as Markdown")
        await page.wait_for_selector("[data-testid=action-status]:has-text('Markdown')")
        copied = await page.evaluate("() => navigator.clipboard.readText()")
        assert copied == "**half** of it and the rest"
        await view.act(cut_id, "Copy as plain text")
        await page.wait_for_selector("[data-testid=action-status]:has-text('plain text')")
        assert await page.evaluate("() => navigator.clipboard.readText()") == (
            "half of it and the rest"
        )

        # Keyboard: every action is a named button with a tooltip, reached with Tab
        labels = await page.evaluate(
            """() => Array.from(document.querySelectorAll('.actions button'))
                .map((b) => [b.getAttribute('aria-label'), b.getAttribute('title')])"""
        )
        assert labels and all(name and name == title for name, title in labels)
        first = page.locator(f"article[data-id='{q1.id}']")
        await first.get_by_role("button", name="Copy as Markdown").focus()
        await page.keyboard.press("Tab")
        focused = await page.evaluate("() => document.activeElement.getAttribute('aria-label')")
        assert focused == "Copy as plain text"
        await page.keyboard.press("Tab")
        await page.keyboard.press("Enter")  # Edit message, from the keyboard
        await page.get_by_role("textbox", name="Edited message").press("Escape")
        focused = await page.evaluate("() => document.activeElement.getAttribute('aria-label')")
        assert focused == "Edit message"  # the keyboard is back where it was
        assert await view.same_as_desktop(told=False) == shown
        assert not errors, errors
