"""The real app with ``--companion`` and the built page in headless Chromium.

The desktop side is the real program (a subprocess, offscreen); its ``--prompt`` is what
a person types in the window. The page shows that answer streaming, then sends its own
prompt, whose answer streams in both places and is saved in the app's profile.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from streamchat_desktop.companion.server import STATIC_DIR
from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.support.fake_openai import FakeOpenAIServer, Gate, Script
from tests.support.run_app import app_env, run_streamchat

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
    pytest.mark.skipif(not (STATIC_DIR / "index.html").exists(), reason="page not built"),
]


def test_desktop_and_page_stream_the_same_conversation(
    fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    desktop_answer = [f"desk{i} " for i in range(40)]
    held = Gate(after=6)  # the answer is still streaming whenever the page gets there
    fake_openai.enqueue(
        Script(deltas=desktop_answer, gate=held), Script(deltas=["page ", "answer ", "done"])
    )
    profile = tmp_path / "profile"
    app = subprocess.Popen(
        [sys.executable, "-m", "streamchat_desktop", "--profile", str(profile),
         "--base-url", fake_openai.base_url, "--model", "m", "--companion",
         "--prompt", "typed in the desktop window"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=app_env(),
    )  # fmt: skip
    try:
        assert app.stdout is not None
        line = app.stdout.readline()
        match = re.match(r"Companion view: (http://127\.0\.0\.1:\d+/#token=\S+)", line)
        assert match, line
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(tmp_path / "chromium"), executable_path=str(CHROMIUM), headless=True,
                args=CHROMIUM_ARGS,
            )  # fmt: skip
            page = context.new_page()
            page.goto(match.group(1))
            page.wait_for_selector("[data-testid=connection]:has-text('Live')")
            page.wait_for_selector("[data-testid=message-user]:has-text('typed in the desktop')")
            reply = page.locator("[data-testid=message-assistant]").last
            page.wait_for_selector("[data-testid=message-assistant] >> text=desk5")
            assert reply.get_attribute("data-state") == "streaming"  # joined mid-answer
            held.release()
            page.wait_for_selector("[data-testid=message-assistant][data-state=complete]")
            assert reply.inner_text().split() == [d.strip() for d in desktop_answer]

            page.get_by_label("Prompt").fill("sent from the page")
            page.get_by_label("Prompt").press("Enter")
            page.wait_for_selector(
                "[data-testid=message-assistant][data-state=complete] >> text=page answer done"
            )
            context.close()
    finally:
        held.release()  # never leave the app waiting on a held answer
        app.terminate()
        app.wait(20)
    assert app.returncode == 0, app.stderr.read() if app.stderr else ""

    exported = run_streamchat(profile, "export", "--format", "json", "--all")
    assert exported.returncode == 0, exported.stderr
    data = json.loads(exported.stdout)
    text = json.dumps(data)
    assert "typed in the desktop window" in text
    assert "sent from the page" in text and "page answer done" in text
    assert "".join(desktop_answer) in text
