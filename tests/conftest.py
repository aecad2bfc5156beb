"""Suite-wide test setup: headless Qt, one qasync loop for the whole session.

Two measured traps: a closed qasync loop that is garbage-collected
mid-session makes later tests segfault, and ``loop.stop()`` outside the Qt loop
breaks later ``qtbot`` waits. So one loop lives for the whole session, and async
test code runs through ``run_async`` (``run_until_complete`` stops it from inside).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # without a display Qt aborts the run
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

import pytest

T = TypeVar("T")

# Fixtures shared across folders live in tests/support (the test tree mirrors the package,
# so a fixture used by tests of several layers cannot sit in one folder's conftest.py).
pytest_plugins = [
    "tests.support.fake_openai_fixtures",
    "tests.support.config_fixtures",
    "tests.support.sqlite_fixtures",
    "tests.support.secret_service",
    "tests.support.runtime",
    "tests.support.desktop_urls",
]

_LOOPS: list[Any] = []  # keep every loop referenced until the process ends


@pytest.fixture(scope="session", autouse=True)
def main_thread_gc(qapp: Any) -> Iterator[None]:
    """The cyclic GC runs on the GUI thread only, as in the app (see its module)."""
    from streamchat_desktop.app.main_thread_gc import collect_on_gui_thread

    collect_on_gui_thread(qapp)
    yield


@pytest.fixture(scope="session")
def qloop(qapp: Any) -> Iterator[asyncio.AbstractEventLoop]:
    """The qasync event loop on the test QApplication (what the app runs on)."""
    import qasync

    from tests.support.session_loop import SessionLoop

    loop = SessionLoop(qapp)  # its callbacks see it as the running loop: see its module
    _LOOPS.append(loop)
    # qasync keeps its own default executor (QThreads, used by getaddrinfo on every
    # connection) that shutdown_default_executor() does not see; a QThread still
    # running at exit aborts the process (exit status 134), so own and stop it here.
    executor = qasync.QThreadExecutor(2)
    loop.set_default_executor(executor)
    # qasync installs no async-generator finalizer: an SDK/httpcore generator left
    # suspended by a mid-stream error is then closed synchronously by the GC, outside
    # any task ("Exception ignored in PoolByteStream.__aiter__"). Close them on the loop.
    sys.set_asyncgen_hooks(
        finalizer=lambda agen: loop.call_soon_threadsafe(loop.create_task, agen.aclose())
    )
    asyncio.set_event_loop(loop)
    yield loop
    executor.shutdown(wait=True)


@pytest.fixture(autouse=True)
def _session_loop_is_current() -> None:
    """A test that ran ``asyncio.run`` left no current event loop behind (it sets None
    when it ends); code that asks for the current loop (``ensure_future`` with no loop
    running, as the app's slots do) gets the session's loop again, whatever the order."""
    if _LOOPS:
        asyncio.set_event_loop(_LOOPS[-1])


@pytest.fixture
def run_async(qloop: asyncio.AbstractEventLoop) -> Callable[..., Any]:
    """Run a coroutine on the qasync loop (Qt events are processed meanwhile)."""

    def run(awaitable: Awaitable[T], timeout: float = 120.0) -> T:  # patience, not a claim
        return qloop.run_until_complete(asyncio.wait_for(awaitable, timeout))

    return run


HEAVY_TIERS = ("e2e", "browser", "keychain", "frozen")
HEAVY_TIMEOUT = 600  # seconds: several launches of the real program on a loaded machine


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The real program, Chromium and the keychain get more patience than the 300 s every
    test has (pyproject.toml): a hung test still ends, a slow machine does not fail one."""
    for item in items:
        heavy = any(item.get_closest_marker(tier) for tier in HEAVY_TIERS)
        if heavy and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(HEAVY_TIMEOUT))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """With STREAMCHAT_NO_SKIPS=1 (CI), a skipped test fails: a missing Chromium, keychain
    or build must not quietly turn the real-parts tests into no-ops."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.skipped and os.environ.get("STREAMCHAT_NO_SKIPS") == "1":
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which must run every test: {report.longrepr}"


_exit_status = 0


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    global _exit_status  # noqa: PLW0603 - handed from session end to unconfigure
    _exit_status = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """End the process as soon as pytest has reported everything.

    The interpreter's own teardown destroys the session's QApplication, the qasync loops
    kept alive on purpose (FACTS.md) and their Qt objects in an arbitrary order, and that
    can crash (exit 139 after "N passed", seen once in CI). Nothing is left to run then."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_exit_status)
