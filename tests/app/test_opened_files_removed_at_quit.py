"""The copies of opened attachments are removed by the app's shutdown, the path every quit
takes (SIGTERM never reaches the window's closeEvent, and os._exit skips the interpreter's
clean-up): the app's real Runtime."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from streamchat_desktop.core.attachments import Attachment, AttachmentContent, AttachmentKind
from tests.support.desktop_urls import Opened
from tests.support.fake_openai import FakeOpenAIServer


def test_the_shutdown_removes_the_copies_of_opened_files(
    tmp_path: Path,
    runtime_on: Callable[..., Any],
    run_async: Callable[..., Any],
    fake_openai: FakeOpenAIServer,
    opened: Opened,
) -> None:
    runtime = runtime_on(tmp_path / "profile", "--base-url", fake_openai.base_url)
    data = b"decrypted words\n"
    digest = hashlib.sha256(data).hexdigest()
    attachment = Attachment("notes.txt", "text/plain", len(data), digest, AttachmentKind.TEXT)
    runtime.store.put_attachment(AttachmentContent(attachment, data, text=data.decode()))

    runtime.window.attachments.open(attachment)
    (url,) = opened.urls
    copy = Path(url.toLocalFile())
    assert copy.read_bytes() == data
    folder = copy.parent.parent  # the TemporaryDirectory holding every opened copy

    run_async(runtime.shutdown())  # as on SIGTERM: the window is still open

    assert runtime.window.isVisible()
    assert not folder.exists()
