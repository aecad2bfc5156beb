"""Take the README's window screenshots, light and dark: a new chat (the welcome),
mid-stream, a finished answer with code, a table and math, and the hover actions on an
answer that has two versions.

The real main window and controller run in this process under Xvfb, over a real SQLite
profile, answering from the tests' OpenAI-compatible server; the pointer is moved with
QCursor (a real X pointer: the hover is Qt's own). Grabbed with Qt (no ImageMagick).

    .venv/bin/python scripts/screenshot_states.py   # needs xvfb (apt)
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xvfb_display import xvfb_display  # noqa: E402

SIZE = (1180, 780)
MODEL = "llama3.1:8b"

CODE_ANSWER = """Streaming sends the answer **as it is generated**, so you read the first words \
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

> Keys stay in the system keychain — never in a file.
"""
TABLE_ANSWER = """Here are the local servers and their default addresses:

| Server | Base URL | Notes |
|---|---|---|
| Ollama | `http://localhost:11434/v1` | pulls models by name |
| LM Studio | `http://localhost:1234/v1` | start the server tab |
| llama.cpp | `http://localhost:8080/v1` | `llama-server -m model.gguf` |

The softmax of a score vector $z$ is $\\sigma(z)_i = \\frac{e^{z_i}}{\\sum_j e^{z_j}}$, and
the cross-entropy loss is

$$L = -\\sum_i y_i \\log \\hat{y}_i$$
"""
SECOND_ANSWER = """Streaming shows **each token as it arrives**: the reply starts in well \
under a second, however long it grows.

```bash
curl -N http://localhost:11434/v1/chat/completions -d '{"stream": true, ...}'
```
"""


def words(text: str) -> list[str]:
    parts = text.split(" ")
    return [p if i == 0 else " " + p for i, p in enumerate(parts)]


async def until(condition: Callable[[], bool], patience: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience
    while not condition():
        if loop.time() > deadline:
            raise RuntimeError("the window did not get there")
        await asyncio.sleep(0.02)


async def settle() -> None:
    """Let the window paint (a screenshot script may wait; tests never do)."""
    await asyncio.sleep(0.4)


def main() -> int:
    with xvfb_display(*SIZE) as display:
        os.environ.update(DISPLAY=display.name, QT_QPA_PLATFORM="xcb")
        return run()


def run() -> int:
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    out = ROOT / "docs" / "screenshots"
    with tempfile.TemporaryDirectory(prefix="streamchat-shot-") as profile:
        for theme in ("light", "dark"):
            loop.run_until_complete(shoot(app, Path(profile) / theme, out, theme))
    loop.close()  # its worker threads end before the interpreter tears Qt down
    return 0


async def shoot(app: object, profile: Path, out: Path, theme: str) -> None:
    from streamchat_desktop.storage.repository import SqliteStore
    from streamchat_desktop.ui.app_theme import ThemeSwitcher
    from tests.support.fake_openai import FakeOpenAIServer
    from tests.support.windows import open_window

    ThemeSwitcher(app).apply(theme)  # type: ignore[arg-type]
    server = FakeOpenAIServer().start()
    store = SqliteStore.open(profile / "conversations.sqlite3")
    opened = open_window(_NoBot(), server.base_url, store, search=store.search, model=MODEL)
    window = opened.window
    window.endpoint_picker.set_choices([("local", "Ollama (this computer)")], "local", MODEL)
    window.setGeometry(0, 0, *SIZE)
    try:
        await States(window, opened.controller, server, out, theme).take()
    finally:
        await opened.close()
        window.transcript.describe = None  # the store closes: a theme change must not ask it
        window.close()
        window.deleteLater()
        store.close()
        server.stop()


class States:
    """The states of one theme, each shot once the window shows it."""

    def __init__(self, window: Any, controller: Any, server: Any, out: Path, theme: str):
        self.window, self.controller, self.server = window, controller, server
        self.out, self.theme = out, theme

    def shot(self, name: str) -> None:
        from PySide6.QtGui import QGuiApplication

        path = self.out / f"{name}-{self.theme}.png"
        QGuiApplication.primaryScreen().grabWindow(0).save(str(path))
        print(path)

    def shown(self, text: str) -> Callable[[], bool]:
        return lambda: text in self.window.transcript.toPlainText()

    def idle(self) -> bool:
        return self.controller.streaming_reply() is None

    async def ask(self, prompt: str, answer: str, *, new: bool = True, delay: float = 0.0) -> None:
        from tests.support.fake_openai import Script

        if new:
            self.controller.new_conversation()
        self.server.enqueue(Script(deltas=words(answer), delay=delay))
        self.controller.send(prompt)
        await until(lambda: not self.idle())

    async def take(self) -> None:
        await settle()
        self.shot("new-chat")
        await self.ask("How does streaming work in StreamChat?", CODE_ANSWER, new=False, delay=0.03)
        await until(self.shown("one repaint"))
        self.shot("streaming")
        await until(self.idle)
        await settle()
        self.shot("answer-code")
        await self.ask("Which local servers work, and what is softmax?", TABLE_ANSWER)
        await until(self.idle)
        await self.typeset()
        self.shot("table-math")
        await self.ask("How does streaming work?", CODE_ANSWER)
        await until(self.idle)
        await self.versions()
        self.shot("actions")

    async def typeset(self) -> None:
        """Until the formulas are typeset (painting asks for them; a worker typesets)."""
        from streamchat_desktop.ui.transcript.math_cache import shared_typesetter

        typesetter = shared_typesetter()
        for _ in range(2):
            await settle()
            self.window.transcript.viewport().repaint()
            await until(lambda: not typesetter.busy)
        await settle()

    async def versions(self) -> None:
        """Regenerate the answer (versions 1/2 and 2/2), then point at it."""
        from PySide6.QtCore import QPoint
        from PySide6.QtGui import QCursor

        from tests.support.fake_openai import Script

        self.server.enqueue(Script(deltas=words(SECOND_ANSWER)))
        self.controller.edits.regenerate_answer(self.controller.messages()[1].id)
        await until(lambda: self.idle() and self.shown("each token")())
        await settle()
        view = self.window.transcript
        header = view._writer.headers[self.controller.messages()[1].id]
        rect = view.document().documentLayout().blockBoundingRect(header)
        y = int(rect.center().y()) - view.verticalScrollBar().value()
        QCursor.setPos(SIZE[0] - 1, SIZE[1] - 1)  # from outside the transcript: a real move
        await settle()
        QCursor.setPos(view.viewport().mapToGlobal(QPoint(int(rect.left()) + 40, y + 30)))
        await until(view.action_bar.isVisible)
        await settle()


class _NoBot:
    """``open_window`` registers its window with pytest-qt; here nothing needs to."""

    def addWidget(self, _widget: object) -> None:  # noqa: N802 (pytest-qt's name)
        return None


if __name__ == "__main__":
    raise SystemExit(main())
