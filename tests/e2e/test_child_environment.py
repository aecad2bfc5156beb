"""The key never reaches a child process's environment (issue 14, item 5).

The real program, launched with ``OPENAI_API_KEY``, under a real X server (Xvfb: the
offscreen platform opens no URLs), with ``xdg-open`` on PATH replaced by a script that
records its environment. A click on a link in the answer launches it; it must not see
the key, and the answer must still have been asked for with it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.fake_openai import FakeOpenAIServer, Script
from tests.support.run_app import app_env

pytestmark = pytest.mark.e2e

KEY = "sk-proj-ChildMustNotSee0123456789abcdef"
DRIVER = Path(__file__).with_name("click_a_link.py")
ROOT = Path(__file__).resolve().parents[2]


def _fake_xdg_open(folder: Path, record: Path) -> None:
    folder.mkdir()
    script = folder / "xdg-open"
    script.write_text(f'#!/bin/sh\nenv > "{record}.tmp"\nmv "{record}.tmp" "{record}"\n')
    script.chmod(0o755)


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run (apt: xvfb)")
def test_a_link_opened_from_an_answer_does_not_get_the_key(
    fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    fake_openai.enqueue(Script(deltas=["Read ", "[the docs](https://example.com/docs) ", "now"]))
    record = tmp_path / "xdg-open-environment.txt"
    _fake_xdg_open(tmp_path / "bin", record)
    env = app_env(OPENAI_API_KEY=KEY, QT_QPA_PLATFORM="xcb")
    env["PATH"] = f"{tmp_path / 'bin'}:{env['PATH']}"
    env["PYTHONPATH"] = str(ROOT)
    args = ["--profile", str(tmp_path / "profile"), "--base-url", fake_openai.base_url]
    args += ["--model", "m", "--prompt", "a link, please"]
    clicking = ["now", "https://example.com/docs"]  # once "now" is shown, click that link

    result = subprocess.run(
        ["xvfb-run", "-a", sys.executable, str(DRIVER), *clicking, str(record), "--", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr[-2000:]
    assert fake_openai.last_request.authorization == f"Bearer {KEY}"  # the app used the key
    child = record.read_text()
    assert "PATH=" in child  # the child really ran, with the app's environment
    assert KEY not in child
    assert "OPENAI_API_KEY" not in child
