"""A Markdown export into a folder: ``conversations.md`` with the attached images
written beside it in ``files/`` and linked from where they were sent."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from streamchat_desktop.core.attachments import Attachment, AttachmentKind
from streamchat_desktop.storage.exchange import branch_for_export
from streamchat_desktop.storage.markdown_export import conversations_markdown
from streamchat_desktop.storage.repository import SqliteStore

MARKDOWN_NAME = "conversations.md"
FILES_DIR = "files"


def safe_file_name(attachment: Attachment) -> str:
    """A name that stays inside the folder and cannot collide: digest prefix + name."""
    name = re.sub(r"[^\w.\- ]", "_", Path(attachment.name.replace("\\", "/")).name)
    return f"{attachment.sha256[:12]}-{name.strip(' .') or 'file'}"


def export_markdown_folder(
    store: SqliteStore,
    conversation_ids: Iterable[str],
    folder: Path,
    *,
    nothing_streams: bool = False,
) -> Path:
    """Write the Markdown and the images it links; returns the Markdown file.
    ``nothing_streams`` as for ``exchange.collect``."""
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, str] = {}

    def link(attachment: Attachment) -> str | None:
        if attachment.kind is not AttachmentKind.IMAGE:
            return None
        if attachment.sha256 not in written:
            content = store.attachment_content(attachment.sha256)
            if content is None:
                return None
            relative = f"{FILES_DIR}/{safe_file_name(attachment)}"
            (folder / FILES_DIR).mkdir(exist_ok=True)
            (folder / relative).write_bytes(content.data)
            written[attachment.sha256] = relative
        return written[attachment.sha256]

    items = []
    for conversation_id in conversation_ids:
        conversation = store.get_conversation(conversation_id)
        if conversation is None:
            raise KeyError(conversation_id)
        items.append((conversation, branch_for_export(store, conversation_id, nothing_streams)))
    target = folder / MARKDOWN_NAME
    target.write_text(conversations_markdown(items, link), encoding="utf-8")
    return target
