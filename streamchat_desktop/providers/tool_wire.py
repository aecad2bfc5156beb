"""Function calling on the OpenAI wire: the ``tools`` a request offers, the turns that
carry calls and results back, and what a server's refusal of ``tools`` looks like.
(No openai import here: these are plain JSON shapes.)"""

from __future__ import annotations

import dataclasses
from typing import Any

from streamchat_desktop.core.errors import ChatError, ErrorKind
from streamchat_desktop.core.models import ChatRequest, ChatTurn
from streamchat_desktop.core.tools import ToolSpec

EMPTY_SCHEMA: dict[str, Any] = {"type": "object", "properties": {}}


def tools_off_notice(url: str) -> str:
    return f"Tools are off for {url}: this server does not accept them."


def rejects_tools(error: ChatError) -> bool:
    """A 400/422 whose words are about tools (the server has no function calling)."""
    text = error.detail.lower()
    return error.kind is ErrorKind.BAD_REQUEST and ("tool" in text or "function" in text)


def without_tools(request: ChatRequest) -> ChatRequest:
    return dataclasses.replace(request, tools=())


def tools_payload(specs: tuple[ToolSpec, ...]) -> list[dict[str, Any]]:
    """The request's ``tools``: one function per tool, with its JSON Schema."""
    return [
        {
            "type": "function",
            "function": {
                "name": spec.name,
                "description": spec.description,
                "parameters": spec.parameters or EMPTY_SCHEMA,
            },
        }
        for spec in specs
    ]


def add_tool_fields(message: dict[str, Any], turn: ChatTurn) -> dict[str, Any]:
    """The message with an assistant turn's ``tool_calls`` or a tool turn's call id."""
    if turn.tool_calls:
        message["content"] = turn.content or None
        message["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments or "{}"},
            }
            for call in turn.tool_calls
        ]
    if turn.tool_call_id is not None:
        message["tool_call_id"] = turn.tool_call_id
    return message
