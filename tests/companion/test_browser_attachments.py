"""Attaching from the companion page in headless Chromium: a picture and a PDF chosen
in the page's composer, sent to the tests' OpenAI server through the real app path, and
the picture shown under the prompt from the endpoint, under the page's CSP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from streamchat_desktop.attachments.outbox import PromptFiles
from streamchat_desktop.attachments.parts import AttachmentParts
from streamchat_desktop.companion.server import CompanionServer
from streamchat_desktop.core.chat_service import ChatService, ChatTarget
from streamchat_desktop.core.models import Conversation
from streamchat_desktop.imaging.images import prepare_image
from streamchat_desktop.providers.base import Endpoint
from streamchat_desktop.providers.openai_compat import OpenAICompatibleProvider
from streamchat_desktop.storage import SqliteStore
from tests.companion.test_browser import pytestmark  # noqa: F401  (the same marks)
from tests.support.attachment_files import image_parts, pdf_with_text, png_bytes, text_parts
from tests.support.chromium import LivePage, live_page
from tests.support.fake_openai import FakeOpenAIServer, Script


def test_attaching_from_the_page(
    run_async: Callable[..., Any],
    fake_openai: FakeOpenAIServer,
    tmp_path: Path,
    qapp: Any,
) -> None:
    provider = OpenAICompatibleProvider(Endpoint(fake_openai.base_url))

    def target(_conversation: Conversation) -> ChatTarget:
        return ChatTarget(open_stream=provider.stream, model="m")

    store = SqliteStore.open(tmp_path / "conversations.sqlite3")
    service = ChatService(store, target, AttachmentParts(store))
    server = CompanionServer(service, files=PromptFiles(store, prepare_image))
    run_async(server.start())
    try:
        run_async(_drive(service, server, fake_openai, tmp_path), timeout=90)
    finally:
        run_async(service.stop_all())
        run_async(server.stop())
        run_async(provider.aclose())
        store.close()


async def _drive(
    service: ChatService, server: CompanionServer, fake: FakeOpenAIServer, tmp: Path
) -> None:
    picture = tmp / "garden.png"
    picture.write_bytes(png_bytes(3200, 1600))
    pdf = pdf_with_text(tmp / "seeds.pdf", ["Plant the marigolds in May"])
    archive = tmp / "photos.zip"
    archive.write_bytes(b"PK\x03\x04" + bytes(range(200)))
    conversation = service.new_conversation(title="Garden")
    server.set_active_conversation(conversation.id)

    async def watch_the_console(live: LivePage) -> None:
        live.page.on("console", lambda m: live.errors.append(m.text) if m.type == "error" else None)

    async with live_page(
        server, tmp / "profile", width=1280, height=720, before_load=watch_the_console
    ) as live:
        page, errors = live.page, live.errors

        # an unsupported file: refused with the desktop app's own words, nothing added
        await page.get_by_test_id("file-input").set_input_files(str(archive))
        alert = page.get_by_role("alert")
        await alert.wait_for()
        assert (await alert.inner_text()).startswith("photos.zip cannot be attached")
        errors.clear()  # the 400 answer shows in the console as a failed request

        await page.get_by_test_id("file-input").set_input_files([str(picture), str(pdf)])
        chips = page.get_by_test_id("chip")
        await page.wait_for_function(
            "() => document.querySelectorAll('[data-testid=chip]').length == 2"
        )
        assert (await chips.nth(1).inner_text()).startswith("seeds.pdf · ")
        await page.get_by_role("button", name="Remove seeds.pdf").click()
        await page.get_by_test_id("file-input").set_input_files(str(pdf))
        fake.enqueue(Script(deltas=["Marigolds", " in May."]))
        await page.get_by_role("button", name="Send").click()  # no text: files alone

        await page.wait_for_selector("[data-testid=message-assistant][data-state=complete]")
        body = fake.last_request.json
        [image] = image_parts(body)
        assert (image.width(), image.height()) == (2048, 1024)
        assert "Plant the marigolds in May" in text_parts(body)[0]
        assert await chips.count() == 0
        # the picture under the prompt, served by the endpoint behind the token
        thumb = page.locator("[data-testid=message-user] img.thumb")
        await thumb.wait_for()
        await page.wait_for_function(
            "() => document.querySelector('[data-testid=message-user] img.thumb').naturalWidth > 0"
        )
        width = await thumb.evaluate("img => img.naturalWidth")
        assert width == 2048
        link = page.locator("[data-testid=message-user] a.chip")
        assert (await link.inner_text()).startswith("PDF: seeds.pdf · ")
        assert not errors, errors
