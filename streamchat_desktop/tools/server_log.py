"""A server's stderr, read from a pipe into the log (never raw to the screen).

The last lines are kept so that a server that fails to start can be explained
in its own words. A small reader thread per server process: the pipe's reads
block, and the loop must not.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import deque
from typing import TextIO

log = logging.getLogger("streamchat_desktop.tools.server")

TAIL_LINES = 20
LINE_LIMIT = 2000


class StderrPipe:
    """A pipe for one server process's stderr; ``writer`` goes to the child."""

    def __init__(self, server: str) -> None:
        self._server = server
        read_fd, write_fd = os.pipe()
        self._tail: deque[str] = deque(maxlen=TAIL_LINES)
        self.writer: TextIO = os.fdopen(write_fd, "w", encoding="utf-8")
        self._reader = os.fdopen(read_fd, "r", encoding="utf-8", errors="replace")
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.name = f"mcp-stderr-{server}"
        self._thread.start()

    def child_started(self) -> None:
        """Drop our copy of the write end: the pipe then ends when the child's does."""
        if not self.writer.closed:
            self.writer.close()

    def tail(self, wait: float = 0.0) -> str:
        """The last lines the server wrote (``wait``: give it that long to reach EOF)."""
        if wait:
            self._thread.join(wait)
        return "\n".join(self._tail)

    def _pump(self) -> None:
        with self._reader:
            for line in self._reader:
                text = line.rstrip("\n")[:LINE_LIMIT]
                if text:
                    self._tail.append(text)
                    log.info("[%s] %s", self._server, text)
