"""Qt events a test processes outside ``run_async`` run asyncio callbacks as the app would."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import sniffio

from tests.support.waiting import PATIENCE


def test_a_task_stepped_by_qt_outside_run_async_is_in_an_asyncio_context(
    qloop: asyncio.AbstractEventLoop, run_async: Callable[..., Any], qtbot: Any
) -> None:
    run_async(asyncio.sleep(0))  # a run before: it must leave the loop set as running

    async def ask() -> tuple[asyncio.AbstractEventLoop, str]:
        # what engine.io's client monitor does when its timer fires (a bare wait_for)
        await asyncio.wait_for(asyncio.sleep(0), PATIENCE)
        # what httpcore asks when the GC's finalizer task closes one of its streams
        return asyncio.get_running_loop(), sniffio.current_async_library()

    task = qloop.create_task(ask())
    qtbot.waitUntil(task.done, timeout=int(PATIENCE * 1000))  # Qt steps the task here
    assert task.result() == (qloop, "asyncio")


def test_between_callbacks_no_loop_runs_so_a_test_may_run_its_own(
    qloop: asyncio.AbstractEventLoop, run_async: Callable[..., Any]
) -> None:
    run_async(asyncio.sleep(0))

    async def own() -> asyncio.AbstractEventLoop:
        return asyncio.get_running_loop()

    assert asyncio.run(own()) is not qloop
