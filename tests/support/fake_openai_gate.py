"""A handshake that holds a streamed answer open until the test lets it go.

"Still streaming" must be a fact the test controls, not a race against the clock: a
reply paced by delays may end before a slow browser or a loaded machine gets there.

    gate = Gate(after=5)
    server.enqueue(Script(deltas=words, gate=gate))
    ... gate.wait_reached()  (or ``await wait_until(lambda: gate.reached)`` on the loop)
    ... check what a reply in mid-stream looks like ...
    gate.release()

The server sends ``after`` deltas, flushes them onto the wire, then waits; a client that
hangs up meanwhile ends the wait as it would any answer. Once released, a gate stays open.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading


class Gate:
    """Holds an answer after ``after`` deltas; thread-safe (the server has its own loop)."""

    def __init__(self, after: int) -> None:
        self.after = after
        self._lock = threading.Lock()
        self._reached = threading.Event()
        self._released = False
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []

    @property
    def reached(self) -> bool:
        """The server has sent ``after`` deltas and is holding the rest."""
        return self._reached.is_set()

    def wait_reached(self, timeout: float = 30.0) -> None:
        """Block this thread until the answer is held (subprocess tests only: on the
        test's qasync loop this would freeze the app under test; poll ``reached``)."""
        if not self._reached.wait(timeout):
            raise AssertionError(f"no answer reached the gate after {self.after} deltas")

    def release(self) -> None:
        """Let every held answer (and any later one) go on."""
        with self._lock:
            self._released = True
            waiters, self._waiters = self._waiters, []
        for loop, event in waiters:
            with contextlib.suppress(RuntimeError):  # the server stopped meanwhile
                loop.call_soon_threadsafe(event.set)

    async def hold(self) -> None:
        """On the server's loop: say the answer is held, then wait for ``release``."""
        event = asyncio.Event()
        with self._lock:
            if not self._released:
                self._waiters.append((asyncio.get_running_loop(), event))
            else:
                event.set()
        self._reached.set()
        await event.wait()
