"""Tools in the running app: the MCP toolbox from the settings, who approves calls,
and the servers' life (started by the first reply that may use tools, stopped at quit).

In the window, calls wait for the desktop's decision (``decide``); "always allow"
goes to the settings (no secret in it). In a script (``--exit-after-reply``) the
tools named by ``--allow-tools`` run and every other call is declined, each named
on stderr.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TextIO

from streamchat_desktop.config.keystore import KeychainUnavailable, KeyStore
from streamchat_desktop.config.settings import SettingsError
from streamchat_desktop.config.settings_service import SettingsChange, SettingsService
from streamchat_desktop.core.approvals import ApprovalDesk, ScriptApprovals, parse_allow_tools
from streamchat_desktop.core.chat_service import ChatService, ToolSetup
from streamchat_desktop.core.tool_loop import Approver, ToolLimits
from streamchat_desktop.core.tool_servers import ToolServerConfig, ToolServerStatus, secret_id
from streamchat_desktop.core.tools import Decision, ToolCatalog, ToolOutcome, ToolSpec

if TYPE_CHECKING:  # importing mcp takes about a second: only once a reply may use tools
    from streamchat_desktop.tools.mcp_toolbox import McpToolbox

log = logging.getLogger(__name__)


def server_secrets(keys: KeyStore) -> Callable[[ToolServerConfig], Mapping[str, str]]:
    """Reads a server's secret env values and headers from the keychain (at its start)."""

    def read(config: ToolServerConfig) -> Mapping[str, str]:
        found: dict[str, str] = {}
        wanted = [("env", n) for n in config.secret_env]
        wanted += [("header", n) for n in config.secret_headers]
        for kind, name in wanted:
            try:
                value = keys.get(secret_id(config.name, kind, name))
            except KeychainUnavailable as exc:
                log.warning("MCP server %s: %s is not available: %s", config.name, name, exc)
                continue
            if value is not None:
                found[name] = value
        return found

    return read


class ToolCoordinator:
    """Owns the toolbox and the approver, and tells the ChatService about them."""

    def __init__(
        self,
        service: ChatService,
        settings: SettingsService,
        keys: KeyStore,
        *,
        script_allow: str | None = None,
        script: bool = False,
        err: TextIO = sys.stderr,
        on_problem: Callable[[str], None] | None = None,
    ) -> None:
        self._service = service
        self._settings_service = settings
        self._settings = settings.current  # read here; changed through the service
        self._err = err
        self.problems: list[str] = []  # choices that could not be saved
        self._secrets = server_secrets(keys)
        self._toolbox: McpToolbox | None = None  # built (and mcp imported) on first use
        self._on_problem = on_problem  # tells the user (the window's notice)
        self.desk = ApprovalDesk(self._is_always_allowed, self._remember)
        self._approver: Approver = self.desk
        if script:
            allowed = parse_allow_tools(script_allow) if script_allow else frozenset()
            self._approver = ScriptApprovals(allowed, self._tell_declined)
        self._stopping: set[asyncio.Task[None]] = set()
        self.apply()

    def apply(self) -> None:
        """Offer tools when a server is on (after any change of the servers)."""
        gone = self._toolbox.configure(self._settings.tool_servers) if self._toolbox else []
        for connection in gone:
            task = asyncio.ensure_future(connection.stop())
            self._stopping.add(task)
            task.add_done_callback(self._stopping.discard)
        if any(server.enabled for server in self._settings.tool_servers):
            limits = ToolLimits(timeout=self._settings.tool_timeout)
            self._service.use_tools(ToolSetup(_LazyToolbox(self), self._approver, limits))
        else:
            self._service.use_tools(None)

    @property
    def toolbox(self) -> McpToolbox:
        """The MCP toolbox, built on first use (the first reply that may use tools)."""
        if self._toolbox is None:
            from streamchat_desktop.tools.mcp_toolbox import McpToolbox

            self._toolbox = McpToolbox(self._settings.tool_servers, self._secrets)
        return self._toolbox

    def statuses(self) -> list[ToolServerStatus]:
        """Every configured server's state and tools (for the Tools page)."""
        if self._toolbox is None:  # nothing started yet
            return [ToolServerStatus(s.name, "stopped") for s in self._settings.tool_servers]
        return [
            ToolServerStatus(c.name, c.state.value, c.reason, tuple(t.name for t in c.tools))
            for c in self._toolbox.connections
        ]

    async def test_servers(self) -> None:
        """Start every server that is on (the Tools page's Test button)."""
        self.apply()
        await self.toolbox.catalog(retry_failed=True)

    def change_settings(self, change: SettingsChange) -> str | None:
        """A change from the Tools page (a switch, a revoked "always allow"): saved through
        the settings service, then applied; the reason when it could not be saved."""
        try:
            self._settings_service.update(change)
        except SettingsError as exc:
            log.warning("%s", exc)
            return str(exc)
        self.apply()
        return None

    def decide(self, call_id: str, decision: Decision) -> bool:
        """The desktop's answer to a waiting call (companion views never call this)."""
        return self.desk.decide(call_id, decision)

    def revoke(self, key: str) -> None:
        """Forget "always allow" for one tool (``server/tool``)."""
        if key in self._settings.always_allowed_tools:
            self._save(lambda settings: settings.always_allowed_tools.remove(key))

    async def aclose(self) -> None:
        if self._toolbox is not None:
            await self._toolbox.aclose()
        if self._stopping:
            await asyncio.gather(*self._stopping, return_exceptions=True)

    def _is_always_allowed(self, key: str) -> bool:
        return key in self._settings.always_allowed_tools

    def _remember(self, key: str) -> None:
        if key not in self._settings.always_allowed_tools:
            self._save(lambda settings: settings.always_allowed_tools.append(key))

    def _save(self, change: SettingsChange) -> None:
        try:
            self._settings_service.update(change)
        except SettingsError as exc:
            log.warning("%s", exc)
            self.problems.append(str(exc))
            if self._on_problem is not None:
                self._on_problem(f"{exc} The tool will be asked about again.")

    def _tell_declined(self, tool: str) -> None:
        print(
            f"streamchat: declined the tool call {tool!r} (allow it with --allow-tools {tool})",
            file=self._err,
            flush=True,
        )


class _LazyToolbox:
    """The core's Toolbox that builds the MCP toolbox only when a reply asks for tools."""

    def __init__(self, owner: ToolCoordinator) -> None:
        self._owner = owner

    async def catalog(self) -> ToolCatalog:
        return await self._owner.toolbox.catalog()

    def check_arguments(self, spec: ToolSpec, arguments: dict[str, Any]) -> str | None:
        return self._owner.toolbox.check_arguments(spec, arguments)

    async def call(self, spec: ToolSpec, arguments: dict[str, Any]) -> ToolOutcome:
        return await self._owner.toolbox.call(spec, arguments)
