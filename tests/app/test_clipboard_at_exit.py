"""Text the app copied survives its exit: ``end_process`` destroys the QApplication when it
owns the clipboard (Qt hands the text to the clipboard manager in that destruction, which
os._exit alone skips) and exits at once when it does not.

A real X server (Xvfb): the offscreen platform never owns a clipboard.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.run_app import app_env

ROOT = Path(__file__).resolve().parents[2]

# A process that copies (or not), then ends as the app does; "destroyed" tells the
# QApplication was destroyed before the exit.
DRIVER = """
import sys
from PySide6.QtWidgets import QApplication
from streamchat_desktop.app.launch import end_process

app = QApplication([])
if sys.argv[1] == "copy":
    QApplication.clipboard().setText("copied as Markdown")
    assert QApplication.clipboard().ownsClipboard()
app.destroyed.connect(lambda: print("destroyed", flush=True))
end_process(0)
"""


def end_after(action: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["xvfb-run", "-a", sys.executable, "-c", DRIVER, action],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=app_env(QT_QPA_PLATFORM="xcb"),
        timeout=120,
        check=False,
    )


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run (apt: xvfb)")
@pytest.mark.parametrize(("action", "destroyed"), [("copy", True), ("nothing", False)])
def test_the_application_is_destroyed_only_when_it_owns_the_clipboard(
    action: str, destroyed: bool
) -> None:
    result = end_after(action)
    assert result.returncode == 0, result.stderr
    assert ("destroyed" in result.stdout.split()) is destroyed
