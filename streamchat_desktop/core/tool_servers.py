"""The MCP servers the user configured, as plain data (settings hold them, no secrets).

A value that looks secret (an env variable or header named like a key, token or
password) is kept in the keychain under ``secret_id``; the config keeps its name only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SERVER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_SECRET_WORDS = re.compile(r"key|token|secret|passw|auth|credential|cookie", re.IGNORECASE)


def check_server_name(name: str) -> str:
    if not SERVER_NAME.match(name):
        raise ValueError(
            f"{name!r} is not a valid server name: use 1–64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return name


def looks_secret(name: str) -> bool:
    """Whether an env variable or header of this name holds a secret."""
    return bool(_SECRET_WORDS.search(name))


def secret_id(server: str, kind: str, name: str) -> str:
    """The keychain entry of one secret value (``kind``: ``env`` or ``header``)."""
    return f"mcp:{server}:{kind}:{name}"


@dataclass(slots=True)
class ToolServerConfig:
    """One MCP server: a command (stdio) or a URL (Streamable HTTP)."""

    name: str
    command: str = ""
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)  # values that are not secret
    secret_env: list[str] = field(default_factory=list)  # names; values in the keychain
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    secret_headers: list[str] = field(default_factory=list)
    enabled: bool = True
    disabled_tools: list[str] = field(default_factory=list)

    @property
    def transport(self) -> str:
        return "http" if self.url else "stdio"

    def describe(self) -> str:
        """What it runs or where it is, for lists (no secret in it)."""
        if self.url:
            return self.url
        return " ".join([self.command, *self.args])
