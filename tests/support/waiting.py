"""Waiting for a condition while the qasync loop (and so Qt) keeps running."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def wait_until(
    condition: Callable[[], bool], timeout: float = 5.0, interval: float = 0.005
) -> None:
    """Poll ``condition`` on the running loop; fail with a clear message on timeout."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(interval)


def wait_for_fact(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Block the calling thread until ``condition`` holds (for subprocess tests, where
    no loop of ours runs); fail naming ``what`` was awaited."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.01)
