"""What can go wrong with the conversation database, as errors the app can show.

Every ``sqlite3`` failure leaving this package is one of these: the UI shows
``message`` and never has to know SQLite's error codes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from streamchat_desktop.core.store import StoreError

# SQLite primary result codes (https://sqlite.org/rescode.html).
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26


class StorageError(StoreError):
    """A database fault with a sentence for the user; the app keeps running."""


class DatabaseCorruptError(StorageError):
    """The file is damaged or is not a StreamChat database."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            f"The conversation database {path} is damaged or is not a StreamChat "
            f"database ({detail})."
        )
        self.path = path
        self.detail = detail


class DatabaseTooNewError(StorageError):
    """The file was written by a newer StreamChat with migrations this one lacks."""

    def __init__(self, path: Path, unknown: list[str]) -> None:
        super().__init__(
            f"The conversation database {path} was written by a newer StreamChat "
            f"(unknown migrations: {', '.join(unknown)}); update StreamChat to open it."
        )
        self.path = path
        self.unknown = unknown


class StorageFullError(StorageError):
    """The disk (or the database's size limit) is full: nothing more can be saved."""


class StorageReadOnlyError(StorageError):
    """The database file or its directory cannot be written."""


class StorageBusyError(StorageError):
    """Another process held the database locked for longer than the busy timeout."""


class StorageUnavailableError(StorageError):
    """The file cannot be opened or read (permissions, I/O error, missing directory)."""


def error_code(error: sqlite3.Error) -> int:
    """SQLite's primary result code of an error (0 when sqlite3 did not give one)."""
    return int(getattr(error, "sqlite_errorcode", 0)) & 0xFF


def is_corruption(error: sqlite3.Error) -> bool:
    if error_code(error) in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return True
    text = str(error).lower()
    return "malformed" in text or "not a database" in text


def translate(error: sqlite3.Error, path: Path) -> StorageError:
    """The StorageError a user can act on for an ``sqlite3`` failure."""
    code = error_code(error)
    if is_corruption(error):
        return DatabaseCorruptError(path, str(error))
    if code == SQLITE_FULL:
        return StorageFullError(
            f"The disk is full: StreamChat could not save to {path}. "
            "Free some space; the text stays on screen and is saved as soon as possible."
        )
    if code == SQLITE_READONLY:
        return StorageReadOnlyError(
            f"The conversation database {path} is read-only: changes cannot be saved."
        )
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return StorageBusyError(
            f"The conversation database {path} is locked by another process; try again."
        )
    if code in (SQLITE_CANTOPEN, SQLITE_IOERR):
        return StorageUnavailableError(f"The conversation database {path} cannot be read: {error}.")
    return StorageError(f"The conversation database {path} reported an error: {error}.")
