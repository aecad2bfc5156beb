"""stdout whose reader may go away (``streamchat … | head``): stop writing, quietly.

Python ignores SIGPIPE, so a write to a pipe nobody reads raises BrokenPipeError; the
standard tools end silently there, and so does streamchat (exit code 141).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Callable
from typing import TextIO


def silence_stdout() -> None:
    """Point stdout at the null device, so that Python's last flush at exit does not fail
    again and print its own complaint."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


class ReaderGoneGuard(io.TextIOBase):
    """Writes to ``out`` until its reader has gone; then ``on_gone()`` once, and silence."""

    def __init__(self, out: TextIO, on_gone: Callable[[], None]) -> None:
        super().__init__()
        self._out = out
        self._on_gone = on_gone
        self.gone = False

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                self._out.write(text)
            except BrokenPipeError:
                self._went()
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self._out.flush()
            except BrokenPipeError:
                self._went()

    def isatty(self) -> bool:
        return self._out.isatty()

    def _went(self) -> None:
        self.gone = True
        silence_stdout()
        self._on_gone()
