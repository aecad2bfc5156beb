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
from typing import TextIO

from streamchat_desktop.config.keystore import KeychainUnavailable, KeyStore
from streamchat_desktop.config.settings import SettingsError
from streamchat_desktop.config.settings_service import SettingsChange, SettingsService
from streamchat_desktop.core.approvals import ApprovalDesk, ScriptApprovals, parse_allow_tools
from streamchat_desktop.core.chat_service import ChatService, ToolSetup
from streamchat_desktop.core.tool_loop import Approver, ToolLimits
from streamchat_desktop.core.tool_servers import ToolServerConfig, secret_id
from streamchat_desktop.core.tools import Decision
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
    ) -> None:
        self._service = service
        self._settings_service = settings
        self._settings = settings.current  # read here; changed through the service
        self._err = err
        self.problems: list[str] = []  # choices that could not be saved
        self.toolbox = McpToolbox(self._settings.tool_servers, server_secrets(keys))
        self.desk = ApprovalDesk(self._is_always_allowed, self._remember)
        self._approver: Approver = self.desk
        if script:
            allowed = parse_allow_tools(script_allow) if script_allow else frozenset()
            self._approver = ScriptApprovals(allowed, self._tell_declined)
        self._stopping: set[asyncio.Task[None]] = set()
        self.apply()

    def apply(self) -> None:
        """Offer tools when a server is on (after any change of the servers)."""
        for gone in self.toolbox.configure(self._settings.tool_servers):
            task = asyncio.ensure_future(gone.stop())
            self._stopping.add(task)
            task.add_done_callback(self._stopping.discard)
        if any(server.enabled for server in self._settings.tool_servers):
            limits = ToolLimits(timeout=self._settings.tool_timeout)
            self._service.use_tools(ToolSetup(self.toolbox, self._approver, limits))
        else:
            self._service.use_tools(None)

    def decide(self, call_id: str, decision: Decision) -> bool:
        """The desktop's answer to a waiting call (companion views never call this)."""
        return self.desk.decide(call_id, decision)

    def revoke(self, key: str) -> None:
        """Forget "always allow" for one tool (``server/tool``)."""
        if key in self._settings.always_allowed_tools:
            self._save(lambda settings: settings.always_allowed_tools.remove(key))

    async def aclose(self) -> None:
        await self.toolbox.aclose()
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

    def _tell_declined(self, tool: str) -> None:
        print(
            f"streamchat: declined the tool call {tool!r} (allow it with --allow-tools {tool})",
            file=self._err,
            flush=True,
        )
