"""An MCP ``CallToolResult`` as the core's ``ToolOutcome``: text for the model, images
kept for the transcript, ``isError`` as a failed call."""

from __future__ import annotations

import json

from mcp.types import (
    AudioContent,
    CallToolResult,
    EmbeddedResource,
    ImageContent,
    ResourceLink,
    TextContent,
)

from streamchat_desktop.core.tools import ToolImage, ToolOutcome, ToolStatus

MAX_IMAGE_BASE64 = 8_000_000  # larger images are named, not kept


def outcome_of(result: CallToolResult) -> ToolOutcome:
    texts: list[str] = []
    images: list[ToolImage] = []
    for part in result.content:
        if isinstance(part, TextContent):
            texts.append(part.text)
        elif isinstance(part, ImageContent):
            texts.append(f"[image: {part.mime_type}]")
            if len(part.data) <= MAX_IMAGE_BASE64:
                images.append(ToolImage(part.mime_type, part.data))
        elif isinstance(part, AudioContent):
            texts.append(f"[audio: {part.mime_type}]")
        elif isinstance(part, ResourceLink):
            texts.append(f"[resource: {part.uri}]")
        elif isinstance(part, EmbeddedResource):
            resource = part.resource
            text = getattr(resource, "text", None)
            texts.append(text if isinstance(text, str) else f"[resource: {resource.uri}]")
    if not texts and result.structured_content is not None:
        texts.append(json.dumps(result.structured_content, ensure_ascii=False))
    text = "\n".join(texts)
    if result.is_error:
        return ToolOutcome(ToolStatus.FAILED, f"Error: {text or 'the tool failed'}", tuple(images))
    return ToolOutcome(ToolStatus.DONE, text, tuple(images))
