"""A prompt's files through ChatService, a real SqliteStore, the openai SDK and the
tests' server: sent as parts, sent again by regenerate/edit/continue, saved first."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from streamchat_desktop.attachments.outbox import PromptFiles
from streamchat_desktop.attachments.parts import AttachmentParts
from streamchat_desktop.attachments.prepare import prepare, read_path
from streamchat_desktop.core.attachments import AttachmentContent
from streamchat_desktop.core.chat_service import ChatService, ChatTarget
from streamchat_desktop.core.models import Conversation, MessageState
from streamchat_desktop.imaging.images import prepare_image
from streamchat_desktop.providers.base import Endpoint
from streamchat_desktop.providers.openai_compat import OpenAICompatibleProvider
from streamchat_desktop.storage import SqliteStore
from tests.support.attachment_files import image_parts, pdf_with_text, png_bytes, text_parts
from tests.support.fake_openai import FakeOpenAIServer, Script
from tests.support.scripted import ScriptedProvider
from tests.support.waiting import wait_until

RunAsync = Callable[..., Any]


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SqliteStore]:
    store = SqliteStore.open(tmp_path / "conversations.sqlite3")
    yield store
    store.close()


@pytest.fixture
def service(
    sqlite_store: SqliteStore, fake_openai: FakeOpenAIServer, run_async: RunAsync
) -> Iterator[ChatService]:
    provider = OpenAICompatibleProvider(Endpoint(fake_openai.base_url, "sk-test", 5.0, 2.0))

    def resolve(_conversation: Conversation) -> ChatTarget:
        return ChatTarget(provider.stream, "m")

    yield ChatService(sqlite_store, resolve, AttachmentParts(sqlite_store))
    run_async(provider.aclose())


@pytest.fixture
def files(tmp_path: Path, qapp: Any) -> list[AttachmentContent]:
    picture = tmp_path / "chart.png"
    picture.write_bytes(png_bytes(4096, 2048))
    pdf = pdf_with_text(tmp_path / "plan.pdf", ["The pelican plan", "Page two"])
    return [
        read_path(picture, prepare_image),
        read_path(pdf, prepare_image),
        prepare("todo.md", b"- feed the pelican\n", prepare_image),
    ]


def send_and_finish(
    service: ChatService, run_async: RunAsync, conversation_id: str, action: Callable[[], Any]
) -> None:
    action()
    run_async(wait_until(lambda: service.active_reply(conversation_id) is None))


def assert_files_sent(body: dict[str, Any]) -> None:
    [image] = image_parts(body)
    assert (image.width(), image.height()) == (2048, 1024)
    texts = text_parts(body)
    assert any(t.startswith("Attached PDF: plan.pdf (2 pages)") and "pelican" in t for t in texts)
    assert any(t.startswith("Attached file: todo.md") and "feed the pelican" in t for t in texts)


def test_files_without_text_are_sent_and_sent_again_on_every_resend(
    service: ChatService,
    sqlite_store: SqliteStore,
    fake_openai: FakeOpenAIServer,
    run_async: RunAsync,
    files: list[AttachmentContent],
) -> None:
    conversation = service.new_conversation()
    attachments = PromptFiles(sqlite_store).store(files)
    fake_openai.enqueue(*(Script(deltas=["seen"], finish_reason=r) for r in ("length",) * 4))
    cid = conversation.id

    send_and_finish(service, run_async, cid, lambda: service.send(cid, "", attachments))
    first = fake_openai.last_request.json
    assert first["messages"][0]["content"][0]["type"] == "image_url"  # no empty text part
    assert_files_sent(first)
    assert sqlite_store.get_conversation(cid).title == "chart.png"  # type: ignore[union-attr]

    send_and_finish(service, run_async, cid, lambda: service.regenerate(cid))
    assert_files_sent(fake_openai.last_request.json)

    reply = sqlite_store.messages(cid)[-1]
    send_and_finish(service, run_async, cid, lambda: service.continue_reply(cid, reply.id))
    assert_files_sent(fake_openai.last_request.json)

    prompt = sqlite_store.messages(cid)[0]
    send_and_finish(
        service, run_async, cid, lambda: service.edit_and_resend(cid, prompt.id, "Explain")
    )
    body = fake_openai.last_request.json
    assert body["messages"][0]["content"][0] == {"type": "text", "text": "Explain"}
    assert_files_sent(body)
    edited = sqlite_store.messages(cid)[0]
    assert edited.id != prompt.id and edited.attachments == attachments


def test_files_and_prompt_are_saved_before_the_request(
    sqlite_store: SqliteStore, run_async: RunAsync, files: list[AttachmentContent]
) -> None:
    hanging = ScriptedProvider(hang=True)
    service = ChatService(
        sqlite_store, lambda _c: ChatTarget(hanging.opener, "m"), AttachmentParts(sqlite_store)
    )
    conversation = service.new_conversation()
    attachments = PromptFiles(sqlite_store).store(files)
    reply = service.send(conversation.id, "look", attachments)
    run_async(wait_until(lambda: bool(hanging.requests)))

    # what a crash now would leave: another connection to the file sees it all
    other = SqliteStore.open(sqlite_store.path)
    try:
        prompt, answer = other.messages(conversation.id)
        assert prompt.attachments == attachments
        assert answer.state is MessageState.STREAMING
        for content in files:
            stored = other.attachment_content(content.attachment.sha256)
            assert stored is not None and stored.data == content.data
    finally:
        other.close()
    assert hanging.requests[0].messages[0].parts  # the request carried the files
    service.stop(reply.id)
    run_async(wait_until(lambda: service.active_reply(conversation.id) is None))
