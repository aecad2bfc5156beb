"""Importing the mcp SDK costs about a second: the app pays it only once a reply may
use tools, never at start-up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import asyncio, sys
from pathlib import Path
from streamchat_desktop.app.tool_coordinator import ToolCoordinator
from streamchat_desktop.config.keystore import KeyStore
from streamchat_desktop.config.paths import Profile
from streamchat_desktop.config.settings import Settings
from streamchat_desktop.config.settings_service import SettingsService
from streamchat_desktop.core.chat_service import ChatService, ChatTarget
from streamchat_desktop.core.store import MemoryStore
from streamchat_desktop.core.tool_servers import ToolServerConfig

async def main():
    settings = Settings(tool_servers=[ToolServerConfig(name="x", command="/nonexistent")])
    service = ChatService(MemoryStore(), lambda c: ChatTarget(None, "m"))
    tools = ToolCoordinator(service, SettingsService(settings, Profile.at(sys.argv[1])), KeyStore())
    print("before", "mcp" in sys.modules, [s.state for s in tools.statuses()])
    await tools.toolbox.catalog()  # what the first reply with tools does
    print("after", "mcp" in sys.modules)
    await tools.aclose()

asyncio.run(main())
"""


def test_mcp_is_imported_by_the_first_use_not_by_the_app(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["before False ['stopped']", "after True"]
