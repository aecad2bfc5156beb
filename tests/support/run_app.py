"""Run the real ``streamchat`` program as a subprocess, the way a script would."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def app_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.update(extra)
    return env


def run_streamchat(
    profile: Path,
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 60.0,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "streamchat_desktop", "--profile", str(profile), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env or app_env(),
        timeout=timeout,
        input=stdin,
        check=False,
    )


def ask_once(
    base_url: str, profile: Path, prompt: str = "hi", *, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``streamchat --base-url … --model m --prompt … --exit-after-reply``, as a script would."""
    return run_streamchat(profile, *_asking(base_url, prompt), env=env)


def _asking(base_url: str, prompt: str, *extra: str) -> tuple[str, ...]:
    return ("--base-url", base_url, "--model", "m", "--prompt", prompt, *extra,
            "--exit-after-reply")  # fmt: skip


def exported(profile: Path, timeout: float = 60.0) -> dict[str, Any]:
    """``streamchat export --format json`` of the profile, parsed (it must succeed)."""
    result = run_streamchat(profile, "export", "--format", "json", timeout=timeout)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


@contextmanager
def reaped(process: subprocess.Popen[str]) -> Iterator[subprocess.Popen[str]]:
    """The launched program, killed on the way out if the test left it running."""
    try:
        yield process
    finally:
        _kill(process)


def _kill(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait(10)


def read_until(stream: Any, done: Callable[[str], bool], timeout: float) -> str:
    """Read a child's pipe as it fills until ``done(text)``; the text read so far."""
    selector = selectors.DefaultSelector()
    selector.register(stream, selectors.EVENT_READ)
    text = ""
    deadline = time.monotonic() + timeout
    while not done(text):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out; read so far: {text[-300:]!r}")
        if selector.select(timeout=0.1):
            chunk = os.read(stream.fileno(), 65536).decode()
            if not chunk:
                break
            text += chunk
    return text


def start_streamchat(
    profile: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """The real program started in the background, its stdout and stderr piped."""
    return subprocess.Popen(
        [sys.executable, "-m", "streamchat_desktop", "--profile", str(profile), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env or app_env(),
    )  # fmt: skip


def ask_in_background(
    base_url: str, profile: Path, prompt: str, *extra: str
) -> subprocess.Popen[str]:
    """``ask_once`` started in the background: the reply streams to its stdout while the
    test acts on the running program (``extra``: more options, such as ``--attach``)."""
    return start_streamchat(profile, *_asking(base_url, prompt, *extra))


def start_until_ready(profile: Path, *args: str, timeout: float = 60.0) -> subprocess.Popen[str]:
    """The window opened on ``profile``, returned once it reports ``STREAMCHAT_STARTED``
    (``STREAMCHAT_REPORT_READY=1``); killed if it never does."""
    app = start_streamchat(profile, *args, env=app_env(STREAMCHAT_REPORT_READY="1"))
    try:
        text = read_until(app.stderr, lambda text: "STREAMCHAT_STARTED" in text, timeout)
        if "STREAMCHAT_STARTED" not in text:  # its output ended: it died before starting
            raise AssertionError(f"the program ended before it started: {text[-2000:]}")
    except BaseException:
        _kill(app)
        raise
    return app
