"""The cyclic GC runs on the GUI thread only: automatic collection is off, the GUI thread
collects what is due, and a cycle made on a worker thread is freed there, not on the worker."""

from __future__ import annotations

import gc
import threading
import weakref
from typing import Any

from streamchat_desktop.app.main_thread_gc import MainThreadCollector, collect_on_gui_thread


class _Cycle:
    def __init__(self) -> None:
        self.me = self
        self.freed_on: list[str] = []


def test_automatic_collection_is_off_and_one_collector_per_app(qapp: Any) -> None:
    collector = collect_on_gui_thread(qapp)
    assert isinstance(collector, MainThreadCollector)
    assert collect_on_gui_thread(qapp) is collector
    assert not gc.isenabled()


def test_a_cycle_from_a_worker_is_freed_on_the_gui_thread(qapp: Any) -> None:
    collector = collect_on_gui_thread(qapp)
    freed_on: list[str] = []
    refs: list[weakref.ref[_Cycle]] = []

    def make_garbage() -> None:
        for _ in range(gc.get_threshold()[0] * 3):  # past every automatic threshold
            cycle = _Cycle()
            weakref.finalize(cycle, lambda: freed_on.append(threading.current_thread().name))
            refs.append(weakref.ref(cycle))

    worker = threading.Thread(target=make_garbage, name="worker")
    worker.start()
    worker.join()
    assert freed_on == []  # nothing collected on the worker, though its counts passed
    collector.collect_due()
    assert freed_on and set(freed_on) == {threading.main_thread().name}
    assert all(ref() is None for ref in refs)
