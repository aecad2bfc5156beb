"""``streamchat mcp add|list|remove|import``: the MCP servers the model may use.

Settings keep each server's command or URL and its plain values; a value that looks
secret (an env variable or header named like a key, token, password or auth) goes to
the keychain, and settings keep only its name. ``--env NAME`` or ``--header NAME``
without ``=VALUE`` reads the value from stdin (a hidden prompt on a terminal), so a
token need not sit in shell history or in every process listing.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from streamchat_desktop.cli.common import fail, profile_of
from streamchat_desktop.config.keystore import KeychainUnavailable, KeyStore
from streamchat_desktop.config.settings import Settings, SettingsError
from streamchat_desktop.config.settings_service import SettingsChange, SettingsService
from streamchat_desktop.core.tool_servers import (
    ToolServerConfig,
    check_server_name,
    looks_secret,
    secret_id,
)

LIST_START_TIMEOUT = 20.0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "mcp",
        help="add, list, remove or import MCP servers (tools for the model)",
        description="Configure MCP servers whose tools the model may call. Each call is "
        "approved in the window; scripts use --allow-tools.",
    )
    actions = parser.add_subparsers(dest="mcp_command", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add",
        help="add a server: NAME -- COMMAND [ARGS…] (stdio) or NAME --url URL",
        description="Add a stdio server (`streamchat mcp add NAME -- COMMAND ARGS…`) or a "
        "Streamable HTTP one (`streamchat mcp add NAME --url URL`).",
    )
    add.add_argument("name", metavar="NAME")
    add.add_argument("--url", metavar="URL", help="a Streamable HTTP server's endpoint")
    add.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="KEY[=VALUE]",
        help="environment (stdio); without =VALUE the value is read from stdin",
    )
    add.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="K[=V]",
        help="HTTP header (URL); without =V the value is read from stdin",
    )
    add.add_argument("--replace", action="store_true", help="replace a server with this name")
    add.set_defaults(func=run_add)  # what follows ``--`` is the command to run
    listing = actions.add_parser("list", help="list servers with their status and tool count")
    listing.add_argument("--no-start", action="store_true", help="do not start the servers")
    listing.set_defaults(func=run_list)
    remove = actions.add_parser("remove", help="remove a server and its stored secrets")
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(func=run_remove)
    importing = actions.add_parser(
        "import", help='import {"mcpServers": {…}} (Claude Desktop, Cursor)'
    )
    importing.add_argument("file", metavar="FILE")
    importing.add_argument("--replace", action="store_true", help="replace servers by name")
    importing.set_defaults(func=run_import)


def _pairs(
    items: list[str], what: str, ask: Callable[[str], str], asked: set[str] | None = None
) -> dict[str, str]:
    """``KEY=VALUE`` pairs; a bare ``KEY`` takes its value from ``ask`` (stdin) and is
    added to ``asked``: a value the user chose to hide is kept as a secret, whatever
    its name."""
    found = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not key:
            raise ValueError(f"{what} {item!r} is not KEY=VALUE or KEY")
        found[key] = value if sep else ask(f"{what} {key}")
        if not sep and asked is not None:
            asked.add(key)
    return found


def stdin_values(stream: TextIO) -> Callable[[str], str]:
    """Values asked for in turn: a hidden prompt on a terminal, else one line each."""

    def ask(what: str) -> str:
        if stream.isatty():
            return getpass.getpass(f"value of {what}: ")
        line = stream.readline()
        if not line:
            raise ValueError(f"{what} has no value: stdin ended (give one line per value)")
        return line.removesuffix("\n").removesuffix("\r")

    return ask


def build_server(
    name: str,
    command: list[str],
    url: str | None,
    env: dict[str, str],
    headers: dict[str, str],
    *,
    hidden: frozenset[str] = frozenset(),
) -> tuple[ToolServerConfig, dict[str, str]]:
    """The config (no secret in it) and the secrets for the keychain, by keychain id.

    A value is secret when its name looks so, or when it is named in ``hidden``
    (read from stdin)."""
    check_server_name(name)
    if bool(command) == bool(url):
        raise ValueError("give either -- COMMAND [ARGS…] or --url URL")
    if url and not url.startswith(("http://", "https://")):
        raise ValueError(f"{url!r} is not an http(s) URL")
    if url and env:
        raise ValueError("--env is for stdio servers; an HTTP server takes --header")
    if command and headers:
        raise ValueError("--header is for HTTP servers (--url)")
    config = ToolServerConfig(name=name, command=command[0] if command else "", url=url or "")
    config.args = command[1:]
    secrets: dict[str, str] = {}
    for kind, values, plain, secret_names in (
        ("env", env, config.env, config.secret_env),
        ("header", headers, config.headers, config.secret_headers),
    ):
        for key, value in values.items():
            if looks_secret(key) or key in hidden:
                secret_names.append(key)
                secrets[secret_id(name, kind, key)] = value
            else:
                plain[key] = value
    return config, secrets


def _save(args: argparse.Namespace, change: SettingsChange, secrets: dict[str, str]) -> int | None:
    if secrets:
        try:
            keys = KeyStore()
            for key_id, value in secrets.items():
                keys.set_secret(key_id, value)
        except (KeychainUnavailable, ValueError) as exc:
            message = getattr(exc, "message", str(exc))
            return fail(f"could not keep its secret values in the keychain: {message}")
    profile = profile_of(args)
    try:
        SettingsService(Settings.load(profile), profile).update(change)
    except SettingsError as exc:
        return fail(str(exc))
    return None


def run_add(args: argparse.Namespace) -> int:
    ask = stdin_values(sys.stdin)
    asked: set[str] = set()
    try:
        config, secrets = build_server(
            args.name,
            list(args.after_dashes or []),
            args.url,
            _pairs(args.env, "--env", ask, asked),
            _pairs(args.header, "--header", ask, asked),
            hidden=frozenset(asked),
        )
    except ValueError as exc:
        return fail(str(exc), 2)
    settings = Settings.load(profile_of(args))
    if settings.tool_server(config.name) is not None and not args.replace:
        return fail(f"MCP server {config.name!r} exists already (use --replace to overwrite it)")
    failed = _save(args, lambda saved: saved.upsert_tool_server(config), secrets)
    if failed is not None:
        return failed
    kept = f"; {len(secrets)} secret value(s) in the keychain" if secrets else ""
    print(f"added MCP server {config.name} ({config.describe()}){kept}", file=sys.stderr)
    return 0


def run_list(args: argparse.Namespace) -> int:
    settings = Settings.load(profile_of(args))
    if not settings.tool_servers:
        print("no MCP servers configured (add one with `streamchat mcp add`)", file=sys.stderr)
        return 0
    statuses = {} if args.no_start else asyncio.run(_statuses(settings))
    width = max(len(s.name) for s in settings.tool_servers)
    for server in settings.tool_servers:
        status, tools = statuses.get(server.name, ("off" if not server.enabled else "-", "-"))
        print(
            f"{server.name:<{width}}  {server.transport:<5}  {status}  tools: {tools}  "
            f"{server.describe()}"
        )
    return 0


async def _statuses(settings: Settings) -> dict[str, tuple[str, str]]:
    from streamchat_desktop.app.tool_coordinator import server_secrets
    from streamchat_desktop.tools.mcp_toolbox import McpToolbox

    enabled = [s for s in settings.tool_servers if s.enabled]
    toolbox = McpToolbox(enabled, server_secrets(KeyStore()), start_timeout=LIST_START_TIMEOUT)
    try:
        await toolbox.catalog()
        return {
            c.name: (
                c.state.value if not c.reason else f"{c.state.value} ({c.reason})",
                str(len(c.tools)) if c.reason == "" else "-",
            )
            for c in toolbox.connections
        }
    finally:
        await toolbox.aclose()


def run_remove(args: argparse.Namespace) -> int:
    settings = Settings.load(profile_of(args))
    config = settings.tool_server(args.name)
    if config is None:
        known = ", ".join(s.name for s in settings.tool_servers) or "none"
        return fail(f"unknown MCP server {args.name!r} (known: {known})")
    failed = _save(args, lambda saved: saved.remove_tool_server(args.name), {})
    if failed is not None:
        return failed
    print(f"removed MCP server {config.name}", file=sys.stderr)
    ids = [secret_id(config.name, "env", n) for n in config.secret_env]
    ids += [secret_id(config.name, "header", n) for n in config.secret_headers]
    try:
        keys = KeyStore()
        for key_id in ids:
            keys.delete(key_id)
    except KeychainUnavailable as exc:
        print(f"streamchat: its secrets are still in the keychain: {exc.message}", file=sys.stderr)
    return 0


def parse_mcp_json(data: Any) -> list[tuple[ToolServerConfig, dict[str, str]]]:
    """The servers of a Claude Desktop / Cursor ``{"mcpServers": {…}}`` file."""
    servers = data.get("mcpServers") if isinstance(data, dict) else None
    if not isinstance(servers, dict):
        raise ValueError('the file has no "mcpServers" object')
    found = []
    for name, entry in servers.items():
        if not isinstance(entry, dict):
            raise ValueError(f"server {name!r} is not an object")
        command, args = entry.get("command"), entry.get("args", [])
        url = entry.get("url") or entry.get("serverUrl")
        env, headers = entry.get("env", {}), entry.get("headers", {})
        if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
            raise ValueError(f"server {name!r}: 'args' should be a list of strings")
        for label, mapping in (("env", env), ("headers", headers)):
            if not isinstance(mapping, dict) or not all(
                isinstance(v, str) for v in mapping.values()
            ):
                raise ValueError(f"server {name!r}: {label!r} should map names to strings")
        parts = [command, *args] if isinstance(command, str) and command else []
        config, secrets = build_server(
            str(name), parts, url if isinstance(url, str) else None, env, headers
        )
        config.enabled = not entry.get("disabled", False)
        found.append((config, secrets))
    return found


def run_import(args: argparse.Namespace) -> int:
    try:
        data = json.loads(Path(args.file).read_text(encoding="utf-8"))
        servers = parse_mcp_json(data)
    except OSError as exc:
        return fail(f"could not read {args.file}: {exc.strerror}")
    except (ValueError, UnicodeDecodeError) as exc:
        return fail(f"{args.file} is not an MCP servers file: {exc}", 2)
    settings = Settings.load(profile_of(args))
    secrets: dict[str, str] = {}
    added, skipped = [], []
    chosen = []
    for config, config_secrets in servers:
        if settings.tool_server(config.name) is not None and not args.replace:
            skipped.append(config.name)
            continue
        chosen.append(config)
        secrets.update(config_secrets)
        added.append(config.name)

    def add_all(saved: Settings) -> None:
        for config in chosen:
            saved.upsert_tool_server(config)

    failed = _save(args, add_all, secrets)
    if failed is not None:
        return failed
    print(f"imported {len(added)} MCP server(s): {', '.join(added) or 'none'}", file=sys.stderr)
    if skipped:
        print(
            f"streamchat: kept the existing {', '.join(skipped)} (use --replace to overwrite)",
            file=sys.stderr,
        )
    return 0
