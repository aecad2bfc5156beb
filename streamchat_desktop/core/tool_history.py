"""A reply's tool calls as kept with its message, and as sent to the model again.

A reply that used tools is stored as one message: its whole text plus one
``ToolCallRecord`` per call, each with the ``offset`` in the text where it was made.
``reply_turns`` rebuilds the OpenAI shape from that (assistant turn with the calls,
a ``tool`` turn per result, …, the final answer), so continuing or regenerating
resends exactly what the model saw.
"""

from __future__ import annotations

import dataclasses

from streamchat_desktop.core.models import ChatTurn, Message, Role
from streamchat_desktop.core.tool_events import ToolCallChanged
from streamchat_desktop.core.tools import ToolCallRecord, ToolStatus

UNFINISHED_RESULT = "No result: the reply ended before this call did."


def apply_change(
    records: dict[str, ToolCallRecord], change: ToolCallChanged, offset: int
) -> ToolCallRecord:
    """Record a call's change; a call seen first is placed at ``offset``."""
    known = records.get(change.call.id)
    record = ToolCallRecord(
        call=change.call,
        server=change.server,
        status=change.status,
        result=change.result,
        images=change.images,
        offset=known.offset if known is not None else offset,
    )
    records[change.call.id] = record
    return record


def close_unfinished(records: tuple[ToolCallRecord, ...]) -> tuple[ToolCallRecord, ...]:
    """Calls still pending or running when the reply ended (Stop, an error) end failed."""
    return tuple(
        record
        if record.status.ended
        else dataclasses.replace(record, status=ToolStatus.FAILED, result=UNFINISHED_RESULT)
        for record in records
    )


def split_at_calls(message: Message) -> tuple[list[tuple[str, list[ToolCallRecord]]], str]:
    """The reply as (text before, calls made there) groups and the text after the last.

    The one reading of ``offset``: the transcript, the export and the turns resent to
    the model all cut the text here, so they never disagree about where a call sits.
    Calls with no text between them form one group (one assistant turn)."""
    groups: list[tuple[str, list[ToolCallRecord]]] = []
    start = 0
    for record in message.tool_calls:
        offset = max(start, min(record.offset, len(message.content)))
        if groups and offset == start:
            groups[-1][1].append(record)
            continue
        groups.append((message.content[start:offset], [record]))
        start = offset
    return groups, message.content[start:]


def reply_turns(message: Message) -> list[ChatTurn]:
    """The turns of one stored reply, in the shape the model produced them."""
    if not message.tool_calls:
        return [ChatTurn(message.role, message.content)] if message.content else []
    turns: list[ChatTurn] = []
    groups, rest = split_at_calls(message)
    for text, records in groups:
        calls = tuple(record.call for record in records)
        turns.append(ChatTurn(Role.ASSISTANT, text, tool_calls=calls))
        for record in records:
            result = record.result if record.status.ended else UNFINISHED_RESULT
            turns.append(ChatTurn(Role.TOOL, result, tool_call_id=record.call.id))
    if rest:
        turns.append(ChatTurn(Role.ASSISTANT, rest))
    return turns
