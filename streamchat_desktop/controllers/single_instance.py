"""One running StreamChat per profile: a second launch brings the first window forward.

The first instance listens on a local socket (a Unix socket / Windows named pipe)
named after a hash of the user and the profile path; a later instance on the same
profile connects, asks the first to come forward, and exits without opening the
database. A socket file left behind by a killed instance is detected (nobody
answers) and replaced.
"""

from __future__ import annotations

import getpass
import hashlib
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

ACTIVATE = b"activate\n"
CONNECT_TIMEOUT_MS = 500
WRITE_TIMEOUT_MS = 1000


def server_name(profile_root: Path) -> str:
    """A short socket name unique to this user and profile directory."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "user"
    key = f"{user}\0{Path(profile_root).expanduser().resolve()}".encode()
    return "streamchat-" + hashlib.sha256(key).hexdigest()[:24]


class SingleInstance(QObject):
    """Claim a profile for this process.

    ``acquire()`` returns True when this is the only instance (keep the object alive
    for the life of the app); False when another instance runs — it has been asked
    to come forward, and this one should exit.

    Signals:
        activation_requested(): another launch on this profile wants the window shown.
    """

    activation_requested = Signal()

    def __init__(self, profile_root: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = server_name(profile_root)
        self._server: QLocalServer | None = None

    @property
    def is_primary(self) -> bool:
        return self._server is not None

    def acquire(self) -> bool:
        if self._server is not None:
            return True
        if self._ask_running_instance():
            return False
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            # Either a stale socket from a killed instance, or another instance won a
            # race with us. Ask again; only if nobody answers is the socket stale.
            if self._ask_running_instance():
                return False
            log.info("removing stale single-instance socket %s", self.name)
            QLocalServer.removeServer(self.name)
            if not server.listen(self.name):
                log.warning("cannot listen on %s: %s", self.name, server.errorString())
                return True  # run anyway: SQLite's locking still protects the data
        server.newConnection.connect(self._on_new_connection)
        self._server = server
        return True

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    def _ask_running_instance(self) -> bool:
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
