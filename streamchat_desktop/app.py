"""The composition root: builds the services, connects them, fixed start and stop order.

Start: profile → logging → Qt application → qasync loop → store → settings and keys →
chat service → controller → window (shown) → after the first paint: the last
conversation (or a new one), the openai SDK import, the companion server and the
``--prompt``. Stop: replies cancelled and saved →
companion stopped → HTTP clients closed → loop's executor shut down.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from types import TracebackType
from typing import TYPE_CHECKING, Any

from streamchat_desktop import __version__
from streamchat_desktop.paths import Profile

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)


def run_app(args: argparse.Namespace) -> int:
    import qasync
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from streamchat_desktop.logging_setup import setup_logging
    from streamchat_desktop.runtime import Runtime

    profile = Profile.at(args.profile).ensure()
    setup_logging(profile.log_file)
    log.info("StreamChat %s starting with profile %s", __version__, profile.root)

    _route_qt_messages_to_log()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("StreamChat")
    app.setApplicationDisplayName("StreamChat")
    app.setDesktopFileName("io.github.streamchat.StreamChat")
    app.setWindowIcon(_app_icon())
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    # qasync installs no async-generator finalizer: an HTTP stream generator left
    # suspended by a mid-stream error would be closed by the GC outside any task.
    def finalize(agen: Any) -> None:
        if not loop.is_closed():  # at exit the loop is gone; nothing is left to close
            loop.call_soon_threadsafe(loop.create_task, agen.aclose())

    sys.set_asyncgen_hooks(finalizer=finalize)

    runtime = Runtime(args, profile)
    _install_bug_handlers(loop, str(profile.log_file))
    exit_code = runtime.build()
    if exit_code is not None:
        return exit_code
    _quit_on_termination_signals(app)
    QTimer.singleShot(0, runtime.window.show)
    quit_event = asyncio.Event()
    app.aboutToQuit.connect(quit_event.set)
    runtime.window.destroyed.connect(quit_event.set)
    with loop:
        loop.run_until_complete(_run_until(quit_event))
        loop.run_until_complete(runtime.shutdown())
        loop.run_until_complete(loop.shutdown_default_executor())
    return runtime.exit_code


async def _run_until(quit_event: asyncio.Event) -> None:
    await quit_event.wait()


def _quit_on_termination_signals(app: QApplication) -> None:
    """SIGTERM / Ctrl+C end the app the normal way: replies stopped and saved first.

    Python runs signal handlers only between bytecodes, and Qt's loop sits in C: a
    slow no-op timer gives the interpreter a chance to run them.
    """
    import signal

    from PySide6.QtCore import QTimer

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: app.quit())
    ticker = QTimer(app)
    ticker.timeout.connect(lambda: None)
    ticker.start(200)


def _app_icon() -> QIcon:
    from PySide6.QtGui import QIcon

    from streamchat_desktop.resources import icon_paths

    icon = QIcon()
    for path in icon_paths():
        icon.addFile(str(path))
    return icon


def _route_qt_messages_to_log() -> None:
    """Qt's own warnings go to the log file, not the user's terminal (or a script's stderr)."""
    from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("qt")
    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }

    def handler(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
        qt_log.log(levels.get(kind, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)


def _install_bug_handlers(loop: asyncio.AbstractEventLoop, log_file: str) -> None:
    from streamchat_desktop.ui.bug_report import report_bug

    def excepthook(
        exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        report_bug(exc_type, exc, tb, log_file=log_file)

    def loop_handler(_loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
        exc = context.get("exception")
        if isinstance(exc, BaseException):
            report_bug(type(exc), exc, exc.__traceback__, log_file=log_file)
        else:
            log.error("event loop: %s", context.get("message"))

    sys.excepthook = excepthook
    loop.set_exception_handler(loop_handler)
