"""A real companion view for tests of the real program: python-socketio's AsyncClient on
its own loop in a background thread, connected with the URL and token the app printed."""

from __future__ import annotations

import asyncio
import contextlib
import re
import subprocess
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import socketio

from tests.support.run_app import read_until, start_streamchat

URL_LINE = re.compile(r"Companion view: (http://127\.0\.0\.1:\d+)/#token=(\S+)")


class CompanionClient:
    """Connects to the running app's companion endpoint and records what it receives."""

    def __init__(self, announced: str, transport: str = "websocket") -> None:
        match = URL_LINE.search(announced)
        if match is None:
            raise AssertionError(f"no companion URL in {announced!r}")
        self.url, self.token = match.groups()
        self.transport = transport
        self.events: list[tuple[str, Any]] = []
        self._changed = threading.Condition()  # notified with every event received
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._client = socketio.AsyncClient(reconnection=False)
        self._client.on("*", self._record)

    def _record(self, event: str, data: Any = None) -> None:
        with self._changed:
            self.events.append((event, data))
            self._changed.notify_all()

    def names(self) -> list[str]:
        with self._changed:
            return [name for name, _ in self.events]

    def wait_for(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        """Block until ``condition`` (checked at each event received) holds; fail naming
        ``what`` was awaited. ``timeout`` is patience: keep it wide."""
        with self._changed:
            if not self._changed.wait_for(condition, timeout):
                raise AssertionError(f"not within {timeout} s: {what}")

    def _run(self, coroutine: Any, timeout: float = 15.0) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result(timeout)

    def connect(self) -> CompanionClient:
        self._run(
            self._client.connect(
                self.url, auth={"token": self.token}, transports=[self.transport], wait_timeout=10
            )
        )
        return self

    def call(self, event: str, data: Any) -> Any:
        """Send a request and return its ack."""
        return self._run(self._client.call(event, data, timeout=10))

    def close(self) -> None:
        """Disconnect if still connected (the app may have gone first) and end the thread."""
        if self._client.connected:
            with contextlib.suppress(Exception):  # the app is gone: no goodbye to say
                self._run(self._client.disconnect(), timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


def start_with_companion(profile: Path, base_url: str, prompt: str) -> subprocess.Popen[str]:
    """The real program with ``--companion`` and a ``--prompt``, on the tests' server;
    read the companion URL from its stdout with ``read_announced``."""
    return start_streamchat(
        profile, "--base-url", base_url, "--model", "m", "--companion", "--prompt", prompt
    )


def read_announced(app: subprocess.Popen[str]) -> str:
    assert app.stdout is not None and app.stderr is not None
    return read_until(app.stdout, lambda text: "\n" in text, 60)
