"""Opening the SQLite file: pragmas, migrations, and what to do when it is damaged.

WAL mode lets a second reader (``streamchat export`` while the app runs) work
beside the writer; ``synchronous=NORMAL`` in WAL mode survives a killed process
(only a power cut may lose the last commits) and keeps the 250 ms streaming
checkpoints cheap; the busy timeout turns a brief lock held by another process
into a short wait instead of an error.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from streamchat_desktop.storage.errors import (
    DatabaseCorruptError,
    DatabaseTooNewError,
    StorageError,
    translate,
)
from streamchat_desktop.storage.migrations import UnknownMigrationsError, migrate

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 3000
SIDE_FILES = ("-wal", "-shm", "-journal")


@dataclass(frozen=True, slots=True)
class Recovery:
    """A damaged database was moved aside and a fresh one created in its place."""

    backup: Path
    reason: str

    @property
    def message(self) -> str:
        return (
            f"The conversation history could not be read ({self.reason}). The damaged file "
            f"was kept as {self.backup} and a new, empty history was started."
        )


class Database:
    """One connection in autocommit mode, with explicit, nestable write transactions."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._depth = 0

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A ``BEGIN IMMEDIATE`` transaction; nested uses join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise translate(exc, self.path) from exc
        self._depth = 1
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise translate(exc, self.path) from exc
        except BaseException:
            self._rollback()
            raise
        finally:
            self._depth = 0

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """Run queries with SQLite errors turned into StorageErrors."""
        try:
            yield self.conn
        except sqlite3.Error as exc:
            raise translate(exc, self.path) from exc

    def close(self) -> None:
        with suppress(sqlite3.Error):
            self.conn.execute("PRAGMA optimize")
        self.conn.close()

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                log.exception("rollback failed")


def open_database(path: Path, *, recover: bool = True) -> tuple[Database, Recovery | None]:
    """Open (creating or migrating) the database at ``path``.

    Only SQLite decides that a file is damaged: it reads the file together with its
    WAL (in WAL mode the main file may legitimately be shorter than its header says,
    the WAL holding the rest). With ``recover``, a file SQLite cannot read is renamed
    to ``<name>.corrupt-<timestamp>`` (its ``-wal`` and ``-shm`` files go with it) and
    a fresh database is created; the returned ``Recovery`` says where the old one went.
    Without it, the damage is raised as ``DatabaseCorruptError`` and nothing is touched.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        _check_readable(path)
        return _open_checked(path), None
    except DatabaseCorruptError as exc:
        if not recover:
            raise
        reason = exc.detail
    backup = move_aside(path)
    log.error("database %s is damaged (%s); moved to %s", path, reason, backup)
    return _open_checked(path), Recovery(backup, reason)


def _check_readable(path: Path) -> None:
    """Let SQLite read every page, WAL included, on a connection that writes nothing.

    A read-only connection never checkpoints the WAL into the main file nor deletes
    it, so a file judged damaged is moved aside exactly as it was found.
    """
    if not path.is_file() or path.stat().st_size == 0:
        return  # a new database, or not a file at all (opening it says so)
    try:
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000
        )
    except sqlite3.Error as exc:
        raise translate(exc, path) from exc
    try:
        check_integrity(conn, path)
    except DatabaseCorruptError as exc:
        raise _damaged(path, exc.detail) from exc
    except sqlite3.Error as exc:
        error = translate(exc, path)
        if isinstance(error, DatabaseCorruptError):
            raise _damaged(path, error.detail) from exc
        raise error from exc
    finally:
        conn.close()


def _open_checked(path: Path) -> Database:
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except sqlite3.Error as exc:
        raise translate(exc, path) from exc

    def prepare(conn: sqlite3.Connection) -> None:
        _configure(conn)
        try:
            migrate(conn)
        except UnknownMigrationsError as exc:
            raise DatabaseTooNewError(path, exc.names) from exc

    return prepared(conn, path, prepare)


def prepared(
    conn: sqlite3.Connection, path: Path, prepare: Callable[[sqlite3.Connection], None]
) -> Database:
    """``conn`` as a Database once ``prepare`` ran on it; closed if that failed."""
    try:
        prepare(conn)
    except sqlite3.Error as exc:
        conn.close()
        raise translate(exc, path) from exc
    except StorageError:
        conn.close()
        raise
    return Database(conn, path)


def _configure(conn: sqlite3.Connection) -> None:
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS)}")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        log.warning("SQLite refused WAL mode (journal_mode=%s); continuing", mode)
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")


def _damaged(path: Path, detail: str) -> DatabaseCorruptError:
    """SQLite's verdict, with the likely cause when the main file was cut short."""
    truncation = _truncation(path)
    return DatabaseCorruptError(path, f"{truncation}; {detail}" if truncation else detail)


def _truncation(path: Path) -> str | None:
    """ "the file is truncated: …" when the main file is shorter than its header says.

    Only a description: in WAL mode that is normal while the WAL holds the rest, so it
    never decides anything by itself.
    """
    try:
        with path.open("rb") as file:
            header = file.read(100)
        actual = path.stat().st_size
    except OSError:
        return None
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return None
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    valid = pages and header[24:28] == header[92:96]
    if valid and pages * page_size > actual:
        return f"the file is truncated: {actual} of {pages * page_size} bytes"
    return None


def check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a file whose pages are damaged (bad sectors, a partial overwrite).

    ``quick_check`` reads every page once; bench/history.py measures its cost on a
    100,000-message profile.
    """
    rows = conn.execute("PRAGMA quick_check").fetchall()
    problems = [str(row[0]) for row in rows if str(row[0]) != "ok"]
    if problems:
        raise DatabaseCorruptError(path, "; ".join(problems[:3]))


def move_aside(path: Path) -> Path:
    """Rename a damaged database (and its side files) to a timestamped backup name."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while backup.exists():
        counter += 1
        backup = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
    try:
        path.replace(backup)
        for suffix in SIDE_FILES:
            side = Path(f"{path}{suffix}")
            if side.exists():
                side.replace(Path(f"{backup}{suffix}"))
    except OSError as exc:
        raise StorageError(
            f"The conversation database {path} is damaged and could not be moved aside "
            f"({exc}); move or delete it by hand."
        ) from exc
    return backup
