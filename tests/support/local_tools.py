"""An in-process ``Toolbox`` for core and provider tests: Python functions as tools.

The MCP toolbox (tests/tools) runs real MCP servers; this one keeps the tool loop's
tests about the loop. A tool may block on ``gate`` to hold a call open.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from streamchat_desktop.core.tools import (
    Decision,
    ToolCall,
    ToolCatalog,
    ToolOutcome,
    ToolSpec,
    ToolStatus,
)

ToolFunction = Callable[[dict[str, Any]], Awaitable[ToolOutcome]]

ECHO_SCHEMA = {
    "type": "object",
    "properties": {"text": {"type": "string"}},
    "required": ["text"],
}


async def echo(arguments: dict[str, Any]) -> ToolOutcome:
    return ToolOutcome(ToolStatus.DONE, f"echo: {arguments.get('text', '')}")


@dataclass
class LocalToolbox:
    """Tools by name; ``calls`` records every call that ran, ``cancelled`` those cut."""

    functions: dict[str, ToolFunction] = field(default_factory=lambda: {"echo": echo})
    schemas: dict[str, dict[str, Any]] = field(default_factory=lambda: {"echo": ECHO_SCHEMA})
    problems: tuple[str, ...] = ()
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    catalog_requests: int = 0

    async def catalog(self) -> ToolCatalog:
        self.catalog_requests += 1
        specs = tuple(
            ToolSpec(name, f"the {name} tool", self.schemas.get(name, {}), "local")
            for name in self.functions
        )
        return ToolCatalog(specs, self.problems)

    def check_arguments(self, spec: ToolSpec, arguments: dict[str, Any]) -> str | None:
        required = spec.parameters.get("required", [])
        missing = [name for name in required if name not in arguments]
        return f"missing required argument(s): {', '.join(missing)}" if missing else None

    async def call(self, spec: ToolSpec, arguments: dict[str, Any]) -> ToolOutcome:
        self.calls.append((spec.name, arguments))
        try:
            return await self.functions[spec.name](arguments)
        except asyncio.CancelledError:
            self.cancelled.append(spec.name)
            raise


async def hang_forever(_arguments: dict[str, Any]) -> ToolOutcome:
    await asyncio.Event().wait()
    raise AssertionError("unreachable")


def allow_all() -> Callable[[ToolCall, ToolSpec], Awaitable[Decision]]:
    async def approve(_call: ToolCall, _spec: ToolSpec) -> Decision:
        return Decision.ALLOW_ONCE

    return approve
