"""A server that echoes the API key inside its answer (issue 14, item 6): the real
program, given the key in ``OPENAI_API_KEY``, prints ``***`` and says why on stderr;
the profile's files (SQLite, its WAL, the log) and both exports never hold the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamchat_desktop.providers.key_masking import KEY_ECHO_NOTICE
from tests.support.fake_openai import FakeOpenAIServer, Script
from tests.support.run_app import app_env, ask_once, run_streamchat

pytestmark = pytest.mark.e2e

KEY = "sk-proj-Echo0123456789abcdefghijklmnopqrstuvwxyz"


def _in_pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def test_an_echoed_key_is_masked_on_stdout_in_the_database_and_in_both_exports(
    fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    answer = f"You sent Authorization: Bearer {KEY} — keep {KEY} secret."
    fake_openai.enqueue(Script(deltas=_in_pieces(answer, 5), reasoning=_in_pieces(KEY, 4)))
    env = app_env(OPENAI_API_KEY=KEY)
    profile = tmp_path / "profile"

    result = ask_once(fake_openai.base_url, profile, "what did I send?", env=env)

    assert result.returncode == 0, result.stderr
    assert fake_openai.last_request.authorization == f"Bearer {KEY}"  # the key is still used
    assert result.stdout == "You sent Authorization: Bearer *** — keep *** secret."
    assert KEY_ECHO_NOTICE in result.stderr and KEY not in result.stderr
    for path in profile.rglob("*"):  # the database, its WAL, the log, settings
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), f"the key is in {path.name}"
    for fmt in ("json", "md"):
        exported = run_streamchat(profile, "export", "--format", fmt, env=env)
        assert exported.returncode == 0, exported.stderr
        assert KEY not in exported.stdout
        assert "Bearer *** — keep *** secret." in exported.stdout
