"""Run the real ``streamchat`` program as a subprocess, the way a script would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


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
