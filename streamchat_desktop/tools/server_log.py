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
        """Each line into the log, cut at ``LINE_LIMIT``; a longer line is read (and
        dropped) in pieces of that size, so a server writing megabytes without a newline
        never holds them in memory here."""
        with self._reader:
            cut = False  # the rest of a line already cut
            for piece in iter(lambda: self._reader.readline(LINE_LIMIT), ""):
                ended = piece.endswith("\n")
                text = piece.rstrip("\n")
                if text and not cut:
                    self._tail.append(text)
                    log.info("[%s] %s", self._server, text)
                cut = not ended
