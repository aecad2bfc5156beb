"""The test session's qasync loop: each of its callbacks runs with it as the running loop.

In the app, Qt only ever processes events inside the qasync loop's run, so every asyncio
callback Qt fires sees a running loop. A test also processes Qt events outside it (qtbot
waits, widget teardown, and qasync's own last ``processEvents`` after
``run_until_complete`` has cleared the running loop), and the timers and task steps due
then ran with none. Seen in full runs: engine.io's client monitor died in
``asyncio.wait_for`` ("no running event loop"; its ``Event.wait()`` coroutine was then
reported "never awaited" wherever the GC found it), and httpcore's stream generators,
which the openai SDK leaves suspended and the GC hands to the loop to close, failed in
sniffio (``AsyncLibraryNotFoundError``) during a test's teardown. Every callback of this
loop now runs with it set as the running loop, as in the app. Between callbacks no loop
is running, so a test may still use ``asyncio.run`` for a loop of its own.
"""

from __future__ import annotations

import asyncio
from typing import Any

import qasync


class SessionLoop(qasync.QEventLoop):  # type: ignore[misc]
    """A qasync loop whose callbacks always see it as the running loop."""

    def _add_callback(self, handle: asyncio.Handle, delay: float = 0) -> Any:
        # Every callback passes here: call_soon/later/at, call_soon_threadsafe and the
        # socket notifiers all schedule an asyncio.Handle through this one method.
        callback = handle._callback  # type: ignore[attr-defined]

        def run_as_the_running_loop(*args: Any) -> Any:
            if asyncio.events._get_running_loop() is not None:  # inside run_forever
                return callback(*args)
            asyncio.events._set_running_loop(self)
            try:
                return callback(*args)
            finally:
                asyncio.events._set_running_loop(None)

        handle._callback = run_as_the_running_loop  # type: ignore[attr-defined]
        return super()._add_callback(handle, delay)
