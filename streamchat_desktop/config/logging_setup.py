"""Logging to a rotating file in the profile, with secrets scrubbed from every record.

Keys are registered with ``register_secret`` as soon as they are read from the
keychain or the environment; the filter replaces them (and anything shaped like
an OpenAI key) before a record reaches any handler.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path

_KEY_SHAPE = re.compile(r"\b(sk-[A-Za-z0-9_\-]{8,}|gsk_[A-Za-z0-9]{8,}|Bearer\s+\S+)")
_secrets: set[str] = set()
_lock = threading.Lock()
MASK = "***"


def register_secret(secret: str | None) -> None:
    """Never let this value reach a log line (keys shorter than 4 chars are ignored)."""
    if secret and len(secret) >= 4:
        with _lock:
            _secrets.add(secret)


def scrub(text: str) -> str:
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return _KEY_SHAPE.sub(MASK, text)


class SecretScrubber(logging.Filter):
    """Formats the record once, scrubbed, so arguments and tracebacks are covered too."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = scrub(message)
        record.args = None
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        record.exc_info = None  # exc_text now carries the (scrubbed) traceback
        return True


class LogFileHandler(RotatingFileHandler):
    """The rotating log file; a record it cannot write (a full disk) costs one line on
    stderr, once, instead of Python's traceback per record."""

    _failed = False

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        if self._failed:
            return
        self._failed = True
        error = sys.exc_info()[1]
        reason = getattr(error, "strerror", None) or error
        with contextlib.suppress(OSError, ValueError):  # no stderr either
            sys.stderr.write(
                f"streamchat: the log file {self.baseFilename} cannot be written ({reason}); "
                "some log messages are lost\n"
            )


def setup_logging(
    log_file: Path, *, level: int = logging.INFO, to_stderr: bool = False
) -> str | None:
    """Send the app's logs to ``log_file`` (rotating, 1 MB × 5) and optionally stderr.

    Returns why, when the log file cannot be opened (a folder in its place, no permission):
    the app then runs without it, and should say so, rather than not start at all.
    """
    root = logging.getLogger()
    root.setLevel(level)
    for handler in list(root.handlers):
        if getattr(handler, "_streamchat", False):
            root.removeHandler(handler)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handlers: list[logging.Handler] = []
    problem = None
    try:
        handlers.append(
            LogFileHandler(log_file, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
        )
    except OSError as exc:
        problem = f"the log file {log_file} cannot be written ({exc.strerror or exc}); "
        problem += "this session is not logged"
        # Without any handler, Python would print every warning on stderr instead.
        handlers.append(logging.NullHandler())
    if to_stderr:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(SecretScrubber())
        handler._streamchat = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    for noisy in ("httpx", "httpx2", "httpcore", "openai", "engineio", "socketio", "aiohttp"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return problem
