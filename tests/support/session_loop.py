"""The test session's qasync loop: set as the thread's running loop for the whole session.

In the app, Qt only ever processes events inside the qasync loop's run, so every asyncio
callback Qt fires sees a running loop. A test also processes Qt events outside it (qtbot
waits, widget teardown, and qasync's own last ``processEvents`` after
``run_until_complete`` has cleared the running loop), and the timers and task steps due
then ran with none. Seen in full runs: engine.io's client monitor died in
``asyncio.wait_for`` ("no running event loop"; its ``Event.wait()`` coroutine was then
reported "never awaited" wherever the GC found it), and httpcore's stream generators,
which the openai SDK leaves suspended and the GC hands to the loop to close, failed in
sniffio (``AsyncLibraryNotFoundError``) during a test's teardown. With the loop kept as
the running loop, every such callback runs as it would in the app.
"""

from __future__ import annotations

import asyncio
from typing import Any

import qasync


class SessionLoop(qasync.QEventLoop):  # type: ignore[misc]
    """A qasync loop that stays the running loop after each ``run_until_complete``."""

    def run_forever(self) -> Any:
        try:
            return super().run_forever()
        finally:  # qasync clears the running loop on the way out: set it back
            asyncio.events._set_running_loop(self)

    def make_running(self) -> None:
        """Be this thread's running loop from now on (until ``release``)."""
        asyncio.set_event_loop(self)
        asyncio.events._set_running_loop(self)

    def release(self) -> None:
        asyncio.events._set_running_loop(None)
