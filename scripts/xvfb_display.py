"""A virtual X screen for the screenshot scripts: Xvfb started on a free display, used once
it says it accepts clients, and stopped by its PID on the way out.

Xvfb picks the display itself (``-displayfd``): two scripts, or another helper's Xvfb, never
collide on a fixed number, and nothing is guessed about when the server is ready.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

READY_WITHIN = 60.0  # seconds; a screen that says nothing by then is not coming

GRAB = """
import sys
from PySide6.QtGui import QGuiApplication
app = QGuiApplication(sys.argv[:1])
app.primaryScreen().grabWindow(0).save(sys.argv[1])
"""


@dataclass(frozen=True)
class Display:
    """A running Xvfb screen (``name`` such as ``":2"``)."""

    name: str

    def env(self) -> dict[str, str]:
        """The environment for a Qt program that should draw on this screen."""
        return dict(os.environ, DISPLAY=self.name, QT_QPA_PLATFORM="xcb")

    def grab(self, path: Path) -> None:
        """The whole screen saved as ``path``, grabbed with Qt (no ImageMagick needed)."""
        subprocess.run([sys.executable, "-c", GRAB, str(path)], env=self.env(), check=True)


@contextmanager
def xvfb_display(width: int, height: int) -> Iterator[Display]:
    """Xvfb with one ``width`` x ``height`` screen, yielded once it accepts clients."""
    read_end, write_end = os.pipe()
    try:
        xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_end), "-screen", "0", f"{width}x{height}x24"],
            pass_fds=(write_end,),
        )
    except OSError as error:
        os.close(read_end)
        raise SystemExit(f"Xvfb could not be started ({error}); apt install xvfb") from None
    finally:
        os.close(write_end)
    try:
        number = _display_number(read_end)
        if number is None:
            raise SystemExit(f"Xvfb gave no display number within {READY_WITHIN:.0f} s")
        if not number:
            raise SystemExit(f"Xvfb did not start (exit status {xvfb.wait(10)})")
        yield Display(f":{number}")
    finally:
        _stop(xvfb)


def _display_number(read_end: int) -> str | None:
    """What Xvfb writes once it listens: "" if it ended first, None if it said nothing
    within READY_WITHIN."""
    with os.fdopen(read_end) as ready:
        if not select.select([ready], [], [], READY_WITHIN)[0]:
            return None
        return ready.readline().strip()


def _stop(xvfb: subprocess.Popen[bytes]) -> None:
    if xvfb.poll() is None:
        os.kill(xvfb.pid, signal.SIGTERM)
        try:
            xvfb.wait(10)
        except subprocess.TimeoutExpired:
            os.kill(xvfb.pid, signal.SIGKILL)
            xvfb.wait(10)
