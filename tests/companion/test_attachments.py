"""Files through the companion endpoint: uploaded from a view, sent with prompt:send
under the window's limits and messages, shown in messages and served behind the token."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import socketio

from streamchat_desktop.attachments.outbox import PromptFiles
from streamchat_desktop.attachments.parts import AttachmentParts
from streamchat_desktop.companion import protocol as p
from streamchat_desktop.companion.server import CompanionServer
from streamchat_desktop.core.attachments import MAX_FILE_BYTES, ImagePart
from streamchat_desktop.core.chat_service import ChatService
from streamchat_desktop.imaging.images import prepare_image
from streamchat_desktop.storage import SqliteStore
from tests.companion.conftest import Harness, ScriptedModel
from tests.support.attachment_files import png_bytes

RunAsync = Callable[..., Any]


@pytest.fixture
def files_harness(run_async: RunAsync, tmp_path: Path, qapp: Any) -> Iterator[Harness]:
    store = SqliteStore.open(tmp_path / "conversations.sqlite3")
    model = ScriptedModel()
    service = ChatService(store, model.target, AttachmentParts(store))
    server = CompanionServer(service, files=PromptFiles(store, prepare_image))
    run_async(server.start())
    harness = Harness(store, model, service, server)  # type: ignore[arg-type]
    yield harness
    run_async(harness.close())
    store.close()


async def upload(h: Harness, name: str, data: bytes, token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token or h.server.token}"}
    url = f"{h.base_url}{p.FILES_PATH}"
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, params={"name": name}, data=data, headers=headers) as response,
    ):
        return response.status, await response.json()


async def fetch(h: Harness, path: str) -> tuple[int, bytes, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{h.base_url}{path}") as response,
    ):
        return response.status, await response.read(), response.headers


async def send(viewer: Any, **payload: Any) -> Any:
    client: socketio.AsyncClient = viewer.client
    return await client.call(p.PROMPT_SEND, payload, timeout=5)


def test_a_view_attaches_an_image_and_a_text_file(
    files_harness: Harness, run_async: RunAsync
) -> None:
    h = files_harness

    async def body() -> None:
        viewer = await h.viewer()
        status, image = await upload(h, "board.png", png_bytes(4096, 1024))
        assert status == 200, image
        assert (image["ok"], image["kind"], image["media_type"]) == (True, "image", "image/png")
        status, notes = await upload(h, "notes.txt", b"bring the kiwi")
        assert status == 200 and notes["kind"] == "text"

        ack = await send(viewer, text="", files=[image["id"], notes["id"]])

        assert ack["ok"], ack
        await viewer.wait_for(lambda: bool(h.model.requests))
        turn = h.model.requests[0].messages[-1]
        assert turn.content == ""
        assert isinstance(turn.parts[0], ImagePart)
        assert "bring the kiwi" in turn.parts[1].text  # type: ignore[union-attr]
        # the view sees the files under the prompt, and can fetch them with the token
        await viewer.wait_for(lambda: p.MESSAGE_STARTED in viewer.names())
        started = next(data for name, data in viewer.events if name == p.MESSAGE_STARTED)
        infos = started["prompt"]["attachments"]
        assert [(i["name"], i["kind"]) for i in infos] == [
            ("board.png", "image"),
            ("notes.txt", "text"),
        ]
        status, served, headers = await fetch(
            h, f"{p.FILES_PATH}/{infos[0]['sha256']}?token={h.server.token}"
        )
        assert status == 200 and headers["Content-Type"] == "image/jpeg"
        assert "img-src 'self'" in headers["Content-Security-Policy"]
        status, served, headers = await fetch(
            h, f"{p.FILES_PATH}/{infos[1]['sha256']}?token={h.server.token}&name=notes.txt"
        )
        assert served == b"bring the kiwi"
        assert headers["Content-Type"] == "application/octet-stream"
        assert headers["Content-Disposition"] == 'attachment; filename="notes.txt"'
        h.model.end()
        cid = started["conversation_id"]
        await viewer.wait_for(lambda: h.service.active_reply(cid) is None)

    run_async(body())


def test_files_are_served_only_with_the_token(files_harness: Harness, run_async: RunAsync) -> None:
    h = files_harness

    async def body() -> None:
        status, refused = await upload(h, "a.txt", b"x", token="wrong")
        assert status == 401 and refused["ok"] is False
        sha = "0" * 64
        for query in ("", "?token=wrong"):
            status, _, _ = await fetch(h, f"{p.FILES_PATH}/{sha}{query}")
            assert status == 401
        status, _, _ = await fetch(h, f"{p.FILES_PATH}/{sha}?token={h.server.token}")
        assert status == 404

    run_async(body())


def test_the_window_limits_and_messages_hold_for_views(
    files_harness: Harness, run_async: RunAsync
) -> None:
    h = files_harness

    async def body() -> None:
        viewer = await h.viewer()
        status, refused = await upload(h, "setup.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04")
        assert status == 400 and refused["error"] == p.ERROR_FILE_REFUSED
        assert refused["message"].startswith("setup.exe cannot be attached: it is not a kind")
        status, refused = await upload(h, "huge.txt", b"a" * (MAX_FILE_BYTES + 1))
        assert status == 413
        assert refused["message"] == (
            "huge.txt is larger than 20 MB: files up to 20 MB can be attached."
        )
        ids = []
        for i in range(11):
            _, ok = await upload(h, f"f{i}.txt", f"file {i}".encode())
            ids.append(ok["id"])
        ack = await send(viewer, text="all", files=ids)
        assert ack == {
            "ok": False,
            "error": p.ERROR_FILE_REFUSED,
            "message": "A prompt can carry at most 10 files; this one has 11. "
            "Remove some, or send them in two prompts.",
        }
        ack = await send(viewer, text="", files=["never-uploaded"])
        assert ack["ok"] is False and ack["error"] == p.ERROR_NOT_FOUND
        assert h.model.requests == [] and h.store.list_conversations() == []

    run_async(body())
