"""Conversations in SQLite: schema, migrations and the repository (the only SQL)."""

from streamchat_desktop.storage.database import Recovery
from streamchat_desktop.storage.errors import (
    DatabaseCorruptError,
    DatabaseTooNewError,
    StorageBusyError,
    StorageError,
    StorageFullError,
    StorageReadOnlyError,
    StorageUnavailableError,
)
from streamchat_desktop.storage.repository import ImportConflictError, SqliteStore
from streamchat_desktop.storage.search import SearchHit

__all__ = [
    "DatabaseCorruptError",
    "DatabaseTooNewError",
    "ImportConflictError",
    "Recovery",
    "SearchHit",
    "SqliteStore",
    "StorageBusyError",
    "StorageError",
    "StorageFullError",
    "StorageReadOnlyError",
    "StorageUnavailableError",
]
