"""When the app cannot start, the person (or the script) that launched it is told why.

- The real program on a profile folder that cannot be created, on a database it cannot
  open, and with a bug while its window is built: exit 1, the reason in plain words on
  stderr, no bare traceback; a bug's traceback is in the log instead.
- A log file it cannot write does not stop it: it says so and answers.
- Launched by a person (no ``--exit-after-reply``) it also shows the reason in a dialog
  and waits for it to be closed, instead of vanishing: a launch from a menu has no
  terminal.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from streamchat_desktop.ui.startup_failure import TITLE, tell_cannot_start
from tests.support.fake_openai import FakeOpenAIServer, Script
from tests.support.run_app import app_env, ask_once, read_until, reaped, run_streamchat

ROOT = Path(__file__).resolve().parents[2]

# The real program, with MainWindow made to fail the way a bug would.
BROKEN_WINDOW = """
import sys
from streamchat_desktop.ui import main_window

def broken(self, *args, **kwargs):
    raise RuntimeError("the window could not be built")

main_window.MainWindow.__init__ = broken
from streamchat_desktop.cli.main import main
raise SystemExit(main(sys.argv[1:]))
"""


def logs(profile: Path) -> str:
    return "".join(p.read_text("utf-8") for p in (profile / "logs").glob("*"))


@pytest.mark.e2e
def test_a_profile_folder_that_cannot_be_created_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run_streamchat(blocker / "profile", "--prompt", "hi", "--exit-after-reply")
    assert result.returncode == 1
    assert result.stderr.startswith("streamchat: the profile folder ")
    assert str(blocker / "profile") in result.stderr and "--profile" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.e2e
def test_a_database_that_cannot_be_opened_is_named(tmp_path: Path) -> None:
    (tmp_path / "conversations.sqlite3").mkdir()  # a folder where the file should be
    result = run_streamchat(
        tmp_path, "--base-url", "http://127.0.0.1:9/v1", "--model", "m",
        "--prompt", "hi", "--exit-after-reply",
    )  # fmt: skip
    assert result.returncode == 1
    assert "conversations.sqlite3 cannot be read" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.e2e
def test_a_bug_while_starting_is_explained_and_logged(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", BROKEN_WINDOW, "--profile", str(tmp_path),
         "--prompt", "hi", "--exit-after-reply"],
        cwd=ROOT, env=app_env(), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "unexpected error: the window could not be built" in result.stderr
    assert str(tmp_path / "logs" / "streamchat.log") in result.stderr
    assert "Traceback" not in result.stderr
    assert "Traceback" in logs(tmp_path) and "RuntimeError" in logs(tmp_path)


@pytest.mark.e2e
def test_a_log_file_it_cannot_write_is_said_and_the_app_still_answers(
    fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    (tmp_path / "logs" / "streamchat.log").mkdir(parents=True)
    fake_openai.enqueue(Script(deltas=["still ", "here"]))
    result = ask_once(fake_openai.base_url, tmp_path)
    assert (result.returncode, result.stdout) == (0, "still here"), result.stderr
    assert result.stderr.startswith("streamchat: the log file ")
    assert "this session is not logged" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.e2e
def test_a_person_launching_it_gets_a_dialog_not_a_vanishing_app(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    app = subprocess.Popen(
        [sys.executable, "-m", "streamchat_desktop", "--profile", str(blocker / "p")],
        cwd=ROOT, env=app_env(), stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    with reaped(app):
        said = read_until(app.stderr, lambda text: "--profile" in text, timeout=30)
        assert said.startswith("streamchat: the profile folder ")
        with pytest.raises(subprocess.TimeoutExpired):
            app.wait(1.0)  # the dialog holds it until it is closed


def test_the_dialog_shows_the_reason_and_the_details(
    qapp: QApplication, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: dict[str, Any] = {}

    def read_and_close() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.update(title=box.windowTitle(), text=box.text(), details=box.detailedText())
        box.accept()

    QTimer.singleShot(0, read_and_close)
    tell_cannot_start("the disk is full", dialog=True, details="Traceback: …")
    assert seen == {"title": TITLE, "text": "The disk is full", "details": "Traceback: …"}
    assert capsys.readouterr().err == "streamchat: the disk is full\n"


def test_a_script_gets_no_dialog(capsys: pytest.CaptureFixture[str]) -> None:
    tell_cannot_start("the disk is full", dialog=False)  # returns at once: nothing to close
    assert capsys.readouterr().err == "streamchat: the disk is full\n"
    assert QApplication.activeModalWidget() is None
