"""Take the README's screenshots: first the window's states, light and dark
(``screenshot_states.py``); then the real app under Xvfb, streaming from the tests'
OpenAI-compatible server, while the companion view in headless Chromium sends a prompt:
both are captured side by side while that answer streams in each.

    .venv/bin/python scripts/screenshot.py   # needs xvfb and chromium (apt)
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

ANSWER = """Streaming sends the answer **as it is generated**, so you read the first words \
while the model is still writing the rest.

### How it works here

1. The app asks with `stream=True` through the official `openai` SDK.
2. Each `chat.completion.chunk` becomes a *delta* event on the Qt event loop.
3. Deltas are coalesced into **one repaint per frame**; only the open tail is re-rendered.

```python
async for event in provider.stream(request):
    if isinstance(event, TextDelta):
        transcript.append_text(message_id, event.text)
```

| Server | Base URL |
|---|---|
| Ollama | `http://localhost:11434/v1` |
| LM Studio | `http://localhost:1234/v1` |

> Keys stay in the system keychain — never in a file.
"""


def tokens(text: str, size: int = 4) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def main() -> int:
    out_dir = ROOT / "docs" / "screenshots"
    out_dir.mkdir(parents=True, exist_ok=True)
    # the window's states, light and dark (welcome, mid-stream, code, table and math, actions)
    subprocess.run([sys.executable, str(ROOT / "scripts" / "screenshot_states.py")], check=True)
    with xvfb_display(980, 720) as display:
        shoot(display, out_dir)
    print(out_dir / "desktop-and-companion.png")
    return 0


def shoot(display: Display, out_dir: Path) -> None:
    """The app streams its launch prompt's answer; then the page asks, and both are shot."""
    profile = Path(tempfile.mkdtemp(prefix="streamchat-shot-"))
    server = FakeOpenAIServer(
        default=Script(
            deltas=tokens(ANSWER),
            reasoning=tokens("The user wants a short overview with an example.", 6),
            delay=0.012,
        )
    ).start()
    env = display.env()
    app = subprocess.Popen(
        [sys.executable, "-m", "streamchat_desktop", "--profile", str(profile),
         "--base-url", server.base_url, "--model", "llama3.1:8b", "--companion",
         "--prompt", "How does streaming work in StreamChat?"],
        env=env, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        time.sleep(8.2)  # the launch prompt's answer has ended: the page may ask next
        assert app.stdout is not None
        url = app.stdout.readline().split("Companion view: ", 1)[1].strip()
        side_by_side(display, url, out_dir / "desktop-and-companion.png")
    finally:
        app.terminate()
        app.wait(10)
        server.stop()
        shutil.rmtree(profile, ignore_errors=True)


def side_by_side(display: Display, url: str, path: Path) -> None:
    """The page sends a prompt; mid-answer, the window and the page go into one image."""
    from playwright.sync_api import sync_playwright

    page_png = path.with_name("companion-live.png")
    window_png = path.with_name("window-live.png")
    with tempfile.TemporaryDirectory() as browser_dir, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            browser_dir, executable_path="/usr/bin/chromium", headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
            viewport={"width": 420, "height": 720},
        )  # fmt: skip
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector("[data-testid=connection]:has-text('Live')")
        page.get_by_label("Prompt").fill("And in the browser?")
        page.get_by_label("Prompt").press("Enter")
        answers = page.locator("[data-testid=message-assistant]")
        answers.nth(1).get_by_text("How it works here").wait_for()
        page.screenshot(path=str(page_png))
        display.grab(window_png)
        context.close()
    join_side_by_side(window_png, page_png, path)
    page_png.unlink()
    window_png.unlink()


JOIN = """
import sys
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter
app = QGuiApplication(sys.argv[:1])
left, right = QImage(sys.argv[1]), QImage(sys.argv[2])
joined = QImage(left.width() + 8 + right.width(), max(left.height(), right.height()),
                QImage.Format.Format_RGB32)
joined.fill(QColor("#888888"))
painter = QPainter(joined)
painter.drawImage(0, 0, left)
painter.drawImage(left.width() + 8, 0, right)
painter.end()
joined.save(sys.argv[3])
"""


def join_side_by_side(left: Path, right: Path, path: Path) -> None:
    """The two images in one, an 8-pixel grey gap between them (Qt: no ImageMagick)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    run = [sys.executable, "-c", JOIN, str(left), str(right), str(path)]
    subprocess.run(run, env=env, check=True)


if __name__ == "__main__":
    raise SystemExit(main())
