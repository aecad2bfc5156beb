"""Take the README's attachments screenshot: the real app under Xvfb, launched with a
picture and a PDF attached to its prompt (``--attach``), answering from the tests'
OpenAI-compatible server. The screen is grabbed with Qt itself (no ImageMagick needed).

    .venv/bin/python scripts/screenshot_attachments.py   # needs xvfb (apt)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xvfb_display import Display, xvfb_display  # noqa: E402

from tests.support.fake_openai import FakeOpenAIServer, Script  # noqa: E402

ANSWER = """The plan puts the **marigolds** along the south border, which matches the \
sunny strip in your picture:

- *Beds 1–3*: marigolds and basil, planted in May
- *Bed 4*: the shade-tolerant herbs, by the fence

The PDF's second page lists watering twice a week until the seedlings are established.
"""


def make_files(folder: Path) -> tuple[Path, Path]:
    """A picture and a two-page PDF with a text layer, drawn by Qt."""
    script = """
import sys
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QLinearGradient
from PySide6.QtGui import QPainter, QPdfWriter
app = QGuiApplication(sys.argv[:1])
image = QImage(1600, 1000, QImage.Format.Format_RGB32)
painter = QPainter(image)
gradient = QLinearGradient(0, 0, 0, 1000)
gradient.setColorAt(0, QColor("#8ec5fc")); gradient.setColorAt(0.55, QColor("#e0f7d4"))
gradient.setColorAt(0.56, QColor("#5a9e4b")); gradient.setColorAt(1, QColor("#2f6b2a"))
painter.fillRect(0, 0, 1600, 1000, gradient)
for x in range(80, 1600, 160):
    painter.setBrush(QColor("#f5a623")); painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(x, 700, 70, 70)
painter.end()
image.save(sys.argv[1])
writer = QPdfWriter(sys.argv[2])
painter = QPainter(writer)
painter.setFont(QFont("DejaVu Sans", 14))
painter.drawText(QRectF(200, 200, 8000, 3000), Qt.AlignmentFlag.AlignLeft,
                 "Garden plan: marigolds and basil in beds 1-3, planted in May.")
writer.newPage()
painter.drawText(QRectF(200, 200, 8000, 3000), Qt.AlignmentFlag.AlignLeft,
                 "Water twice a week until the seedlings are established.")
painter.end()
"""
    picture, pdf = folder / "garden.png", folder / "garden-plan.pdf"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    subprocess.run([sys.executable, "-c", script, str(picture), str(pdf)], env=env, check=True)
    return picture, pdf


def main() -> int:
    out = ROOT / "docs" / "screenshots" / "attachments.png"
    words = ANSWER.split(" ")
    deltas = [w + " " for w in words[:-1]] + [words[-1]]
    with xvfb_display(980, 720) as display:
        shoot(display, out, deltas)
    print(out)
    return 0


def shoot(display: Display, out: Path, deltas: list[str]) -> None:
    """The app started with two files; the screen grabbed once its answer has ended."""
    work = Path(tempfile.mkdtemp(prefix="streamchat-shot-"))
    server = FakeOpenAIServer(default=Script(deltas=deltas, delay=0.01)).start()
    env = display.env()
    try:
        picture, pdf = make_files(work)
        app = subprocess.Popen(
            [sys.executable, "-m", "streamchat_desktop", "--profile", str(work / "profile"),
             "--base-url", server.base_url, "--model", "llava:13b",
             "--attach", str(picture), "--attach", str(pdf),
             "--prompt", "Does my garden match the plan?"],
            env=env,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 90  # a loaded machine starts slowly
            while not any(r.response_complete for r in server.chat_requests):
                if time.monotonic() > deadline or app.poll() is not None:
                    raise SystemExit("the app did not send its prompt")
                time.sleep(0.2)
            time.sleep(2.0)  # the last frame painted
            display.grab(out)
        finally:
            app.terminate()
            try:
                app.wait(30)
            except subprocess.TimeoutExpired:
                app.kill()
                app.wait(10)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
