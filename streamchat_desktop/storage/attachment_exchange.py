"""Attachments in the JSON export (their bytes as base64, once per sha256) and back.

The export's ``files`` maps sha256 -> the stored file; each message lists the files it
carried by name and sha256. On import every file's bytes are checked against its
sha256, so a damaged or edited export is refused before anything is written.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable
from typing import Any

from streamchat_desktop.core.attachments import Attachment, AttachmentContent, AttachmentKind
from streamchat_desktop.core.models import Message
from streamchat_desktop.storage.repository import SqliteStore


class InvalidFilesError(ValueError):
    """The export's files are damaged or do not match what its messages name."""


def message_files(message: Message) -> list[dict[str, str]]:
    return [{"name": a.name, "sha256": a.sha256} for a in message.attachments]


def files_dict(store: SqliteStore, messages: Iterable[Message]) -> dict[str, dict[str, Any]]:
    """Every file the messages carry, once each."""
    files: dict[str, dict[str, Any]] = {}
    for message in messages:
        for attachment in message.attachments:
            if attachment.sha256 in files:
                continue
            content = store.attachment_content(attachment.sha256)
            if content is not None:
                files[attachment.sha256] = _file_dict(content)
    return files


def _file_dict(content: AttachmentContent) -> dict[str, Any]:
    a = content.attachment
    return {
        "media_type": a.media_type,
        "kind": a.kind.value,
        "size": a.size,
        "data": _b64(content.data),
        "text": content.text,
        "pages": content.pages,
        "send_data": None if content.send_data is None else _b64(content.send_data),
        "send_type": content.send_type,
    }


def parse_files(raw: object) -> dict[str, AttachmentContent]:
    """The export's ``files`` (absent in exports without attachments)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InvalidFilesError("files: expected an object")
    return {sha256: _parse_file(sha256, data) for sha256, data in raw.items()}


def _parse_file(sha256: str, data: object) -> AttachmentContent:
    where = f"files[{sha256[:16]}]"
    if not isinstance(data, dict):
        raise InvalidFilesError(f"{where}: expected an object")
    try:
        kind = AttachmentKind(data.get("kind"))
        media_type, text, send_type = data["media_type"], data.get("text"), data.get("send_type")
        pages = data.get("pages")
        raw = base64.b64decode(data["data"], validate=True)
        send = data.get("send_data")
        send_data = None if send is None else base64.b64decode(send, validate=True)
    except (KeyError, ValueError, TypeError, binascii.Error) as exc:
        raise InvalidFilesError(f"{where}: not a valid file ({exc})") from None
    if hashlib.sha256(raw).hexdigest() != sha256:
        raise InvalidFilesError(f"{where}: its bytes do not match its sha256 (damaged)")
    if not isinstance(media_type, str) or not all(
        v is None or isinstance(v, str) for v in (text, send_type)
    ):
        raise InvalidFilesError(f"{where}: media type and text must be strings")
    if pages is not None and (not isinstance(pages, int) or isinstance(pages, bool)):
        raise InvalidFilesError(f"{where}: pages must be a number")
    attachment = Attachment("", media_type, len(raw), sha256, kind)
    return AttachmentContent(attachment, raw, text, pages, send_data, send_type)


def parse_message_files(
    data: object, files: dict[str, AttachmentContent], where: str
) -> tuple[Attachment, ...]:
    """A message's ``attachments``, each naming a file of the export."""
    if data is None:
        return ()
    if not isinstance(data, list):
        raise InvalidFilesError(f"{where}.attachments: expected a list")
    found = []
    for index, item in enumerate(data):
        at = f"{where}.attachments[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise InvalidFilesError(f"{at}: expected a name and a sha256")
        content = files.get(item.get("sha256"))  # type: ignore[arg-type]
        if content is None:
            raise InvalidFilesError(f"{at}: its file is not in the export")
        a = content.attachment
        found.append(Attachment(item["name"], a.media_type, a.size, a.sha256, a.kind))
    return tuple(found)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
