"""MCP secrets with a real keychain: `streamchat mcp add` keeps a token env value and a
bearer header in gnome-keyring (never in settings); the real app hands them to its
servers, and a server never sees the provider's key it was not given."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.fake_openai import FakeOpenAIServer, Script, ScriptedCall, calling
from tests.support.mcp_servers import MODULE, ROOT, http_server
from tests.support.run_app import run_streamchat

pytestmark = [pytest.mark.keychain, pytest.mark.e2e]

TOKEN = "tok-mcp-secret-4d2f9a"
PROVIDER_KEY = "sk-env-provider-key-8812"


@pytest.fixture
def env(keychain_env: dict[str, str]) -> dict[str, str]:
    made = dict(keychain_env)
    made["OPENAI_API_KEY"] = PROVIDER_KEY
    made["QT_QPA_PLATFORM"] = "offscreen"
    made["PYTHONPATH"] = os.pathsep.join([str(ROOT)])
    return made


def streamchat(profile: Path, env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return run_streamchat(profile, *argv, env=env, timeout=90)


def test_a_secret_env_value_reaches_only_its_server_through_the_keychain(
    env: dict[str, str], profile_dir: Path, fake_openai: FakeOpenAIServer
) -> None:
    added = streamchat(
        profile_dir, env,
        "mcp", "add", "vault", "--env", f"SERVICE_TOKEN={TOKEN}", "--env", f"PYTHONPATH={ROOT}",
        "--", sys.executable, "-m", MODULE, "stdio",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "1 secret value(s) in the keychain" in added.stderr
    assert TOKEN not in (profile_dir / "settings.json").read_text(encoding="utf-8")

    fake_openai.enqueue(
        calling(
            ScriptedCall("env", ['{"name": "SERVICE_TOKEN"}']),
            ScriptedCall("env", ['{"name": "OPENAI_API_KEY"}']),
        ),
        Script(deltas=["checked"]),
    )
    result = streamchat(
        profile_dir, env,
        "--base-url", fake_openai.base_url, "--model", "m", "--prompt", "check",
        "--exit-after-reply", "--allow-tools", "env",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    results = [m["content"] for m in fake_openai.chat_requests[-1].json["messages"][-2:]]
    assert results == [TOKEN, "(unset)"]


def test_a_bearer_header_from_the_keychain_opens_an_http_server(
    env: dict[str, str], profile_dir: Path
) -> None:
    with http_server(token=TOKEN) as url:
        added = run_streamchat(
            profile_dir,
            "mcp",
            "add",
            "web",
            "--url",
            url,
            "--header",
            "Authorization",
            env=env,
            timeout=90,
            stdin=f"Bearer {TOKEN}\n",
        )  # fmt: skip  (the value from stdin: never on argv, where `ps` would show it)
        assert added.returncode == 0, added.stderr
        assert TOKEN not in (profile_dir / "settings.json").read_text(encoding="utf-8")
        listed = streamchat(profile_dir, env, "mcp", "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith("web  http   ready  tools: 9")
    removed = streamchat(profile_dir, env, "mcp", "remove", "web")
    assert removed.returncode == 0 and "still in the keychain" not in removed.stderr
