"""The Tools page: servers with their status and tools (a real MCP server), on/off per
server and per tool, the Test button, and revoking "always allow"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt

from streamchat_desktop.config.settings import Settings
from streamchat_desktop.core.tool_servers import ToolServerConfig, ToolServerStatus
from streamchat_desktop.tools.mcp_toolbox import McpToolbox
from streamchat_desktop.ui.tools_dialog import ToolsDialog
from tests.support.mcp_servers import stdio_config
from tests.support.waiting import wait_until

RunAsync = Callable[..., Any]


def test_test_button_starts_servers_and_switches_change_the_settings(
    qtbot: Any, run_async: RunAsync
) -> None:
    broken = ToolServerConfig(name="broken", command="/nonexistent/server")
    settings = Settings(
        tool_servers=[stdio_config(), broken], always_allowed_tools=["testsrv/echo"]
    )
    toolbox = McpToolbox(settings.tool_servers)

    def statuses() -> list[ToolServerStatus]:
        return [
            ToolServerStatus(c.name, c.state.value, c.reason, tuple(t.name for t in c.tools))
            for c in toolbox.connections
        ]

    async def test() -> None:
        await toolbox.catalog()

    def update(change: Callable[[Settings], object]) -> str | None:
        if refuse_saves:
            return "could not save settings: disk full"
        change(settings)
        return None

    refuse_saves = False
    dialog = ToolsDialog(settings, statuses, test, update)
    qtbot.addWidget(dialog)
    changed: list[bool] = []
    dialog.tools_changed.connect(lambda: changed.append(True))
    server = dialog.tree.topLevelItem(0)
    assert server.text(1) == "not started yet"

    async def press_test() -> None:
        dialog.test_button.click()
        await wait_until(dialog.test_button.isEnabled, timeout=30)

    try:
        run_async(press_test())
        server, failed = dialog.tree.topLevelItem(0), dialog.tree.topLevelItem(1)
        assert server.text(1) == "ready · 9 tools"
        assert failed.text(1).startswith("failed: the command was not found")
        tools = {server.child(i).text(0): server.child(i) for i in range(server.childCount())}
        tools["crash"].setCheckState(0, Qt.CheckState.Unchecked)
        assert settings.tool_servers[0].disabled_tools == ["crash"]
        failed.setCheckState(0, Qt.CheckState.Unchecked)
        assert settings.tool_servers[1].enabled is False
        dialog.allowed.item(0).setSelected(True)
        dialog.revoke_button.click()
        assert settings.always_allowed_tools == [] and dialog.allowed.count() == 0
        assert len(changed) == 3
        # a change that cannot be saved changes nothing, and the page says why
        refuse_saves = True
        server = dialog.tree.topLevelItem(0)
        server.setCheckState(0, Qt.CheckState.Unchecked)
        assert settings.tool_servers[0].enabled is True
        assert dialog.tree.topLevelItem(0).checkState(0) == Qt.CheckState.Checked
        assert dialog.note.text() == "could not save settings: disk full"
        assert len(changed) == 3
    finally:
        run_async(toolbox.aclose())
