"""Conversations as Markdown, for reading and sharing: the active branch of each."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from streamchat_desktop.core.attachments import Attachment, AttachmentKind, format_size
from streamchat_desktop.core.models import Conversation, Message, MessageState, Role
from streamchat_desktop.core.tool_history import split_at_calls
from streamchat_desktop.core.tools import ToolCallRecord

# Where an attached file was written beside the Markdown (a relative path), if it was.
FileLinks = Callable[[Attachment], str | None]

ROLE_TITLES = {Role.USER: "You", Role.ASSISTANT: "Assistant", Role.SYSTEM: "System"}


def conversations_markdown(
    items: Iterable[tuple[Conversation, list[Message]]], links: FileLinks | None = None
) -> str:
    """Every conversation with its active branch, separated by rules."""
    return "\n---\n\n".join(conversation_markdown(c, m, links) for c, m in items)


def conversation_markdown(
    conversation: Conversation, messages: list[Message], links: FileLinks | None = None
) -> str:
    lines = [f"# {_one_line(conversation.title)}", ""]
    details = [f"Created {_when(conversation.created_at)}"]
    if conversation.model:
        details.append(f"model `{conversation.model}`")
    if conversation.provider_id:
        details.append(f"provider `{conversation.provider_id}`")
    if conversation.temperature is not None:
        details.append(f"temperature {conversation.temperature:g}")
    lines += [f"*{' · '.join(details)}*", ""]
    if conversation.system_prompt.strip():
        lines += ["**System prompt**", "", *_quoted(conversation.system_prompt), ""]
    for message in messages:
        lines += _message_lines(message, links)
    return "\n".join(lines).rstrip() + "\n"


def _message_lines(message: Message, links: FileLinks | None) -> list[str]:
    heading = ROLE_TITLES[message.role]
    if message.role is Role.ASSISTANT and message.model:
        heading += f" · {message.model}"
    lines = [f"## {heading}", ""]
    if message.reasoning.strip():
        lines += [
            "<details><summary>Reasoning</summary>",
            "",
            message.reasoning.strip(),
            "",
            "</details>",
            "",
        ]
    if message.tool_calls:
        lines += tool_calls_markdown(message)
    elif message.content:
        lines += [message.content.rstrip(), ""]
    lines += _attachment_lines(message.attachments, links)
    note = state_note(message)
    if note:
        lines += [f"> *{note}*", ""]
    return lines


def _attachment_lines(attachments: tuple[Attachment, ...], links: FileLinks | None) -> list[str]:
    """Each file by name and size; an image written beside the Markdown is shown."""
    lines = []
    for attachment in attachments:
        name = _one_line(attachment.name).replace("]", "\\]")
        link = links(attachment) if links else None
        about = f"{name} ({format_size(attachment.size)})"
        if link and attachment.kind is AttachmentKind.IMAGE:
            lines.append(f"![{name}](<{link}>)")
        lines.append(f"- Attached: {f'[{about}](<{link}>)' if link else about}")
    return [*lines, ""] if lines else []


def tool_calls_markdown(message: Message) -> list[str]:
    """The reply's text with each tool call where it was made, result folded."""
    lines: list[str] = []
    groups, rest = split_at_calls(message)
    for before, records in groups:
        if before.rstrip():
            lines += [before.rstrip(), ""]
        for record in records:
            lines += _tool_call_details(record)
    if rest.rstrip():
        lines += [rest.rstrip(), ""]
    return lines


def _tool_call_details(record: ToolCallRecord) -> list[str]:
    # the name is the model's (a call of an unknown tool keeps it): escaped for HTML
    server = f" ({html.escape(record.server)})" if record.server else ""
    name = html.escape(record.call.name)
    return [
        f"<details><summary>Tool call: {name}{server} — {record.status.value}</summary>",
        "",
        "```json",
        (record.call.arguments or "{}").replace("```", "ʼʼʼ"),
        "```",
        "",
        "```text",
        record.result.replace("```", "ʼʼʼ"),
        "```",
        "",
        "</details>",
        "",
    ]


def state_note(message: Message) -> str | None:
    """How a reply ended, when it did not simply finish."""
    if message.state is MessageState.STOPPED:
        return "Stopped before the end."
    if message.state is MessageState.INTERRUPTED:
        return "Interrupted: StreamChat closed before the answer was complete."
    if message.state is MessageState.STREAMING:
        return "Still streaming when exported."
    if message.state is MessageState.FAILED:
        return f"Failed: {message.error_message or message.error_kind or 'unknown error'}"
    if message.finish_reason == "length":
        return "Cut at the token limit."
    if message.finish_reason == "content_filter":
        return "Blocked by the content filter."
    return None


def _quoted(text: str) -> list[str]:
    return [f"> {line}" if line else ">" for line in text.strip().splitlines()]


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "Untitled"


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")
