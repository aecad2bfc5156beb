"""How the running app ends: a quit request, then the shutdown on the still running loop.

Every way to quit (closing the window, File → Quit, SIGTERM, Ctrl+C, a script's reply
done) only *requests* it. The Qt loop keeps running until the services are stopped and
every task the app started has ended: qasync runs whatever is still queued once more
after its loop stops, outside any running asyncio loop, where a task's next step fails
("no running event loop", "… is bound to a different event loop") or is destroyed while
pending. So nothing may be left queued by then. The shutdown is bounded: a quit always
ends, keeping what could be saved.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QWidget

log = logging.getLogger(__name__)

# Upper bounds, never waited for in a healthy quit: stopping the services, then the
# tasks they left behind.
SHUTDOWN_LIMIT_S = 20.0
LEFTOVER_LIMIT_S = 5.0
# Python runs signal handlers only between bytecodes, and Qt's loop sits in C: a slow
# no-op timer gives the interpreter a chance to run them.
SIGNAL_TICK_MS = 200


class Lifetime:
    """The one quit request of a running app, and the shutdown that follows it."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._requested: asyncio.Future[None] = loop.create_future()
        self._wakeup: tuple[object, ...] = ()
        # Called as soon as a quit is asked, before the shutdown coroutine gets its turn
        # (the loop may still be busy with a reply's buffered events and its rendering).
        self.on_quit_requested: Callable[[], None] = lambda: None

    def request_quit(self, *_args: object) -> None:
        """Ask the app to quit (safe from a signal handler and from Qt's signals)."""
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._mark_requested)

    def _mark_requested(self) -> None:
        if not self._requested.done():
            self._requested.set_result(None)
            try:
                self.on_quit_requested()
            except Exception:
                log.exception("stopping the replies at the quit request failed")

    def watch(self, app: QApplication, window: QWidget) -> None:
        """Quit when the window closes or goes, when Qt is told to quit, on SIGTERM/SIGINT."""
        from PySide6.QtCore import QTimer

        app.setQuitOnLastWindowClosed(False)  # the loop ends after the shutdown, not before
        app.lastWindowClosed.connect(self.request_quit)
        app.aboutToQuit.connect(self.request_quit)
        window.destroyed.connect(self.request_quit)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self.request_quit)
        self._wake_on_signals(app)
        ticker = QTimer(app)
        ticker.timeout.connect(lambda: None)
        ticker.start(SIGNAL_TICK_MS)

    def _wake_on_signals(self, app: QApplication) -> None:
        """A signal wakes Qt's loop at once (the ticker alone took up to 200 ms): the C
        handler writes to a socket that Qt watches, and reading it runs Python."""
        from PySide6.QtCore import QSocketNotifier

        reader, writer = socket.socketpair()
        for end in (reader, writer):
            end.setblocking(False)
        try:
            signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
        except ValueError:  # not the main thread (in-process tests): the ticker remains
            reader.close()
            writer.close()
            return
        notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, app)

        def drain() -> None:
            with contextlib.suppress(OSError):
                reader.recv(512)

        notifier.activated.connect(drain)
        self._wakeup = (reader, writer, notifier)  # kept as long as the app runs

    async def run(self, shutdown: Callable[[], Awaitable[None]]) -> None:
        """Wait for the quit request, stop the services, end every task left."""
        await self._requested
        try:
            await asyncio.wait_for(shutdown(), SHUTDOWN_LIMIT_S)
        except TimeoutError:
            log.error("stopping took longer than %.0f s; quitting anyway", SHUTDOWN_LIMIT_S)
        except Exception:
            log.exception("stopping failed; quitting anyway")
        await end_leftover_tasks()


def run_until_quit(loop: asyncio.AbstractEventLoop, lifetime: Awaitable[None]) -> None:
    """Run the loop until ``lifetime`` is over.

    Something outside the app may still end Qt's loop early (``QApplication.quit()``, a
    session manager at logout): the request is then recorded (``aboutToQuit``) and the
    loop runs again until the shutdown is over.
    """
    task = asyncio.ensure_future(lifetime, loop=loop)
    while not task.done():
        try:
            loop.run_until_complete(task)
        except RuntimeError as exc:
            if task.done() or "stopped before" not in str(exc):
                raise
            log.info("the Qt loop ended before the shutdown did; running it to the end")
    task.result()


async def end_leftover_tasks() -> None:
    """Cancel every task still running (a companion connection, a preload…) and wait."""
    current = asyncio.current_task()
    leftovers = [task for task in asyncio.all_tasks() if task is not current]
    for task in leftovers:
        task.cancel()
    if leftovers:
        _done, pending = await asyncio.wait(leftovers, timeout=LEFTOVER_LIMIT_S)
        for task in pending:
            log.error("a task did not end at quit: %r", task)
