"""The real program with a real MCP server: configured with ``streamchat mcp add``, started
by the first reply, each call allowed or declined by ``--allow-tools`` in a script."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.support.fake_openai import FakeOpenAIServer, Script, ScriptedCall, calling
from tests.support.mcp_servers import MODULE, ROOT
from tests.support.run_app import run_streamchat

pytestmark = pytest.mark.e2e


def add_server(profile: Path) -> None:
    result = run_streamchat(
        profile,
        "mcp", "add", "testsrv", "--env", f"PYTHONPATH={ROOT}",
        "--", sys.executable, "-m", MODULE, "stdio",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "added MCP server testsrv" in result.stderr


def ask(base_url: str, profile: Path, *extra: str) -> object:
    return run_streamchat(
        profile, "--base-url", base_url, "--model", "m", "--prompt", "add 2 and 3",
        "--exit-after-reply", *extra,
    )  # fmt: skip


def test_allowed_tool_runs_and_its_result_goes_back_to_the_model(
    fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    add_server(tmp_path)
    call = ScriptedCall("add", ['{"a": 2', ', "b": 3}'])
    fake_openai.enqueue(calling(call, deltas=["Adding… "]), Script(deltas=["It is ", "5."]))

    result = ask(fake_openai.base_url, tmp_path, "--allow-tools", "add")

    assert result.returncode == 0, result.stderr  # type: ignore[attr-defined]
    assert result.stdout == "Adding… It is 5."  # type: ignore[attr-defined]
    first, follow_up = fake_openai.chat_requests
    assert "add" in {tool["function"]["name"] for tool in first.json["tools"]}
    assert follow_up.json["messages"][-1] == {
        "role": "tool",
        "content": "5",
        "tool_call_id": call.id,
    }
    exported = run_streamchat(tmp_path, "export", "--format", "json")
    messages = json.loads(exported.stdout)["conversations"][0]["messages"]
    assert messages[-1]["tool_calls"][0]["result"] == "5"


def test_without_allow_tools_calls_are_declined_and_named_on_stderr(
    fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    add_server(tmp_path)
    fake_openai.enqueue(
        calling(ScriptedCall("add", ['{"a": 1, "b": 1}'])), Script(deltas=["Declined, fine."])
    )

    result = ask(fake_openai.base_url, tmp_path)

    assert result.returncode == 0, result.stderr  # type: ignore[attr-defined]
    assert result.stdout == "Declined, fine."  # type: ignore[attr-defined]
    assert "declined the tool call 'add' (allow it with --allow-tools add)" in (
        result.stderr  # type: ignore[attr-defined]
    )
    tool_message = fake_openai.chat_requests[1].json["messages"][-1]
    assert tool_message["content"] == "The user declined this tool call."


def test_mcp_list_and_remove(tmp_path: Path) -> None:
    add_server(tmp_path)
    listed = run_streamchat(tmp_path, "mcp", "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith("testsrv  stdio  ready  tools: 9")
    removed = run_streamchat(tmp_path, "mcp", "remove", "testsrv")
    assert removed.returncode == 0 and "removed MCP server testsrv" in removed.stderr
    assert "no MCP servers configured" in run_streamchat(tmp_path, "mcp", "list").stderr
