"""Opening a history that must not (or cannot) be written: a read-only profile folder.

A read-only mount, a backup, another user's files: exports and search only read, so they
work there too. SQLite reads a WAL-mode file read-only when its ``-shm`` file exists (or
can be created); in a read-only folder without one it opens the file as immutable, which
is only right when no WAL holds changes the main file lacks, so that case is refused in
words rather than read stale.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from streamchat_desktop.storage.database import (
    BUSY_TIMEOUT_MS,
    Database,
    check_integrity,
    prepared,
)
from streamchat_desktop.storage.errors import (
    SQLITE_CANTOPEN,
    DatabaseTooNewError,
    StorageReadOnlyError,
    StorageUnavailableError,
    error_code,
    translate,
)
from streamchat_desktop.storage.migrations import MIGRATIONS


def open_read_only(path: Path) -> Database:
    """The database at ``path``, for reading only; nothing in its folder is written."""
    if not path.is_file():
        raise StorageUnavailableError(f"There is no conversation history at {path}.")

    def prepare(conn: sqlite3.Connection) -> None:
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS)}")
        conn.execute("PRAGMA query_only = 1")
        check_integrity(conn, path)
        _check_schema(conn, path)

    return prepared(_connect(path), path, prepare)


def _connect(path: Path) -> sqlite3.Connection:
    uri = path.resolve().as_uri()
    try:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.Error as exc:
        if error_code(exc) != SQLITE_CANTOPEN:
            raise translate(exc, path) from exc
    wal = Path(f"{path}-wal")
    if wal.is_file() and wal.stat().st_size > 0:
        raise StorageReadOnlyError(
            f"The profile folder {path.parent} is read-only, and the latest changes to its "
            f"history are in {wal.name}, which can only be read with {path.name}-shm beside "
            "it. Open the profile once where it can be written, or copy the folder."
        )
    try:  # no WAL to miss: the main file is the whole history
        return sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        raise translate(exc, path) from exc


def _check_schema(conn: sqlite3.Connection, path: Path) -> None:
    """The file must be at this version's schema: upgrading it would need a write."""
    known = [fn.__name__ for fn in MIGRATIONS]
    try:
        rows = conn.execute("SELECT name FROM _migrations").fetchall()
    except sqlite3.OperationalError:
        rows = []  # no table yet: a file no StreamChat has set up
    applied = {str(row[0]) for row in rows}
    unknown = sorted(applied - set(known))
    if unknown:
        raise DatabaseTooNewError(path, unknown)
    if applied != set(known):
        raise StorageReadOnlyError(
            f"The history in {path} was written by an older StreamChat and must be upgraded "
            f"once, which needs the profile folder {path.parent} to be writable."
        )
