"""The events a reply with tools adds to the closed set in ``core.events``."""

from __future__ import annotations

from dataclasses import dataclass

from streamchat_desktop.core.tools import ToolCall, ToolImage, ToolStatus


@dataclass(frozen=True, slots=True)
class ToolCallFragment:
    """A piece of a streamed call (``delta.tool_calls[i]``): the provider's event.

    Fragments with the same ``index`` make one call: the first usually carries the id
    and the name, the others pieces of the JSON arguments.
    """

    index: int
    id: str | None = None
    name: str | None = None
    arguments: str = ""


@dataclass(frozen=True, slots=True)
class ToolCallChanged:
    """A call appeared or moved on (pending → running → done/failed/declined)."""

    call: ToolCall
    server: str
    status: ToolStatus
    result: str = ""
    images: tuple[ToolImage, ...] = ()


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the user should know about this reply that is not the answer
    (tools turned off for a server, a server that did not start, the step limit)."""

    text: str
