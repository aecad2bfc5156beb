"""The content parts a message's attachments add to its turn (OpenAI's shape)."""

from __future__ import annotations

import base64
import dataclasses

from streamchat_desktop.attachments.text_files import fenced
from streamchat_desktop.core.attachments import (
    AttachmentBlobs,
    AttachmentContent,
    AttachmentKind,
    ContentPart,
    ImagePart,
    TextPart,
)
from streamchat_desktop.core.models import Message


def content_part(content: AttachmentContent) -> ContentPart:
    """A text part naming the file with its fenced text, or an image as a data: URL."""
    attachment = content.attachment
    if attachment.kind is AttachmentKind.IMAGE:
        data = content.send_data or content.data
        media_type = content.send_type or attachment.media_type
        return ImagePart(f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}")
    if attachment.kind is AttachmentKind.PDF:
        pages = content.pages or 0
        heading = f"Attached PDF: {attachment.name} ({pages} page{'s' if pages != 1 else ''})"
    else:
        heading = f"Attached file: {attachment.name}"
    return TextPart(fenced(heading, content.text or ""))


class AttachmentParts:
    """Builds a message's parts from the stored files (the ChatService's ``parts_of``)."""

    def __init__(self, blobs: AttachmentBlobs) -> None:
        self._blobs = blobs

    def __call__(self, message: Message) -> tuple[ContentPart, ...]:
        parts: list[ContentPart] = []
        for attachment in message.attachments:
            content = self._blobs.attachment_content(attachment.sha256)
            if content is None:  # its bytes are gone (a damaged import): say so, send on
                parts.append(TextPart(f"[Attached file {attachment.name} is missing.]"))
                continue
            # the same bytes may have been attached under another name: use this one
            parts.append(content_part(dataclasses.replace(content, attachment=attachment)))
        return tuple(parts)
