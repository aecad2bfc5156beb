"""One instance per profile: a second one asks the first to come forward and backs off."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDir

from streamchat_desktop.app import single_instance
from streamchat_desktop.app.single_instance import (
    LOCK_FILE_NAME,
    SingleInstance,
    server_name,
)

ROOT = Path(__file__).resolve().parents[2]

SECOND_INSTANCE = """
import sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication
from streamchat_desktop.app.single_instance import SingleInstance
app = QCoreApplication([])
if "report" in sys.argv[2:]:  # say each time the running instance could not be asked
    ask = SingleInstance._ask_running_instance
    def asking(self):
        answered = ask(self)
        if not answered:
            print("asked in vain", flush=True)
        return answered
    SingleInstance._ask_running_instance = asking
instance = SingleInstance(Path(sys.argv[1]))
first = instance.acquire()
print("first" if first else "second", flush=True)
if first and "hold" in sys.argv[2:]:
    sys.stdin.readline()  # hold the socket until killed
"""


def spawn(profile: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", SECOND_INSTANCE, str(profile), *extra],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )


def test_names_differ_per_profile(tmp_path: Path) -> None:
    assert server_name(tmp_path / "a") != server_name(tmp_path / "b")
    assert server_name(tmp_path / "a") == server_name(tmp_path / "x" / ".." / "a")


def test_second_object_asks_the_first_to_come_forward(qtbot: Any, tmp_path: Path) -> None:
    first = SingleInstance(tmp_path)
    assert first.acquire()
    second = SingleInstance(tmp_path)
    with qtbot.waitSignal(first.activation_requested, timeout=30_000):
        assert second.acquire() is False
    assert second.owner_answered
    assert not second.is_primary
    other = SingleInstance(tmp_path / "elsewhere")
    assert other.acquire()  # another profile is independent
    other.release()
    first.release()
    assert SingleInstance(tmp_path).acquire()  # released: free again


def test_a_second_process_is_refused_and_the_first_activated(qtbot: Any, tmp_path: Path) -> None:
    first = SingleInstance(tmp_path)
    assert first.acquire()
    with qtbot.waitSignal(first.activation_requested, timeout=30_000):
        process = spawn(tmp_path)
    out, _ = process.communicate(timeout=30)
    assert out.strip() == "second"
    assert process.returncode == 0
    first.release()


def test_a_killed_instance_leaves_no_lock_behind(tmp_path: Path) -> None:
    process = spawn(tmp_path, "hold")
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "first"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    if sys.platform != "win32":
        assert Path(QDir.tempPath(), server_name(tmp_path)).exists()  # the stale socket
    revived = SingleInstance(tmp_path)
    assert revived.acquire() is True
    revived.release()


def test_a_launch_during_the_first_ones_start_waits_for_its_socket(
    qtbot: Any, tmp_path: Path
) -> None:
    """The first instance claims the profile before its window shows and opens its socket
    only after: a second launch in between keeps asking until it can."""
    first = SingleInstance(tmp_path)
    assert first.claim()  # claimed, not listening yet
    process = spawn(tmp_path, "report")
    assert process.stdout is not None
    assert process.stdout.readline() == "asked in vain\n"  # and it keeps asking
    with qtbot.waitSignal(first.activation_requested, timeout=30_000):
        first.listen()
    out, _ = process.communicate(timeout=30)
    assert out.splitlines()[-1] == "second"
    first.release()


def test_a_live_owner_keeps_the_profile_however_old_its_lock(tmp_path: Path) -> None:
    first = SingleInstance(tmp_path)
    assert first.acquire()
    lock = tmp_path / LOCK_FILE_NAME
    long_ago = time.time() - 7 * 24 * 3600
    os.utime(lock, (long_ago, long_ago))  # an app left running for a week
    second = SingleInstance(tmp_path)
    assert second.claim() is False
    first.release()
    assert not lock.exists()


def test_an_owner_that_never_answers_still_keeps_the_profile(
    tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setattr(single_instance, "ASK_FOR_S", 0.3)
    first = SingleInstance(tmp_path)
    assert first.claim()  # stuck before it opened its socket
    second = SingleInstance(tmp_path)
    assert second.claim() is False
    assert second.owner_answered is False  # the app then says so, instead of "brought forward"
    first.release()
