"""``--exit-after-reply`` cannot be used to drive the user's terminal (issue 14, item 7).

The real program, with its stdout on a real pseudo-terminal and on a pipe: escape
sequences from the model are shown as symbols on the terminal and passed byte for byte
into the pipe.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from streamchat_desktop.cli.terminal_text import visible_controls
from tests.support.fake_openai import FakeOpenAIServer, Script
from tests.support.run_app import app_env

pytestmark = pytest.mark.e2e

# a window title, a screen clear, a colour by 8-bit CSI, a carriage return that would
# overwrite the line, and a tab and newline that must stay
HOSTILE = ["Hello \x1b]0;pwned\x07", " and \x1b[2J", "gone\r", "\tcol\n", "red\x9b31m", "\x7f"]


def _ask(base_url: str, profile: Path) -> list[str]:
    args = ["--base-url", base_url, "--model", "m", "--prompt", "hi", "--exit-after-reply"]
    return [sys.executable, "-m", "streamchat_desktop", "--profile", str(profile), *args]


def _run_on_a_terminal(
    base_url: str, profile: Path, *, stderr_too: bool = False
) -> tuple[int, str, str]:
    """The real program with a pseudo-terminal as stdout (and stderr); what it received."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        _ask(base_url, profile),
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave if stderr_too else subprocess.PIPE,
        env=app_env(),
    )
    os.close(slave)
    received = bytearray()
    try:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the program closed the terminal's other end
                break
            if not chunk:
                break
            received += chunk
        _, err = process.communicate(timeout=60)
    finally:
        os.close(master)
        if process.poll() is None:
            process.kill()
    return process.returncode, received.decode("utf-8"), (err or b"").decode("utf-8")


def test_escape_sequences_are_shown_not_obeyed_on_a_terminal(
    fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    fake_openai.enqueue(Script(deltas=HOSTILE))

    code, screen, err = _run_on_a_terminal(fake_openai.base_url, tmp_path)

    assert code == 0, err
    for control in ("\x1b", "\x07", "\x9b", "\x7f"):
        assert control not in screen
    # the terminal turns "\n" into "\r\n" itself; the model's own "\r" is shown as ␍
    assert screen.replace("\r\n", "\n") == visible_controls("".join(HOSTILE)) + "\n"
    assert "Hello ␛]0;pwned␇ and ␛[2Jgone␍\tcol\nred\\x9b31m␡" in screen.replace("\r\n", "\n")


def test_a_pipe_gets_the_answer_exactly(fake_openai: FakeOpenAIServer, tmp_path: Path) -> None:
    fake_openai.enqueue(Script(deltas=HOSTILE))

    result = subprocess.run(  # bytes: text mode would turn the model's "\r" into "\n"
        _ask(fake_openai.base_url, tmp_path),
        capture_output=True,
        env=app_env(),
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "".join(HOSTILE).encode("utf-8")


def test_the_servers_error_message_cannot_drive_the_terminal_either(
    fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    event = {"error": {"message": "overloaded\x1b]0;pwned\x07\x1b[2J", "type": "x"}}
    fake_openai.enqueue(Script(deltas=["partial"], error_event_after=1, error_event=event))

    code, screen, _ = _run_on_a_terminal(fake_openai.base_url, tmp_path, stderr_too=True)

    assert code == 1
    assert "partial" in screen and "overloaded␛]0;pwned␇␛[2J" in screen
    assert "\x1b" not in screen and "\x07" not in screen
