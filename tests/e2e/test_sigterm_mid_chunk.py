"""The real program, sent SIGTERM while it is still rendering a 10 MB chunk: it ends, and
the saved reply is the whole text that had arrived, marked "stopped" (checked through
``streamchat export``), and the exit code is 130 (the reply was stopped).

The server sends the chunk and holds the stream open: the reply is mid-way, the window has
a backlog of megabytes to render. Before, such a backlog kept the process from reacting
to SIGTERM for minutes.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from streamchat_desktop.cli import exit_codes
from tests.support.fake_openai import FakeOpenAIServer, Gate, Script
from tests.support.run_app import ask_in_background, exported, read_until, reaped

pytestmark = pytest.mark.e2e


def ten_megabytes() -> str:
    """Markdown of about 10 MB: paragraphs, list items, code, as a model loop would write."""
    parts = []
    for i in range(150_000):
        if i % 40 == 0:
            parts.append(f"```python\nvalue_{i} = compute({i})\n```\n")
        parts.append(f"- item {i}: the **answer** goes on and on, `code_{i}` included\n")
    return "".join(parts)


def test_sigterm_while_a_10_mb_chunk_renders_ends_the_program_and_keeps_the_text(
    fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    chunk = ten_megabytes()
    assert len(chunk) > 10_000_000
    gate = Gate(after=1)  # the chunk, then the stream is held open
    fake_openai.enqueue(Script(deltas=[chunk], gate=gate))
    profile = tmp_path / "profile"
    app = ask_in_background(fake_openai.base_url, profile, "go")
    try:
        with reaped(app):
            # the reply printer writes what the app received: all of the chunk
            read_until(app.stdout, lambda text: len(text) >= len(chunk), timeout=180)
            app.send_signal(signal.SIGTERM)
            app.wait(120)
    finally:
        gate.release()
    # it ended on SIGTERM, without SIGKILL: the reply was stopped, which a script sees as 130
    assert app.returncode == exit_codes.INTERRUPTED
    message = exported(profile, timeout=120)["conversations"][0]["messages"][-1]
    assert message["state"] == "stopped"  # stopped and saved by the quit, not left streaming
    assert message["content"] == chunk  # complete up to what had arrived
