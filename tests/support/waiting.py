"""Waiting for a condition while the qasync loop (and so Qt) keeps running."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

PATIENCE = 30.0  # only ends a broken run: on a loaded machine facts come late, not never


async def wait_until(
    condition: Callable[[], bool], timeout: float = PATIENCE, interval: float = 0.005
) -> None:
    """Poll ``condition`` on the running loop; fail with a clear message on timeout.

    The timeout is patience, not a claim about speed: keep it wide (speed is bench/'s).
    """
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
