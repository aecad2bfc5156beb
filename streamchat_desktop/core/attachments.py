"""Attachments as the core sees them: what a file is, and the parts a turn sends.

Kept apart from ``models`` so that message and turn gain one field each. The bytes of
a file never travel inside a ``Message``: it names them by sha256, and whoever stores
them (``AttachmentBlobs``) hands them back when a turn is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol

# The limits every way in shares (window, command line, companion view).
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FILES = 10


class AttachmentKind(str, Enum):
    IMAGE = "image"
    TEXT = "text"
    PDF = "pdf"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file given with a prompt: its name, type and size, and the digest of its bytes."""

    name: str
    media_type: str
    size: int
    sha256: str
    kind: AttachmentKind


@dataclass(frozen=True, slots=True)
class AttachmentContent:
    """An attachment with its original bytes and what is sent for it.

    ``text``: the decoded text file or the PDF's text layer; ``pages``: a PDF's page
    count; ``send_data``/``send_type``: an image as sent (downscaled, maybe re-encoded).
    """

    attachment: Attachment
    data: bytes
    text: str | None = None
    pages: int | None = None
    send_data: bytes | None = None
    send_type: str | None = None


@dataclass(frozen=True, slots=True)
class TextPart:
    """An OpenAI ``{"type": "text"}`` content part."""

    text: str


@dataclass(frozen=True, slots=True)
class ImagePart:
    """An OpenAI ``{"type": "image_url"}`` content part (a ``data:`` URL here)."""

    url: str


ContentPart = TextPart | ImagePart


def format_size(size: int) -> str:
    """``512 B``, ``3.4 KB``, ``20 MB``: sizes as people read them (1 KB = 1024 B)."""
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if value < 1024 or unit == "GB":
            return f"{value:.1f} {unit}".replace(".0 ", " ")
    raise AssertionError("unreachable")


class AttachmentBlobs(Protocol):
    """Where attachment bytes live, once per sha256."""

    def put_attachment(self, content: AttachmentContent) -> None: ...

    def attachment_content(self, sha256: str) -> AttachmentContent | None: ...
