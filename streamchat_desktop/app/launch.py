"""The composition root: builds the services, connects them, fixed start and stop order.

Start, in two phases. Before the first frame, only what the window needs: profile →
profile lock (a second launch brings the first window forward and exits) → Qt
application → settings (the theme) → the window, shown, and a short local event loop
until it has painted. Everything else starts while the user is already looking at it:
logging → qasync loop → store → keys and connections → chat service → controller,
bound to the window → the last conversation (or a new one), the openai SDK import, the
companion server and the ``--prompt``. Stop: replies cancelled and saved → companion
stopped → HTTP clients closed → loop's executor shut down → profile lock released → the
process ends (``end_process``: no interpreter teardown to wait for). A start that cannot go on (an
unusable profile folder or database, a bug) says why on stderr and, for a person, in a
dialog, then exits 1.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, NoReturn

from streamchat_desktop import __version__
from streamchat_desktop.app.first_frame import FirstFrame
from streamchat_desktop.app.pyside_internals import quiet_pyside_import_hook
from streamchat_desktop.cli import exit_codes
from streamchat_desktop.config.paths import Profile

if TYPE_CHECKING:
    import asyncio

    from PySide6.QtCore import QMessageLogContext, QtMsgType
    from PySide6.QtGui import QIcon

    from streamchat_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)

# At most this long is the rest of the start-up held back for the first frame (a window
# opened minimized or on a hidden workspace may not paint at all).
FIRST_PAINT_WAIT_MS = 1000
# Qt's notice that the windowing platform (offscreen, some compositors) lacks an optional
# feature, such as size hints: nothing anyone can act on, so not a warning in the log.
UNSUPPORTED_BY_PLATFORM = "This plugin does not support"


def run_app(args: argparse.Namespace) -> int:
    """Run the app until its window closes; the process exit code."""
    try:
        profile = Profile.at(args.profile).ensure()
    except OSError as exc:  # not a directory, no permission, a full disk
        where = exc.filename or args.profile
        return _cannot_start(
            args,
            f"the profile folder {where} cannot be used ({exc.strerror or exc}). "
            "Fix or free it, or choose another folder with --profile.",
        )
    _install_excepthook(str(profile.log_file))
    try:
        return _run(args, profile)
    except Exception as exc:  # a bug outside any Qt callback: the excepthook never sees it
        unlogged = _setup_logging(profile)
        log.exception("StreamChat stopped")
        return _cannot_start(
            args,
            f"StreamChat stopped because of an unexpected error: {exc}. "
            + (f"It could not be logged: {unlogged}." if unlogged else "")
            + ("" if unlogged else f"The details are in the log: {profile.log_file}"),
            details="".join(traceback.format_exception(exc)),
            title="StreamChat stopped",
        )


def _run(args: argparse.Namespace, profile: Profile) -> int:
    from PySide6.QtWidgets import QApplication

    quiet_pyside_import_hook()  # before the app's own modules are imported
    from streamchat_desktop.app.single_instance import SingleInstance
    from streamchat_desktop.config.settings import Settings
    from streamchat_desktop.ui.app_theme import ThemeSwitcher
    from streamchat_desktop.ui.main_window import MainWindow

    qt_messages = QtMessages()
    qt_messages.install()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    from streamchat_desktop.app.main_thread_gc import collect_on_gui_thread

    collect_on_gui_thread(app)  # before any worker thread starts
    app.setApplicationName("StreamChat")
    app.setApplicationDisplayName("StreamChat")
    app.setDesktopFileName("io.github.streamchat.StreamChat")
    instance = SingleInstance(profile.root)
    if not instance.claim():
        return _already_running(args, profile, answered=instance.owner_answered)
    settings = Settings.load(profile)
    themes = ThemeSwitcher(app)
    themes.apply(settings.theme)  # before the window exists: no re-styling, no flash
    window = MainWindow()
    window.menus.set_theme_checked(settings.theme)
    painted_after = _show_and_wait_for_first_paint(window)
    if not window.isVisible():  # closed during its first moments
        return 0

    unlogged = _setup_logging(profile)
    qt_messages.log_opened()
    log.info("StreamChat %s starting with profile %s", __version__, profile.root)
    if painted_after is not None:
        log.info("window shown after %.3f s", painted_after)
    notices = (unlogged,) if unlogged else ()
    return _run_services(args, FirstFrame(profile, instance, settings, window, themes, notices))


def _already_running(args: argparse.Namespace, profile: Profile, *, answered: bool) -> int:
    """Another StreamChat owns the profile: say so, and what became of this launch."""
    running = f"StreamChat is already running with the profile {profile.root}"
    if args.exit_after_reply:  # a script: its prompt cannot go anywhere, and it must know
        print(
            f"streamchat: {running}, so the prompt was not sent. Give the script a profile "
            "of its own (--profile DIR), or quit the running StreamChat.",
            file=sys.stderr,
        )
        return exit_codes.ALREADY_RUNNING
    if answered:  # its window comes forward: that says it all
        prompt = " The prompt was not sent: type it there." if args.prompt else ""
        print(f"streamchat: {running}; its window was brought forward.{prompt}", file=sys.stderr)
        return exit_codes.OK
    _cannot_start(args, running + "; it did not answer. If it is stuck, end it and start it again.")
    return exit_codes.OK


def _cannot_start(
    args: argparse.Namespace, message: str, *, details: str = "", title: str | None = None
) -> int:
    """Say why on stderr and, unless a script runs the app, in a dialog; exit code 1."""
    from streamchat_desktop.ui.startup_failure import TITLE, tell_cannot_start

    dialog = not args.exit_after_reply
    tell_cannot_start(message, dialog=dialog, details=details, title=title or TITLE)
    return exit_codes.FAILED


def _show_and_wait_for_first_paint(window: MainWindow) -> float | None:
    """Show the window and return once it has painted: the process age at that moment
    (None if it did not paint in time). ``STREAMCHAT_REPORT_READY=1`` prints it."""
    from PySide6.QtCore import QEventLoop, QTimer

    from streamchat_desktop.app.startup_report import process_age, report

    painted: list[float] = []

    def on_painted() -> None:
        painted.append(process_age())
        report("STREAMCHAT_READY", painted[0])
        waiting.quit()

    waiting = QEventLoop()
    window.first_painted.connect(on_painted)
    QTimer.singleShot(FIRST_PAINT_WAIT_MS, waiting.quit)
    window.show()
    if not painted:
        waiting.exec()
    window.first_painted.disconnect(on_painted)
    return painted[0] if painted else None


def _setup_logging(profile: Profile) -> str | None:
    """The log file opened; why not, if it cannot be (the app runs on without it)."""
    from streamchat_desktop.config.logging_setup import setup_logging

    return setup_logging(profile.log_file)


def _run_services(args: argparse.Namespace, shown: FirstFrame) -> int:
    """The second phase: the event loop and every service, while the window is up."""
    import asyncio

    import qasync
    from PySide6.QtWidgets import QApplication

    from streamchat_desktop.app.lifetime import Lifetime, run_until_quit
    from streamchat_desktop.app.runtime import Runtime
    from streamchat_desktop.app.startup_report import process_age, report

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    # Eight PNGs read: after the first frame (the window manager picks the change up).
    app.setWindowIcon(_app_icon())
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    # qasync installs no async-generator finalizer: an HTTP stream generator left
    # suspended by a mid-stream error would be closed by the GC outside any task.
    def finalize(agen: Any) -> None:
        if not loop.is_closed():  # at exit the loop is gone; nothing is left to close
            loop.call_soon_threadsafe(loop.create_task, agen.aclose())

    sys.set_asyncgen_hooks(finalizer=finalize)

    runtime = Runtime(args, shown)
    _install_loop_bug_handler(loop, str(shown.profile.log_file))
    exit_code = runtime.build()
    if exit_code is not None:
        shown.window.close()
        return exit_code
    lifetime = Lifetime(loop)
    lifetime.on_quit_requested = runtime.service.stop_every_reply
    lifetime.watch(app, shown.window)
    with loop:
        loop.call_soon(runtime.start)
        loop.call_soon(lambda: report("STREAMCHAT_STARTED", process_age()))
        run_until_quit(loop, lifetime.run(runtime.shutdown))
        loop.run_until_complete(loop.shutdown_default_executor())
    shown.instance.release()  # the profile is free for the next launch from now on
    if getattr(args, "end_process_when_done", False):
        end_process(runtime.exit_code)
    return runtime.exit_code


def end_process(code: int) -> NoReturn:
    """End the program now that its quit path is over: everything is saved and closed.

    The interpreter's own teardown (collecting every object of Qt, the openai SDK and
    pydantic) took about a second more, which SIGTERM and a closed window would wait for.
    """
    logging.shutdown()
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):  # the reader went away (``| head``)
        code = exit_codes.READER_GONE if code == 0 else code
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    hand_over_clipboard()
    os._exit(code)


def hand_over_clipboard() -> None:
    """Destroy the QApplication if it owns the clipboard or the selection, so that what was
    copied ("Copy as Markdown", then close the window) can still be pasted.

    os._exit skips that destruction, and it is where Qt gives the text away: on X11 to the
    clipboard manager (QXcbClipboard's destructor), on Windows by rendering delayed data.
    """
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if app is None:
        return
    clipboard = QGuiApplication.clipboard()
    if clipboard.ownsClipboard() or clipboard.ownsSelection():
        import shiboken6

        shiboken6.delete(app)


def _app_icon() -> QIcon:
    from PySide6.QtGui import QIcon

    from streamchat_desktop.resources import icon_paths

    icon = QIcon()
    for path in icon_paths():
        icon.addFile(str(path))
    return icon


class QtMessages:
    """Qt's own warnings go to the log file, not the user's terminal (or a script's stderr).

    Installed before the first frame, when the log is not open yet: until ``log_opened``
    they wait in a list."""

    def __init__(self) -> None:
        from PySide6.QtCore import QtMsgType

        self._levels = {
            QtMsgType.QtDebugMsg: logging.DEBUG,
            QtMsgType.QtInfoMsg: logging.INFO,
            QtMsgType.QtWarningMsg: logging.WARNING,
            QtMsgType.QtCriticalMsg: logging.ERROR,
            QtMsgType.QtFatalMsg: logging.CRITICAL,
        }
        self._log = logging.getLogger("qt")
        self._pending: list[tuple[int, str]] | None = []

    def install(self) -> Callable[[QtMsgType, QMessageLogContext, str], Any] | None:
        """Route Qt's messages here; returns the handler that was installed before."""
        from PySide6.QtCore import qInstallMessageHandler

        return qInstallMessageHandler(self._handle)

    def log_opened(self) -> None:
        pending, self._pending = self._pending or [], None
        for level, message in pending:
            self._log.log(level, "%s", message)

    def _handle(self, kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
        level = self._levels.get(kind, logging.WARNING)
        if message.startswith(UNSUPPORTED_BY_PLATFORM):
            level = min(level, logging.INFO)  # an optional feature the platform lacks
        if self._pending is None:
            self._log.log(level, "%s", message)
        else:
            self._pending.append((level, message))


def _install_excepthook(log_file: str) -> None:
    """A bug in a Qt callback is logged and shown, from the first frame on (the dialog's
    module loads when one happens)."""

    def excepthook(
        exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        from streamchat_desktop.ui.bug_report import report_bug

        report_bug(exc_type, exc, tb, log_file=log_file)

    sys.excepthook = excepthook


def _install_loop_bug_handler(loop: asyncio.AbstractEventLoop, log_file: str) -> None:
    """The same for an exception no task retrieved."""
    from streamchat_desktop.ui.bug_report import report_bug

    def loop_handler(_loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
        exc = context.get("exception")
        if isinstance(exc, BaseException):
            report_bug(type(exc), exc, exc.__traceback__, log_file=log_file)
        else:
            log.error("event loop: %s", context.get("message"))

    loop.set_exception_handler(loop_handler)
