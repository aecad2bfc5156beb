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
