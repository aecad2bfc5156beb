"""Rows to domain objects and back: the rest of the app never sees a row."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from streamchat_desktop.core.models import Conversation, Message, MessageState, Role, Usage
from streamchat_desktop.storage.tool_records import (
    records_from_json,
    records_search_text,
    records_to_json,
)

CONVERSATION_COLUMNS = (
    "id, title, provider_id, model, system_prompt, temperature, created_at, updated_at"
)
MESSAGE_COLUMNS = (
    "id, conversation_id, parent_id, role, content, reasoning, state, finish_reason, "
    "error_kind, error_message, usage_json, model, created_at, tool_calls_json, tool_text"
)
USAGE_FIELDS = ("prompt_tokens", "completion_tokens", "total_tokens", "reasoning_tokens")


def conversation_from_row(row: sqlite3.Row) -> Conversation:
    return Conversation(
        id=row["id"],
        title=row["title"],
        provider_id=row["provider_id"],
        model=row["model"],
        system_prompt=row["system_prompt"],
        temperature=row["temperature"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def conversation_params(conversation: Conversation) -> dict[str, Any]:
    return {
        "id": conversation.id,
        "title": conversation.title,
        "provider_id": conversation.provider_id,
        "model": conversation.model,
        "system_prompt": conversation.system_prompt,
        "temperature": conversation.temperature,
        "created_at": conversation.created_at,
        "updated_at": conversation.updated_at,
    }


def message_from_row(row: sqlite3.Row) -> Message:
    return Message(
        id=row["id"],
        conversation_id=row["conversation_id"],
        parent_id=row["parent_id"],
        role=Role(row["role"]),
        content=row["content"],
        reasoning=row["reasoning"],
        state=MessageState(row["state"]),
        finish_reason=row["finish_reason"],
        error_kind=row["error_kind"],
        error_message=row["error_message"],
        usage=usage_from_json(row["usage_json"]),
        model=row["model"],
        created_at=row["created_at"],
        tool_calls=records_from_json(row["tool_calls_json"]),
    )


def message_params(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "parent_id": message.parent_id,
        "role": message.role.value,
        "content": message.content,
        "reasoning": message.reasoning,
        "state": message.state.value,
        "finish_reason": message.finish_reason,
        "error_kind": message.error_kind,
        "error_message": message.error_message,
        "usage_json": usage_to_json(message.usage),
        "model": message.model,
        "created_at": message.created_at,
        "tool_calls_json": records_to_json(message.tool_calls),
        "tool_text": records_search_text(message.tool_calls),
    }


def usage_to_dict(usage: Usage | None) -> dict[str, int] | None:
    if usage is None:
        return None
    return {name: value for name in USAGE_FIELDS if (value := getattr(usage, name)) is not None}


def usage_from_dict(data: dict[str, Any] | None) -> Usage | None:
    if data is None:
        return None
    return Usage(**{name: data.get(name) for name in USAGE_FIELDS})


def usage_to_json(usage: Usage | None) -> str | None:
    data = usage_to_dict(usage)
    return None if data is None else json.dumps(data, separators=(",", ":"))


def usage_from_json(text: str | None) -> Usage | None:
    return None if text is None else usage_from_dict(json.loads(text))
