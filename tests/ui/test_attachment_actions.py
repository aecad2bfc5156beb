"""Opening a file of a sent prompt: written under a name that stays in its own folder
(an imported conversation names its files), then handed to the desktop."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMainWindow

from streamchat_desktop.attachments.outbox import PromptFiles
from streamchat_desktop.controllers.chat_controller import ChatController
from streamchat_desktop.core.attachments import Attachment, AttachmentContent, AttachmentKind
from streamchat_desktop.core.chat_service import ChatService, ChatTarget
from streamchat_desktop.storage.repository import SqliteStore
from streamchat_desktop.ui.attachment_actions import AttachmentActions, local_name, open_name
from streamchat_desktop.ui.attachment_tray import AttachmentTray
from streamchat_desktop.ui.endpoint_picker import EndpointPicker
from tests.support.desktop_urls import Opened


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("notes.txt", "notes.txt"),
        ("..", "file"),
        ("/", "file"),
        ("a/../../b.txt", "b.txt"),
        ("..\\..\\evil.txt", "evil.txt"),
        (" ... ", "file"),
    ],
)
def test_a_file_name_stays_in_its_folder(name: str, expected: str) -> None:
    assert local_name(name) == expected


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("notes.txt", AttachmentKind.TEXT, "notes.txt"),
        ("main.py", AttachmentKind.TEXT, "main.py.txt"),
        ("run.desktop", AttachmentKind.TEXT, "run.desktop.txt"),
        ("evil.sh", AttachmentKind.TEXT, "evil.sh.txt"),
        ("paper.PDF", AttachmentKind.PDF, "paper.PDF"),
        ("paper.pdf.desktop", AttachmentKind.PDF, "paper.pdf.desktop.pdf"),
    ],
)
def test_an_opened_copy_is_named_for_what_it_is_not_what_an_import_says(
    name: str, kind: AttachmentKind, expected: str
) -> None:
    """Another program opens it by its suffix: an imported name must not pick one that
    runs it (``.desktop``, ``.sh``)."""
    assert open_name(name, kind) == expected


def test_a_file_named_dot_dot_opens_from_its_own_folder(
    qtbot: Any, tmp_path: Path, opened: Opened
) -> None:
    store = SqliteStore.open(tmp_path / "db.sqlite3")
    try:
        data = b"plain words\n"
        digest = hashlib.sha256(data).hexdigest()
        attachment = Attachment("..", "text/plain", len(data), digest, AttachmentKind.TEXT)
        store.put_attachment(AttachmentContent(attachment, data, text="plain words\n"))
        service = ChatService(store, lambda _c: ChatTarget(_no_stream, "m"))
        controller = ChatController(service, files=PromptFiles(store))
        window = QMainWindow()
        qtbot.addWidget(window)
        notices: list[str] = []
        actions = AttachmentActions(
            window, controller, AttachmentTray(window), EndpointPicker(window), notices.append
        )

        actions.open(attachment)  # raised IsADirectoryError: ".." is the folder above

        assert notices == []
        (url,) = opened.urls
        path = Path(url.toLocalFile())
        assert path.name == "file.txt" and path.read_bytes() == data
        actions.discard_opened_files()  # as the window does when it closes
        assert not path.exists()
    finally:
        store.close()


async def _no_stream(_request: object) -> Any:  # pragma: no cover - never asked
    raise AssertionError("no reply is asked for")
    yield
