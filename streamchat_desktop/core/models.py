"""Plain domain objects shared by every layer; the UI never sees a storage row."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import Enum

from streamchat_desktop.core.attachments import Attachment, ContentPart
from streamchat_desktop.core.tools import ToolCall, ToolCallRecord, ToolSpec


class Role(str, Enum):
    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"
    TOOL = "tool"  # a tool's result, sent back to the model (never a stored message)


class MessageState(str, Enum):
    """Where a message's life ended; every assistant reply ends in exactly one of these."""

    STREAMING = "streaming"
    COMPLETE = "complete"
    STOPPED = "stopped"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts as the server reported them (absent fields stay ``None``)."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    reasoning_tokens: int | None = None


def new_id() -> str:
    import uuid  # on first use: it costs the first frame ≈ 2 ms (it loads platform)

    return uuid.uuid4().hex


@dataclass(frozen=True, slots=True)
class Message:
    """One turn of a conversation. Assistant replies carry how they ended."""

    role: Role
    content: str
    id: str = field(default_factory=new_id)
    conversation_id: str = ""
    reasoning: str = ""
    state: MessageState = MessageState.COMPLETE
    finish_reason: str | None = None
    error_kind: str | None = None
    error_message: str | None = None
    usage: Usage | None = None
    model: str | None = None
    created_at: float = field(default_factory=time.time)
    parent_id: str | None = None
    attachments: tuple[Attachment, ...] = ()  # files given with a prompt (core.attachments)
    tool_calls: tuple[ToolCallRecord, ...] = ()  # the calls made while it streamed

    @property
    def is_streaming_reply(self) -> bool:
        """An assistant reply still arriving (or cut off before it was marked ended)."""
        return self.role is Role.ASSISTANT and self.state is MessageState.STREAMING

    @property
    def is_cut(self) -> bool:
        """Text that ended before the model was done: the token limit, Stop, an error
        mid-answer or a killed process (what Continue can go on with)."""
        cut = self.finish_reason == "length" or self.state in (
            MessageState.STOPPED,
            MessageState.FAILED,
            MessageState.INTERRUPTED,
        )
        return cut and bool(self.content)


@dataclass(frozen=True, slots=True)
class Conversation:
    """A conversation and the settings it remembers for its next turn."""

    id: str = field(default_factory=new_id)
    title: str = "New conversation"
    provider_id: str | None = None
    model: str | None = None
    system_prompt: str = ""
    temperature: float | None = None
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)


@dataclass(frozen=True, slots=True)
class ChatTurn:
    """One message as sent to the model."""

    role: Role
    content: str
    parts: tuple[ContentPart, ...] = ()  # attachments, sent after ``content`` (OpenAI parts)
    tool_calls: tuple[ToolCall, ...] = ()  # an assistant turn that asked for tools
    tool_call_id: str | None = None  # a TOOL turn: the call it answers


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """Everything a provider needs for one reply; the key is the provider's business."""

    model: str
    messages: tuple[ChatTurn, ...]
    temperature: float | None = None
    max_tokens: int | None = None
    tools: tuple[ToolSpec, ...] = ()  # offered to the model; empty: no tools
