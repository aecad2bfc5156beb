"""Configs and processes for the tests' MCP server (tests/support/mcp_server.py)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from streamchat_desktop.core.tool_servers import ToolServerConfig

ROOT = Path(__file__).resolve().parents[2]
MODULE = "tests.support.mcp_server"


def stdio_config(name: str = "testsrv", *extra: str, **changes: object) -> ToolServerConfig:
    """A stdio server run with this Python; its cwd-independent module path is set."""
    config = ToolServerConfig(
        name=name,
        command=sys.executable,
        args=["-m", MODULE, "stdio", *extra],
        env={"PYTHONPATH": str(ROOT)},
    )
    for key, value in changes.items():
        setattr(config, key, value)
    return config


@contextmanager
def http_server(token: str | None = None) -> Iterator[str]:
    """A Streamable HTTP MCP server on 127.0.0.1; yields its URL."""
    command = [sys.executable, "-m", MODULE, "http", "--port", "0"]
    if token:
        command += ["--token", token]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), f"the MCP server said {url!r}"
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
