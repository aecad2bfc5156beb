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


def poll_external_fact(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Block until ``condition`` holds, checking it every ``interval``: only for a fact that
    no event of ours announces (what another process wrote to a file, a process's state).
    Anything a test can be told about (a signal, a view's event, an asyncio or threading
    event) is awaited as that event instead. ``timeout`` is patience: keep it wide."""
    import time

    interval = 0.05
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(interval)
