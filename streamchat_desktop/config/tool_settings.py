"""MCP servers in the settings file: strict JSON in and out (no secret ever written)."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from streamchat_desktop.core.tool_servers import ToolServerConfig, check_server_name

DEFAULT_TOOL_TIMEOUT = 60.0

_FIELDS = {f.name: f for f in fields(ToolServerConfig)}
_LISTS = ("args", "secret_env", "secret_headers", "disabled_tools")
_MAPS = ("env", "headers")

__all__ = ["DEFAULT_TOOL_TIMEOUT", "ToolServerConfig", "tool_servers_from", "tool_servers_to"]


def tool_servers_to(servers: list[ToolServerConfig]) -> list[dict[str, Any]]:
    return [asdict(server) for server in servers]


def tool_servers_from(items: list[Any]) -> list[ToolServerConfig]:
    servers = [_server(item) for item in items]
    names = [server.name for server in servers]
    if len(set(names)) != len(names):
        raise ValueError("two tool servers share one name")
    return servers


def _server(item: Any) -> ToolServerConfig:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise TypeError("a tool server entry is not an object with a string 'name'")
    for name in ("command", "url"):
        if not isinstance(item.get(name, ""), str):
            raise TypeError(f"tool server {name!r} should be a string")
    for name in _LISTS:
        value = item.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise TypeError(f"tool server {name!r} should be a list of strings")
    for name in _MAPS:
        value = item.get(name, {})
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise TypeError(f"tool server {name!r} should map strings to strings")
    if not isinstance(item.get("enabled", True), bool):
        raise TypeError("tool server 'enabled' should be true or false")
    config = ToolServerConfig(**{k: v for k, v in item.items() if k in _FIELDS})
    check_server_name(config.name)
    if not config.command and not config.url:
        raise ValueError(f"tool server {config.name!r} has neither a command nor a URL")
    return config
