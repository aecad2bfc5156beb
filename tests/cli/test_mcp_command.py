"""MCP servers in the settings file: round trip, strict checks, no secret values."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from streamchat_desktop.cli.main import _split_dashes
from streamchat_desktop.cli.mcp import _pairs, build_server, parse_mcp_json, stdin_values
from streamchat_desktop.config.paths import Profile
from streamchat_desktop.config.settings import Settings
from streamchat_desktop.core.tool_servers import ToolServerConfig


def test_servers_round_trip_and_removal_forgets_always_allow(tmp_path: Path) -> None:
    profile = Profile.at(tmp_path)
    settings = Settings(tool_timeout=5.0)
    config, secrets = build_server(
        "files", ["npx", "-y", "server-fs", "/tmp"], None, {"API_TOKEN": "t0k", "MODE": "ro"}, {}
    )
    settings.upsert_tool_server(config)
    settings.always_allowed_tools = ["files/read", "other/x"]
    settings.save(profile)

    text = profile.settings_file.read_text(encoding="utf-8")
    assert "t0k" not in text  # the secret went to the keychain's list, not the file
    assert secrets == {"mcp:files:env:API_TOKEN": "t0k"}
    loaded = Settings.load(profile)
    assert loaded.tool_servers == [config] and loaded.tool_timeout == 5.0
    assert loaded.tool_servers[0].env == {"MODE": "ro"}
    assert loaded.tool_servers[0].secret_env == ["API_TOKEN"]
    loaded.remove_tool_server("files")
    assert loaded.always_allowed_tools == ["other/x"]


@pytest.mark.parametrize(
    "entry",
    [
        {"name": "x"},
        {"name": "bad name", "command": "c"},
        {"name": "x", "command": "c", "args": "a"},
    ],
)
def test_a_bad_server_entry_moves_the_file_aside(tmp_path: Path, entry: dict[str, object]) -> None:
    profile = Profile.at(tmp_path)
    profile.settings_file.parent.mkdir(parents=True, exist_ok=True)
    profile.settings_file.write_text(json.dumps({"tool_servers": [entry]}), encoding="utf-8")
    loaded = Settings.load(profile)
    assert loaded.tool_servers == [] and loaded.warnings


def test_claude_desktop_json_is_imported_with_secrets_apart() -> None:
    data = {
        "mcpServers": {
            "github": {
                "command": "npx",
                "args": ["-y", "@modelcontextprotocol/server-github"],
                "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_x"},
            },
            "remote": {
                "url": "https://mcp.example.com/mcp",
                "headers": {"Authorization": "Bearer z"},
            },
        }
    }
    (github, github_secrets), (remote, remote_secrets) = parse_mcp_json(data)
    assert github == ToolServerConfig(
        name="github",
        command="npx",
        args=["-y", "@modelcontextprotocol/server-github"],
        secret_env=["GITHUB_PERSONAL_ACCESS_TOKEN"],
    )
    assert github_secrets == {"mcp:github:env:GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_x"}
    assert remote.url == "https://mcp.example.com/mcp" and remote.headers == {}
    assert remote_secrets == {"mcp:remote:header:Authorization": "Bearer z"}
    with pytest.raises(ValueError, match="mcpServers"):
        parse_mcp_json({"servers": {}})


def test_a_bare_env_or_header_name_takes_its_value_from_stdin_lines() -> None:
    ask = stdin_values(io.StringIO("t0k-from-stdin\r\nBearer abc\n"))
    env = _pairs(["API_TOKEN", "MODE=ro"], "--env", ask)
    headers = _pairs(["Authorization"], "--header", ask)
    assert env == {"API_TOKEN": "t0k-from-stdin", "MODE": "ro"}
    assert headers == {"Authorization": "Bearer abc"}


def test_stdin_running_out_of_values_is_a_clear_error() -> None:
    ask = stdin_values(io.StringIO(""))
    with pytest.raises(ValueError, match="--env API_TOKEN has no value: stdin ended"):
        _pairs(["API_TOKEN"], "--env", ask)


@pytest.mark.parametrize(
    ("argv", "words", "command"),
    [
        (["mcp", "add", "n", "--", "cmd", "--", "x"], ["mcp", "add", "n"], ["cmd", "--", "x"]),
        (["-v", "mcp", "add", "n", "--", "c"], ["-v", "mcp", "add", "n"], ["c"]),
        (["--prompt", "--", "x"], ["--prompt", "--", "x"], None),
        (["keys", "list", "--"], ["keys", "list", "--"], None),
    ],
)  # fmt: skip
def test_only_mcp_add_takes_a_command_line_after_dashes(
    argv: list[str], words: list[str], command: list[str] | None
) -> None:
    assert _split_dashes(argv) == (words, command)


def test_a_value_read_from_stdin_is_kept_secret_whatever_its_name() -> None:
    asked: set[str] = set()
    ask = stdin_values(io.StringIO("hidden-value\n"))
    headers = _pairs(["X-Api", "Accept=json"], "--header", ask, asked)
    url = "https://x.test/mcp"
    config, secrets = build_server("web", [], url, {}, headers, hidden=frozenset(asked))
    assert secrets == {"mcp:web:header:X-Api": "hidden-value"}
    assert config.headers == {"Accept": "json"} and config.secret_headers == ["X-Api"]
