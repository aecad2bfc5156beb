"""The real program, as a subprocess: ``--prompt … --exit-after-reply`` for scripts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.fake_openai import FakeOpenAIServer, Script, invalid_api_key
from tests.support.run_app import app_env, ask_once, run_streamchat

pytestmark = pytest.mark.e2e


def test_stdout_is_exactly_the_streamed_answer(
    fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    answer = ["Ström", "ing ", "works", " — ", "✓", "\n", "line two"]
    fake_openai.enqueue(Script(deltas=answer, delay=0.005, split_bytes=True))
    result = ask_once(fake_openai.base_url, tmp_path, "Say something")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "".join(answer)
    request = fake_openai.last_request
    assert request.json["model"] == "m"
    assert request.json["stream"] is True
    assert request.json["messages"] == [{"role": "user", "content": "Say something"}]
    # a loopback server needs no key, and no key from anywhere else is sent to it
    assert request.authorization in (None, "Bearer no-key")


def test_a_rejected_key_exits_non_zero_with_a_clear_message(
    fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    fake_openai.enqueue(invalid_api_key())
    result = ask_once(fake_openai.base_url, tmp_path, "hi")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "rejected the API key (HTTP 401)" in result.stderr


def test_a_stream_cut_mid_answer_keeps_the_partial_text_and_fails(
    fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    fake_openai.enqueue(Script(deltas=["one ", "two ", "three ", "four"], cut_after=2))
    result = ask_once(fake_openai.base_url, tmp_path, "count")
    assert result.returncode == 1
    assert result.stdout == "one two "
    assert "closed" in result.stderr


def test_an_unreachable_server_is_reported(tmp_path: Path) -> None:
    result = ask_once("http://127.0.0.1:9/v1", tmp_path, "hi")
    assert result.returncode == 1
    assert "Could not reach the server" in result.stderr


def test_openai_environment_variables_are_honoured(
    fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    fake_openai.enqueue(Script(deltas=["env ", "works"]))
    env = app_env(OPENAI_BASE_URL=fake_openai.base_url, OPENAI_API_KEY="sk-test-env-key-1234")
    result = run_streamchat(
        tmp_path, "--model", "m", "--prompt", "hi", "--exit-after-reply", env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "env works"
    assert fake_openai.last_request.authorization == "Bearer sk-test-env-key-1234"
    logs = "".join(p.read_text() for p in (tmp_path / "logs").glob("*"))
    assert "sk-test-env-key-1234" not in logs


def test_length_finish_is_reported_but_succeeds(
    fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    fake_openai.enqueue(Script(deltas=["cut ", "here"], finish_reason="length"))
    result = ask_once(fake_openai.base_url, tmp_path, "hi")
    assert result.returncode == 0
    assert result.stdout == "cut here"
    assert "token limit" in result.stderr


def test_version_and_missing_prompt(tmp_path: Path) -> None:
    from streamchat_desktop import __version__

    result = run_streamchat(tmp_path, "--version")
    assert result.stdout.strip() == f"streamchat {__version__}"
    result = run_streamchat(tmp_path, "--exit-after-reply")
    assert result.returncode == 2
    assert "--exit-after-reply needs --prompt" in result.stderr
