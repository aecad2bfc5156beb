"""A reply's tool calls as stored: JSON for the record, plain text for search."""

from __future__ import annotations

import json
from typing import Any

from streamchat_desktop.core.tools import ToolCall, ToolCallRecord, ToolImage, ToolStatus


def record_to_dict(record: ToolCallRecord) -> dict[str, Any]:
    return {
        "id": record.call.id,
        "name": record.call.name,
        "arguments": record.call.arguments,
        "server": record.server,
        "status": record.status.value,
        "result": record.result,
        "images": [{"mime_type": i.mime_type, "data": i.data} for i in record.images],
        "offset": record.offset,
    }


def record_from_dict(data: dict[str, Any]) -> ToolCallRecord:
    """Tolerant of what an older or edited export lacks; a bad value raises ValueError."""
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise ValueError("a tool call without an id")
    images = data.get("images") or []
    offset = data.get("offset", 0)
    return ToolCallRecord(
        call=ToolCall(str(data["id"]), str(data.get("name", "")), str(data.get("arguments", ""))),
        server=str(data.get("server", "")),
        status=ToolStatus(data.get("status", ToolStatus.FAILED.value)),
        result=str(data.get("result", "")),
        images=tuple(ToolImage(str(i["mime_type"]), str(i["data"])) for i in images),
        offset=offset if isinstance(offset, int) and offset >= 0 else 0,
    )


def records_to_json(records: tuple[ToolCallRecord, ...]) -> str | None:
    if not records:
        return None
    return json.dumps([record_to_dict(r) for r in records], ensure_ascii=False)


def records_from_json(text: str | None) -> tuple[ToolCallRecord, ...]:
    if not text:
        return ()
    return tuple(record_from_dict(item) for item in json.loads(text))


def records_search_text(records: tuple[ToolCallRecord, ...]) -> str:
    """What full-text search sees of the calls: names, arguments, results."""
    return "\n".join(f"{r.call.name} {r.call.arguments}\n{r.result}" for r in records)
