"""Plain-language status-bar text for a finished reply (no Qt: easy to test)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from streamchat_desktop.core.models import Message, MessageState

if TYPE_CHECKING:
    from streamchat_desktop.core.events import ReplyStats

_ENDINGS = {
    MessageState.STOPPED: "Stopped",
    MessageState.INTERRUPTED: "Interrupted",
}
_FINISH_NOTES = {
    "length": "cut at the token limit",
    "content_filter": "blocked by the content filter",
}


def reply_summary(message: Message | None, stats: ReplyStats) -> str:
    """E.g. ``First token 0.42 s · 57.3 tok/s · 12 prompt + 345 completion tokens``."""
    parts: list[str] = []
    if message is not None and message.state is MessageState.FAILED:
        parts.append(message.error_message or "Failed")
    elif message is not None and message.state in _ENDINGS:
        parts.append(_ENDINGS[message.state])
    if stats.time_to_first_token is not None:
        parts.append(f"First token {stats.time_to_first_token:.2f} s")
    if stats.tokens_per_second is not None:
        estimate = "" if stats.completion_tokens is not None else "≈"
        parts.append(f"{estimate}{stats.tokens_per_second:.1f} tok/s")
    usage = stats.usage
    if usage is not None and usage.completion_tokens is not None:
        prompt = f"{usage.prompt_tokens} prompt + " if usage.prompt_tokens is not None else ""
        parts.append(f"{prompt}{usage.completion_tokens} completion tokens")
    if message is not None and message.finish_reason in _FINISH_NOTES:
        parts.append(_FINISH_NOTES[message.finish_reason])
    return " · ".join(parts) if parts else "Done"
