"""Every exit code is documented, in ``--help`` and the README; a script's prompt that
meets a running instance is refused out loud (exit 3), not dropped in silence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from streamchat_desktop.cli import exit_codes
from tests.support.fake_openai import FakeOpenAIServer
from tests.support.fake_openai_fixtures import fake_openai  # noqa: F401
from tests.support.run_app import ask_once, reaped, run_streamchat, start_until_ready

ROOT = Path(__file__).resolve().parents[2]


def test_help_lists_every_exit_code(tmp_path: Path) -> None:
    shown = run_streamchat(tmp_path, "--help")
    assert shown.returncode == 0
    listed = shown.stdout.split("exit codes:")[1]
    codes = [int(code) for code in re.findall(r"^  (\d+) ", listed, re.MULTILINE)]
    assert codes == [code for code, _ in exit_codes.MEANINGS]


def test_the_readme_lists_every_exit_code() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("### Exit codes")[1].split("\n#")[0]
    codes = [int(code) for code in re.findall(r"^\| `(\d+)` \|", table, re.MULTILINE)]
    assert codes == [code for code, _ in exit_codes.MEANINGS]


@pytest.mark.e2e
def test_a_scripts_prompt_beside_a_running_instance_says_it_was_not_sent(
    fake_openai: FakeOpenAIServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    profile = tmp_path / "profile"
    first = start_until_ready(profile, "--base-url", fake_openai.base_url, "--model", "m")
    with reaped(first):
        scripted = ask_once(fake_openai.base_url, profile, "a script's question")
        assert first.poll() is None  # the running instance is left alone
    assert scripted.returncode == exit_codes.ALREADY_RUNNING
    assert scripted.stdout == ""
    assert "already running" in scripted.stderr
    assert "the prompt was not sent" in scripted.stderr
    assert "--profile" in scripted.stderr
    assert fake_openai.chat_requests == []
