"""The files of a prompt in the transcript: a thumbnail for each image, a chip for each
file, each a link (``attachment:<message id>/<index>``) that opens it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QUrl
from PySide6.QtGui import (
    QImage,
    QTextBlockFormat,
    QTextCharFormat,
    QTextDocument,
    QTextFormat,
    QTextImageFormat,
)

from streamchat_desktop.core.attachments import Attachment, AttachmentKind, format_size
from streamchat_desktop.core.models import Message
from streamchat_desktop.ui.transcript.context import Pen
from streamchat_desktop.ui.transcript.markdown import inline_text, sanitize
from streamchat_desktop.ui.transcript.theme import Theme

THUMBNAIL_PX = 96
# An image's thumbnail, or None when it cannot be had (its bytes are gone).
ThumbnailSource = Callable[[Attachment], QImage | None]
# Words, not emoji: a desktop without an emoji font would draw boxes.
_KINDS = {AttachmentKind.IMAGE: "Image", AttachmentKind.PDF: "PDF", AttachmentKind.TEXT: "File"}


def attachment_href(message_id: str, index: int) -> str:
    return f"attachment:{message_id}/{index}"


def parse_href(path: str) -> tuple[str, int] | None:
    """(message id, index) from the path of an ``attachment:`` link."""
    message_id, _, index = path.partition("/")
    return (message_id, int(index)) if index.isdigit() else None


def chip_label(attachment: Attachment) -> str:
    kind = _KINDS.get(attachment.kind, "File")
    return f"{kind}: {inline_text(sanitize(attachment.name))} · {format_size(attachment.size)}"


def write_attachments(
    pen: Pen,
    message: Message,
    theme: Theme,
    thumbnails: ThumbnailSource | None,
    block_format: Callable[[], QTextBlockFormat],
) -> None:
    """One block under the prompt's text with its thumbnails and file chips."""
    if not message.attachments:
        return
    bfmt = block_format()
    plain = QTextCharFormat()
    pen.start_block(bfmt, plain)
    document = pen.cursor.document()
    for index, attachment in enumerate(message.attachments):
        href = attachment_href(message.id, index)
        if index:
            pen.cursor.insertText("\u2003\u2003", plain)  # two em spaces between files
        image = (
            thumbnails(attachment)
            if thumbnails and attachment.kind is AttachmentKind.IMAGE
            else None
        )
        if image is not None and not image.isNull():
            _insert_thumbnail(document, pen, attachment, image, href)
            pen.cursor.insertText(" ", plain)
        link = QTextCharFormat()
        link.setAnchor(True)
        link.setAnchorHref(href)
        link.setForeground(theme.link)
        link.setToolTip(f"Open {attachment.name}")
        pen.cursor.insertText(chip_label(attachment), link)


def _insert_thumbnail(
    document: QTextDocument, pen: Pen, attachment: Attachment, image: QImage, href: str
) -> None:
    name = f"thumb:{attachment.sha256}"
    document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
    fmt = QTextImageFormat()
    fmt.setName(name)
    scale = THUMBNAIL_PX / max(image.width(), image.height(), 1)
    fmt.setWidth(max(1, round(image.width() * min(1.0, scale))))
    fmt.setHeight(max(1, round(image.height() * min(1.0, scale))))
    fmt.setAnchor(True)
    fmt.setAnchorHref(href)
    fmt.setProperty(QTextFormat.Property.ImageTitle, attachment.name)
    pen.cursor.insertImage(fmt)
