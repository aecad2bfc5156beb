"""The core's ``Toolbox`` over the configured MCP servers.

Servers start on the first ``catalog`` (the first reply that may use tools), all at
once; one that fails is named with its reason and the others go on. Tool names are
made safe for the OpenAI API (``[A-Za-z0-9_-]{1,64}``) and unique across servers.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

import jsonschema
from mcp.shared.exceptions import MCPError
from mcp.types import Tool
from referencing.exceptions import Unresolvable

from streamchat_desktop.core.tool_servers import ToolServerConfig
from streamchat_desktop.core.tools import ToolCatalog, ToolOutcome, ToolSpec, ToolStatus
from streamchat_desktop.tools.mcp_connection import (
    START_TIMEOUT,
    McpConnection,
    ServerState,
    ServerUnavailableError,
)
from streamchat_desktop.tools.results import outcome_of

log = logging.getLogger(__name__)

SecretReader = Callable[[ToolServerConfig], Mapping[str, str]]
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


class McpToolbox:
    """Connections to the configured servers, and which tool lives where."""

    def __init__(
        self,
        servers: list[ToolServerConfig],
        secrets: SecretReader | None = None,
        *,
        start_timeout: float = START_TIMEOUT,
    ) -> None:
        self._secrets = secrets
        self._start_timeout = start_timeout
        self._connections: dict[str, McpConnection] = {}
        self._routes: dict[str, tuple[McpConnection, Tool]] = {}
        self.configure(servers)

    @property
    def connections(self) -> list[McpConnection]:
        return list(self._connections.values())

    def configure(self, servers: list[ToolServerConfig]) -> list[McpConnection]:
        """Take a new server list; returns the connections that are gone or changed
        (the caller stops them: ``await conn.stop()``)."""
        gone = []
        kept: dict[str, McpConnection] = {}
        for config in servers:
            existing = self._connections.pop(config.name, None)
            if existing is not None and _same_process(existing.config, config):
                existing.config = config  # only switches changed: keep it running
                kept[config.name] = existing
                continue
            if existing is not None:
                gone.append(existing)
            kept[config.name] = McpConnection(
                config, self._reader(config), start_timeout=self._start_timeout
            )
        gone.extend(self._connections.values())
        self._connections = kept
        return gone

    def _reader(self, config: ToolServerConfig) -> Callable[[], Mapping[str, str]] | None:
        secrets = self._secrets
        if secrets is None:
            return None
        return lambda: secrets(config)

    async def catalog(self, *, retry_failed: bool = False) -> ToolCatalog:
        """The enabled servers' tools, starting servers as needed (``retry_failed``: also
        those whose start failed within the last minute)."""
        enabled = [c for c in self._connections.values() if c.config.enabled]
        results = await asyncio.gather(
            *(c.ensure_started(retry_failed=retry_failed) for c in enabled),
            return_exceptions=True,
        )
        problems = []
        for connection, result in zip(enabled, results, strict=True):
            if isinstance(result, ServerUnavailableError):
                problems.append(f"The MCP server {connection.name} did not start: {result}")
            elif isinstance(result, BaseException):
                raise result
        self._routes = {}
        specs = []
        for connection in enabled:
            if connection.state is not ServerState.READY:
                continue
            for tool in connection.tools:
                if tool.name in connection.config.disabled_tools:
                    continue
                name = self._unique_name(connection.name, tool.name)
                self._routes[name] = (connection, tool)
                specs.append(
                    ToolSpec(name, tool.description or "", dict(tool.input_schema), connection.name)
                )
        return ToolCatalog(tuple(specs), tuple(problems))

    def _unique_name(self, server: str, tool: str) -> str:
        name = _UNSAFE.sub("_", tool)[:64] or "tool"
        if name in self._routes:
            name = _UNSAFE.sub("_", f"{server}_{tool}")[:64]
        base, n = name, 2
        while name in self._routes:
            name, n = f"{base[:60]}_{n}", n + 1
        return name

    def check_arguments(self, spec: ToolSpec, arguments: dict[str, Any]) -> str | None:
        if not spec.parameters:
            return None
        try:
            jsonschema.validate(arguments, spec.parameters)
        except jsonschema.ValidationError as exc:
            where = "/".join(str(p) for p in exc.absolute_path)
            return f"the arguments do not match the tool's schema: {exc.message}" + (
                f" (at {where})" if where else ""
            )
        except (jsonschema.SchemaError, Unresolvable):  # the server's schema, not the call
            log.info("tool %s has an unusable input schema; arguments not checked", spec.name)
        return None

    async def call(self, spec: ToolSpec, arguments: dict[str, Any]) -> ToolOutcome:
        route = self._routes.get(spec.name)
        if route is None:
            return ToolOutcome(ToolStatus.FAILED, f"Error: the tool {spec.name!r} is gone")
        connection, tool = route
        try:
            result = await connection.call(tool.name, arguments)
        except ServerUnavailableError as exc:
            return ToolOutcome(
                ToolStatus.FAILED, f"Error: the MCP server {connection.name} failed: {exc}"
            )
        except MCPError as exc:
            return ToolOutcome(
                ToolStatus.FAILED, f"Error from the MCP server {connection.name}: {exc.message}"
            )
        return outcome_of(result)

    async def aclose(self) -> None:
        """Stop every server (at quit)."""
        await asyncio.gather(
            *(c.stop() for c in self._connections.values()), return_exceptions=True
        )


def _same_process(old: ToolServerConfig, new: ToolServerConfig) -> bool:
    """Whether a changed config can keep the running server (only on/off switches moved)."""
    keys = ("command", "args", "env", "secret_env", "url", "headers", "secret_headers")
    return all(getattr(old, key) == getattr(new, key) for key in keys)
