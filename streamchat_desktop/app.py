"""The composition root: builds the services, connects them, fixed start and stop order.

Start: profile → logging → Qt application → qasync loop → store → settings and keys →
chat service → controller → window (shown) → after the first paint: the openai SDK
import, the companion server and the ``--prompt``. Stop: replies cancelled and saved →
companion stopped → HTTP clients closed → loop's executor shut down.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from types import TracebackType

from streamchat_desktop import __version__
from streamchat_desktop.core.store import ConversationStore
from streamchat_desktop.paths import Profile

log = logging.getLogger(__name__)


def _process_age() -> float:
    """Seconds since this process started (for the start-up benchmark)."""
    try:
        with open(f"/proc/{os.getpid()}/stat", encoding="ascii") as stat:
            start_ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as uptime:
            up = float(uptime.read().split()[0])
        return up - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.process_time()


def run_app(args: argparse.Namespace) -> int:
    import qasync
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from streamchat_desktop.logging_setup import setup_logging

    profile = Profile.at(args.profile).ensure()
    setup_logging(profile.log_file)
    log.info("StreamChat %s starting with profile %s", __version__, profile.root)

    _route_qt_messages_to_log()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("StreamChat")
    app.setApplicationDisplayName("StreamChat")
    app.setDesktopFileName("io.github.streamchat.StreamChat")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    # qasync installs no async-generator finalizer: an HTTP stream generator left
    # suspended by a mid-stream error would be closed by the GC outside any task.
    sys.set_asyncgen_hooks(
        finalizer=lambda agen: loop.call_soon_threadsafe(loop.create_task, agen.aclose())
    )

    runtime = _Runtime(args, profile)
    _install_bug_handlers(loop, str(profile.log_file))
    exit_code = runtime.build()
    if exit_code is not None:
        return exit_code
    QTimer.singleShot(0, runtime.window.show)
    quit_event = asyncio.Event()
    app.aboutToQuit.connect(quit_event.set)
    runtime.window.destroyed.connect(quit_event.set)
    with loop:
        loop.run_until_complete(_run_until(quit_event, runtime))
        loop.run_until_complete(runtime.shutdown())
        loop.run_until_complete(loop.shutdown_default_executor())
    return runtime.exit_code


async def _run_until(quit_event: asyncio.Event, runtime: _Runtime) -> None:
    await quit_event.wait()


class _Runtime:
    """The services of one running app, built and torn down in a fixed order."""

    def __init__(self, args: argparse.Namespace, profile: Profile) -> None:
        self.args = args
        self.profile = profile
        self.exit_code = 0
        self.companion: object | None = None

    def build(self) -> int | None:
        from streamchat_desktop.connections import Connections, LaunchChoice
        from streamchat_desktop.controllers.chat_controller import ChatController
        from streamchat_desktop.core.chat_service import ChatService
        from streamchat_desktop.keystore import KeyStore
        from streamchat_desktop.settings import Settings
        from streamchat_desktop.ui.main_window import MainWindow

        args = self.args
        self.store = _open_store(self.profile)
        self.settings = Settings.load(self.profile)
        self.keys = KeyStore()
        self.connections = Connections(
            self.settings,
            self.keys,
            LaunchChoice(args.provider, args.base_url, args.model),
        )
        try:
            endpoint = self.connections.resolve()
            label = f"{endpoint.model} · {endpoint.display_name}"
        except Exception as exc:  # a named provider that does not exist, a bad URL, no key
            if args.exit_after_reply:
                print(f"streamchat: {exc}", file=sys.stderr)
                return 2
            label = "Not connected"
            log.warning("no usable endpoint at launch: %s", exc)
        self.service = ChatService(self.store, self.connections.target)
        self.controller = ChatController(self.service)
        self.window = MainWindow(self.controller, label)
        self.window.first_painted.connect(self._on_first_painted)
        if args.exit_after_reply:
            self._watch_first_reply()
        self.controller.new_conversation(provider_id=args.provider, model=args.model or None)
        return None

    def _watch_first_reply(self) -> None:
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        from streamchat_desktop.reply_printer import ReplyPrinter

        def done(code: int) -> None:
            self.exit_code = code
            QTimer.singleShot(0, QApplication.quit)

        self.service.add_observer(ReplyPrinter(sys.stdout, sys.stderr, done))

    def _on_first_painted(self) -> None:
        if os.environ.get("STREAMCHAT_REPORT_READY") == "1":
            print(f"STREAMCHAT_READY {_process_age():.4f}", file=sys.stderr, flush=True)
        log.info("window shown after %.3f s", _process_age())
        if self.args.prompt:
            self.controller.send(self.args.prompt)
        else:
            asyncio.get_event_loop().run_in_executor(None, _preload_sdk)

    async def shutdown(self) -> None:
        self.controller.detach()
        await self.service.stop_all()
        await self.connections.aclose()
        close = getattr(self.store, "close", None)
        if callable(close):
            close()
        log.info("StreamChat stopped")


def _preload_sdk() -> None:
    """Import the openai SDK off the UI thread, so the first Send does not wait for it."""
    import streamchat_desktop.providers.openai_compat  # noqa: F401


def _open_store(profile: Profile) -> ConversationStore:
    from streamchat_desktop.core.store import MemoryStore

    return MemoryStore()


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
