"""From a file (name and bytes) to the ``AttachmentContent`` stored and sent for it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from streamchat_desktop.attachments.errors import AttachmentError
from streamchat_desktop.attachments.kinds import image_type, sniff, text_media_type
from streamchat_desktop.attachments.limits import (
    check_file_size,
    check_text_file_size,
)
from streamchat_desktop.attachments.pdf import pdf_text
from streamchat_desktop.attachments.text_files import decode_text
from streamchat_desktop.core.attachments import Attachment, AttachmentContent, AttachmentKind
from streamchat_desktop.core.unicode_repair import repair_text


@dataclass(frozen=True, slots=True)
class PreparedImage:
    """An image as sent: maybe downscaled and re-encoded (the original is kept apart)."""

    data: bytes
    media_type: str
    width: int
    height: int


# Decodes an image and makes its sendable form; raises AttachmentError when it cannot.
ImagePreparer = Callable[[str, bytes], PreparedImage]


def prepare(name: str, data: bytes, images: ImagePreparer) -> AttachmentContent:
    """Check and convert one file; ``AttachmentError`` says why it cannot go."""
    name = repair_text(name)  # a Linux file name may hold bytes that are not UTF-8
    check_file_size(name, len(data))
    digest = hashlib.sha256(data).hexdigest()
    kind = sniff(data)
    if kind is AttachmentKind.IMAGE:
        media_type = image_type(data) or "application/octet-stream"
        image = images(name, data)
        return AttachmentContent(
            Attachment(name, media_type, len(data), digest, kind),
            data,
            send_data=image.data,
            send_type=image.media_type,
        )
    if kind is AttachmentKind.PDF:
        text, pages = pdf_text(name, data)
        attachment = Attachment(name, "application/pdf", len(data), digest, kind)
        return AttachmentContent(attachment, data, text=text, pages=pages)
    check_text_file_size(name, len(data))
    text = decode_text(name, data)
    attachment = Attachment(name, text_media_type(name), len(data), digest, AttachmentKind.TEXT)
    return AttachmentContent(attachment, data, text=text)


def read_path(path: Path, images: ImagePreparer) -> AttachmentContent:
    """Read and prepare a file from disk; a missing or unreadable one is refused too."""
    name = path.name
    try:
        if not path.is_file():
            raise AttachmentError(f"{path} does not exist or is not a file.")
        check_file_size(name, path.stat().st_size)  # before reading 2 GB into memory
        data = path.read_bytes()
    except OSError as exc:
        raise AttachmentError(f"{path} cannot be read: {exc.strerror or exc}.") from None
    return prepare(name, data, images)
