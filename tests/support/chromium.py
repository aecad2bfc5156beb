"""Debian's Chromium as the browser tests drive it (Playwright, never ``playwright install``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.support.waiting import wait_until

if TYPE_CHECKING:
    from streamchat_desktop.companion.server import CompanionServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


async def launch(playwright: Any, profile: Path, width: int = 1100, height: int = 760) -> Any:
    """A headless Chromium context on its own profile folder (Playwright's async API)."""
    return await playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": width, "height": height},
    )


LIVE = "[data-testid=connection]:has-text('Live')"  # the page's sign that it is connected


@dataclass
class LivePage:
    """Chromium's context and the companion page in it; the page's uncaught errors."""

    context: Any
    page: Any
    errors: list[str] = field(default_factory=list)


@asynccontextmanager
async def live_page(
    server: CompanionServer,
    profile: Path,
    *,
    width: int = 1100,
    height: int = 760,
    before_load: Callable[[LivePage], Awaitable[None]] | None = None,
) -> AsyncIterator[LivePage]:
    """The companion page of ``server`` in headless Chromium, once it shows "Live".

    ``before_load`` runs on the new page before it loads (listeners, permissions). On the
    way out the browser is closed and the server has seen the view go."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        context = await launch(playwright, profile, width, height)
        try:
            live = LivePage(context, await context.new_page())
            live.page.on("pageerror", lambda error: live.errors.append(str(error)))
            if before_load is not None:
                await before_load(live)
            await live.page.goto(server.url)
            await live.page.wait_for_selector(LIVE)
            yield live
        finally:
            await context.close()
    await wait_until(lambda: server.view_count == 0)
    await asyncio.sleep(0)
