"""One running StreamChat per profile: a second launch brings the first window forward.

The claim is a lock file in the profile (QLockFile: taken atomically, and reclaimed
when its owner died). The owner also listens on a local socket (a Unix socket / Windows
named pipe) named after a hash of the user and the profile path; a later launch on
the same profile fails to take the lock, connects, asks the first to come forward and
exits without opening the database. Claiming needs no QtNetwork, so it costs the
first frame nothing; the socket is opened once the window is up (``listen``).
"""

from __future__ import annotations

import functools
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLockFile, QObject, Signal

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer

log = logging.getLogger(__name__)

ACTIVATE = b"activate\n"
CONNECT_TIMEOUT_MS = 500
WRITE_TIMEOUT_MS = 1000
LOCK_FILE_NAME = "streamchat.lock"
# How long a second launch keeps asking an owner that has not opened its socket yet
# (it is still starting).
ASK_FOR_S = 3.0
ASK_INTERVAL_S = 0.1


def server_name(profile_root: Path) -> str:
    """A short socket name unique to this user and profile directory."""
    import getpass
    import hashlib  # loads OpenSSL: not before the first frame

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "user"
    key = f"{user}\0{Path(profile_root).expanduser().resolve()}".encode()
    return "streamchat-" + hashlib.sha256(key).hexdigest()[:24]


def profile_in_use(profile_root: Path) -> bool:
    """Whether a running StreamChat holds this profile, asked without taking the lock
    (a command line tool must not make a starting app think another one runs).

    Read with QLockFile's own ``getLockInfo``: a lock whose owner is gone (a crash) does
    not count. When in doubt (another machine's lock, a platform where the process
    cannot be checked) the answer is yes: a reply then stays "still streaming".
    """
    import os
    import sys

    from PySide6.QtCore import QSysInfo

    pid, host, _app = QLockFile(str(Path(profile_root) / LOCK_FILE_NAME)).getLockInfo()
    if not pid:
        return False
    if host != QSysInfo.machineHostName() or sys.platform == "win32":
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


class SingleInstance(QObject):
    """Claim a profile for this process.

    ``acquire()`` returns True when this is the only instance (keep the object alive
    for the life of the app; it then listens for later launches); False when another
    instance runs — it has been asked to come forward, and this one should exit.
    ``claim()`` + ``listen()`` split the two steps, for a launch that shows its window
    in between.

    Signals:
        activation_requested(): another launch on this profile wants the window shown.
    """

    activation_requested = Signal()

    def __init__(self, profile_root: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._root = Path(profile_root)
        self._lock = QLockFile(str(Path(profile_root) / LOCK_FILE_NAME))
        self._lock.setStaleLockTime(0)  # stale only when its owner is gone, never by age
        self._claimed = False
        self._server: QLocalServer | None = None
        self.owner_answered = False  # after a failed claim: the owner came forward
        self.lock_problem: str | None = None  # why the profile runs without its lock

    @functools.cached_property
    def name(self) -> str:
        """The local socket's name (worked out once, on first use: not before the first
        frame, and not again on each of a second launch's attempts to ask)."""
        return server_name(self._root)

    @property
    def is_primary(self) -> bool:
        return self._claimed

    def acquire(self) -> bool:
        if not self.claim():
            return False
        self.listen()
        return True

    def claim(self) -> bool:
        """Take the profile; if another instance has it, ask it to come forward."""
        if self._claimed:
            return True
        if self._lock.tryLock(0):
            self._claimed = True
            return True
        if self._lock.error() != QLockFile.LockError.LockFailedError:
            # No permission (a read-only profile folder), unreadable directory…: run
            # anyway, SQLite's locking still protects the data. Logging is not set up
            # yet: the runtime logs ``lock_problem`` once it is.
            self.lock_problem = self._describe(self._lock.error())
            self._claimed = True
            return True
        deadline = time.monotonic() + ASK_FOR_S
        while not (asked := self._ask_running_instance()) and time.monotonic() < deadline:
            time.sleep(ASK_INTERVAL_S)  # the owner is still starting: its socket comes soon
        self.owner_answered = asked
        return False

    def _describe(self, error: QLockFile.LockError) -> str:
        """The lock's failure in words (Qt's enum names mean nothing to a person)."""
        if error == QLockFile.LockError.PermissionError:
            why = "the profile folder is read-only or not writable"
        else:
            why = "the profile folder could not be locked"
        return f"{why} ({self._root}): running without the one-instance lock"

    def listen(self) -> None:
        """Accept activation requests from later launches (call after ``claim``)."""
        from PySide6.QtNetwork import QLocalServer

        if self._server is not None or not self._claimed:
            return
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        # We own the profile: a socket file already there was left by a killed instance.
        QLocalServer.removeServer(self.name)
        if not server.listen(self.name):
            log.warning("cannot listen on %s: %s", self.name, server.errorString())
            return  # a later launch is still refused by the lock; it just cannot ask
        server.newConnection.connect(self._on_new_connection)
        self._server = server

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._claimed:
            self._lock.unlock()
            self._claimed = False

    def _ask_running_instance(self) -> bool:
        from PySide6.QtNetwork import QLocalSocket

        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
            return False
        socket.write(ACTIVATE)
        socket.flush()
        socket.waitForBytesWritten(WRITE_TIMEOUT_MS)
        socket.disconnectFromServer()
        if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
            socket.waitForDisconnected(WRITE_TIMEOUT_MS)
        return True

    def _on_new_connection(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            # The client writes one line right after connecting: read it here, waiting a
            # moment at most, instead of keeping per-client state and signal connections.
            arrived = socket.bytesAvailable() or socket.waitForReadyRead(CONNECT_TIMEOUT_MS)
            if arrived and ACTIVATE.strip() in bytes(socket.readAll().data()):
                self.activation_requested.emit()
            socket.abort()
            socket.deleteLater()
