"""scripts/install-desktop-entry.sh puts a valid menu entry and the icons under XDG_DATA_HOME."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "io.github.streamchat.StreamChat"


def test_installs_a_valid_entry_pointing_at_the_executable(tmp_path: Path) -> None:
    exe = tmp_path / "bin" / "streamchat"
    exe.parent.mkdir()
    exe.write_text("#!/bin/sh\n", encoding="utf-8")
    exe.chmod(0o755)
    data = tmp_path / "share"
    env = dict(os.environ, XDG_DATA_HOME=str(data), HOME=str(tmp_path))
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "install-desktop-entry.sh"), str(exe)],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    entry = data / "applications" / f"{APP_ID}.desktop"
    text = entry.read_text(encoding="utf-8")
    assert f'Exec="{exe}" %U' in text and f"TryExec={exe}" in text
    assert f"Icon={APP_ID}" in text
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        assert (data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png").is_file()
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    assert (data / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    if shutil.which("desktop-file-validate") is None:
        pytest.skip("desktop-file-validate not installed (apt: desktop-file-utils)")
    subprocess.run(["desktop-file-validate", str(entry)], check=True)


def test_refuses_without_an_executable(tmp_path: Path) -> None:
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "install-desktop-entry.sh"), str(tmp_path / "missing")],
        env=dict(os.environ, XDG_DATA_HOME=str(tmp_path)), capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "no streamchat executable" in result.stderr
    assert not (tmp_path / "applications").exists()
