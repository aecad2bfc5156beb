"""Which kind a file is, from its first bytes (not its name, which can lie)."""

from __future__ import annotations

import mimetypes

from streamchat_desktop.core.attachments import AttachmentKind

# Signature -> media type, for the image formats vision models take.
_IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
PDF_SIGNATURE = b"%PDF-"


def image_type(data: bytes) -> str | None:
    """The media type of a PNG, JPEG, GIF or WebP file; None for anything else."""
    for signature, media_type in _IMAGE_SIGNATURES:
        if data.startswith(signature):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def is_pdf(data: bytes) -> bool:
    # The spec allows junk before the header within the first 1024 bytes.
    return PDF_SIGNATURE in data[:1024]


def text_media_type(name: str) -> str:
    """``text/x-python`` for ``a.py``…; ``text/plain`` when the name says nothing textual."""
    guessed, _ = mimetypes.guess_type(name, strict=False)
    return guessed if guessed and guessed.startswith("text/") else "text/plain"


def sniff(data: bytes) -> AttachmentKind | None:
    """Image or PDF from the bytes; None: maybe text (decoding decides), maybe neither."""
    if image_type(data):
        return AttachmentKind.IMAGE
    if is_pdf(data):
        return AttachmentKind.PDF
    return None
