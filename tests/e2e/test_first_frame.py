"""The window's first frame waits for nothing heavy; everything else starts right after it.

The real app, launched in a subprocess; at its first paint (``STREAMCHAT_READY``) the probe
records which modules are loaded and whether the services exist yet, then lets it run on
until it has started (``STREAMCHAT_STARTED``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.run_app import app_env

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
import streamchat_desktop.app.startup_report as startup_report

seen = {}
report = startup_report.report

def probe(label, age):
    if label == "STREAMCHAT_READY":
        seen["at_first_paint"] = sorted(sys.modules)
    if label == "STREAMCHAT_STARTED":
        seen["at_start"] = sorted(sys.modules)
        print(json.dumps(seen), flush=True)
        from PySide6.QtWidgets import QApplication
        QApplication.quit()
    report(label, age)

startup_report.report = probe
from streamchat_desktop.cli.main import main
raise SystemExit(main(["--profile", sys.argv[1]]))
"""

HEAVY = (
    "asyncio",  # the event loop starts after the first frame
    "qasync",
    "sqlite3",
    "openai",
    "httpx2",
    "keyring",
    "markdown_it",
    "pygments.lexers",
    "socketio",
    "aiohttp",
    "PySide6.QtNetwork",  # the single-instance socket opens after it too
    "streamchat_desktop.storage",
    "streamchat_desktop.core.chat_service",
    "streamchat_desktop.cli.common",  # the subcommands load only for their own command
    "streamchat_desktop.cli.export",
    "streamchat_desktop.cli.keys",
    "streamchat_desktop.cli.providers",
    "streamchat_desktop.core.models",  # the empty window needs no domain objects yet
    "datetime",  # only the conversation list's time labels use it
)


def test_the_first_frame_loads_nothing_heavy_and_the_rest_follows(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "profile")],
        check=False,
        cwd=ROOT,
        env=app_env(STREAMCHAT_REPORT_READY="1"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    early = set(seen["at_first_paint"])
    assert [name for name in HEAVY if name in early] == []
    assert "streamchat_desktop.ui.main_window" in early
    later = set(seen["at_start"])
    assert {"asyncio", "qasync", "sqlite3", "PySide6.QtNetwork"} <= later
    assert "streamchat_desktop.core.chat_service" in later
