"""The transcript's memory of tool blocks (light: the view imports it at start-up)."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from streamchat_desktop.core.tools import ToolCallRecord, ToolStatus

if TYPE_CHECKING:  # the domain model loads after the first frame (tests/e2e/test_first_frame)
    from streamchat_desktop.core.models import Message


@dataclass
class ToolDisplay:
    """What the user unfolded, and when each call started and ended (for elapsed times)."""

    expanded: set[str] = field(default_factory=set)
    show_all: set[str] = field(default_factory=set)
    started: dict[str, float] = field(default_factory=dict)
    ended: dict[str, float] = field(default_factory=dict)

    def note(self, record: ToolCallRecord) -> None:
        call_id = record.call.id
        if record.status is ToolStatus.RUNNING:
            self.started.setdefault(call_id, time.monotonic())
        elif record.status.ended and call_id in self.started:
            self.ended.setdefault(call_id, time.monotonic())

    def elapsed(self, call_id: str) -> str:
        started = self.started.get(call_id)
        if started is None:
            return ""
        seconds = self.ended.get(call_id, time.monotonic()) - started
        return f" · {seconds:.1f} s"

    def toggle(self, call_id: str) -> None:
        self.expanded.symmetric_difference_update({call_id})


def with_tool_call(message: Message, record: ToolCallRecord, offset: int) -> Message:
    """The message with this call added (at ``offset``) or updated (where it was)."""
    calls = list(message.tool_calls)
    for index, known in enumerate(calls):
        if known.call.id == record.call.id:
            calls[index] = dataclasses.replace(record, offset=known.offset)
            return dataclasses.replace(message, tool_calls=tuple(calls))
    calls.append(dataclasses.replace(record, offset=offset))
    return dataclasses.replace(message, tool_calls=tuple(calls))
