"""Issue 2 with the real program (``--prompt … --exit-after-reply``): the error kinds the
other end-to-end tests leave out end with exit status 1, the error in plain words on
stderr (no traceback), and the text that already arrived on stdout; a server that
rejects ``stream_options`` and a ``content_filter`` ending still exit as finished."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.fake_openai import (
    FakeOpenAIServer,
    Script,
    context_length_exceeded,
    insufficient_quota,
    rate_limited,
    server_error,
)
from tests.support.run_app import ask_once, run_streamchat

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("script", "stdout", "stderr"),
    [
        (rate_limited(retry_after="7"), "", "Rate limited by the server (HTTP 429)"),
        (insufficient_quota(), "", "quota is exhausted (HTTP 429): You exceeded"),
        (context_length_exceeded(), "", "too long for the model's context (HTTP 400)"),
        (server_error(503), "", "internal error (HTTP 503): The engine is currently overloaded"),
        (Script(deltas=["kept ", "text ", "x"], error_event_after=2), "kept text ", "during"),
        (Script(deltas=["kept ", "text ", "x"], malformed_after=2), "kept text ", "not a valid"),
    ],
    ids=["429", "quota", "context", "503", "error-event", "malformed"],
)
def test_failures_exit_1_with_the_message_and_the_partial_text(
    fake_openai: FakeOpenAIServer, tmp_path: Path, script: Script, stdout: str, stderr: str
) -> None:
    fake_openai.enqueue(script)
    result = ask_once(fake_openai.base_url, tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stdout == stdout
    first_line = result.stderr.splitlines()[0]
    assert first_line.startswith("streamchat: ") and stderr in first_line
    assert "Traceback" not in result.stderr  # no noise for scripts, even at exit
    if script.status == 429 and "retry-after" in script.headers:
        assert "Retry in 7 s." in result.stderr
    logs = "".join(p.read_text("utf-8") for p in (tmp_path / "logs").glob("*"))
    assert "Traceback" not in logs  # a known error kind is not a bug


def test_stream_options_rejected_and_content_filter_still_finish(
    fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    fake_openai.enqueue(
        Script(deltas=["no ", "usage ", "here"], reject_stream_options=True),
    )
    args = ("--base-url", fake_openai.base_url, "--model", "m", "--exit-after-reply")
    result = run_streamchat(tmp_path, *args, "--prompt", "one")
    assert (result.returncode, result.stdout) == (0, "no usage here"), result.stderr
    assert [r.wants_usage for r in fake_openai.chat_requests] == [True, False]

    fake_openai.enqueue(Script(deltas=["par", "tial"], finish_reason="content_filter"))
    result = run_streamchat(tmp_path, *args, "--prompt", "two")
    assert (result.returncode, result.stdout) == (0, "partial"), result.stderr
    assert "blocked by the content filter" in result.stderr
