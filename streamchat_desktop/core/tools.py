"""Tools the model may call, the calls it makes, and what became of each.

Plain values shared by every layer: the provider turns streamed fragments into
``ToolCall``s, the tool loop runs them through a ``Toolbox`` (the MCP servers), and
the reply keeps one ``ToolCallRecord`` per call, stored with its message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class ToolStatus(str, Enum):
    """Where a call is: waiting for the user, running, or how it ended."""

    PENDING = "pending"  # waiting for the user's decision
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    DECLINED = "declined"

    @property
    def ended(self) -> bool:
        return self in (ToolStatus.DONE, ToolStatus.FAILED, ToolStatus.DECLINED)


class Decision(str, Enum):
    """The user's answer to one call."""

    ALLOW_ONCE = "allow_once"
    ALWAYS_ALLOW = "always_allow"
    DENY = "deny"


DECLINED_RESULT = "The user declined this tool call."


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """One tool as the model sees it; ``server`` names the MCP server that has it."""

    name: str
    description: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    server: str = ""


def tool_key(spec: ToolSpec) -> str:
    """How "always allow" names a tool: ``server/tool`` (the same name on another
    server is another tool)."""
    return f"{spec.server}/{spec.name}"


@dataclass(frozen=True, slots=True)
class ToolCall:
    """One call the model asked for; ``arguments`` is its JSON text, unchecked."""

    id: str
    name: str
    arguments: str = ""


@dataclass(frozen=True, slots=True)
class ToolImage:
    """An image a tool returned (base64 data as MCP sends it)."""

    mime_type: str
    data: str


@dataclass(frozen=True, slots=True)
class ToolOutcome:
    """How a call ended; ``text`` is what goes back to the model."""

    status: ToolStatus
    text: str
    images: tuple[ToolImage, ...] = ()


@dataclass(frozen=True, slots=True)
class ToolCallRecord:
    """A call within a reply, as shown and stored.

    ``offset`` is where in the reply's text the call was made: the text before it is
    the assistant turn that asked for it, which is how the conversation is resent.
    """

    call: ToolCall
    server: str = ""
    status: ToolStatus = ToolStatus.PENDING
    result: str = ""
    images: tuple[ToolImage, ...] = ()
    offset: int = 0


@dataclass(frozen=True, slots=True)
class ToolCatalog:
    """The tools on offer for one reply, and why some server offers none."""

    specs: tuple[ToolSpec, ...] = ()
    problems: tuple[str, ...] = ()
