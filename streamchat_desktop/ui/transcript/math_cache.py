"""Typeset formulas off the GUI thread, once each: a bounded queue, a worker, two LRU caches.

ziamath takes 5–30 ms a formula, pure Python: more than a frame. So formulas are typeset on
one worker thread (``math_typeset`` is safe there), newest request first, and the result
comes back to the GUI thread through a queued signal. The GUI thread only looks results up.
Two caches, both bounded: the *metrics* of a formula (its size and depth, or "malformed"),
small and long-lived, which the layout needs; and its *images* (per colour and pixel ratio),
which painting needs. A formula evicted from either is simply typeset again when shown.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import Generic, TypeVar

from PySide6.QtCore import QObject, Signal

from streamchat_desktop.ui.transcript.math_typeset import Formula, typeset

K = TypeVar("K")
V = TypeVar("V")

METRICS_CAPACITY = 8_192
IMAGE_CAPACITY = 512
IMAGE_BYTES = 128 * 1024 * 1024  # all cached images together (one may be up to 64 MiB)
QUEUE_CAPACITY = 256  # formulas waiting; older requests fall off (asked again when shown)


@dataclass(frozen=True, slots=True)
class FormulaKey:
    """What a typeset image depends on. ``base`` is what its metrics depend on."""

    latex: str
    display: bool
    size: float  # pixels per em
    color: str  # #rrggbb
    ratio: float  # device pixel ratio

    @property
    def base(self) -> tuple[str, bool, float]:
        return self.latex, self.display, self.size


@dataclass(frozen=True, slots=True)
class Metrics:
    width: float
    height: float
    depth: float


MALFORMED = Metrics(0.0, 0.0, 0.0)  # ziamath refused it: shown as its source


class LRU(Generic[K, V]):
    """A dict that forgets its least recently used entries past ``capacity`` entries or,
    given ``weigh``, past ``max_weight`` in all (the newest entry is always kept)."""

    def __init__(
        self, capacity: int, max_weight: int = 0, weigh: Callable[[V], int] | None = None
    ) -> None:
        self.capacity = capacity
        self.max_weight = max_weight
        self.weight = 0
        self._weigh = weigh
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        old = self._items.pop(key, None)
        if old is not None:
            self.weight -= self._weight_of(old)
        self._items[key] = value
        self.weight += self._weight_of(value)
        while len(self._items) > self.capacity or (
            self._weigh is not None and self.weight > self.max_weight and len(self._items) > 1
        ):
            _, gone = self._items.popitem(last=False)
            self.weight -= self._weight_of(gone)

    def _weight_of(self, value: V) -> int:
        return self._weigh(value) if self._weigh is not None else 0

    def __len__(self) -> int:
        return len(self._items)


class Typesetter(QObject):
    """Typesets requested formulas one at a time on a worker thread.

    Signals:
        typeset(base): a formula's metrics and image are ready (emitted on the GUI thread).
    """

    typeset = Signal(object)
    _finished = Signal(object, object)  # (key, Formula | None), from the worker thread

    def __init__(self) -> None:
        super().__init__()
        self.metrics: LRU[tuple[str, bool, float], Metrics] = LRU(METRICS_CAPACITY)
        self.images: LRU[FormulaKey, Formula] = LRU(IMAGE_CAPACITY, IMAGE_BYTES, _image_bytes)
        self.renders = 0  # formulas typeset so far (a repeat is a cache hit, not a render)
        self._queue: OrderedDict[FormulaKey, None] = OrderedDict()
        self._running: FormulaKey | None = None
        self._worker: ThreadPoolExecutor | None = None
        self._finished.connect(self._on_finished)

    @property
    def busy(self) -> bool:
        """Whether a formula is being typeset or waits to be."""
        return self._running is not None or bool(self._queue)

    def request(self, key: FormulaKey) -> None:
        """Typeset ``key`` soon, unless it is known, running or already waiting (then it
        moves to the front: the newest request is the one on screen)."""
        if key == self._running or self.images.get(key) is not None:
            return
        if self.metrics.get(key.base) is MALFORMED:
            return
        self._queue[key] = None
        self._queue.move_to_end(key)
        while len(self._queue) > QUEUE_CAPACITY:
            self._queue.popitem(last=False)
        self._next()

    def _next(self) -> None:
        if self._running is not None or not self._queue:
            return
        key, _ = self._queue.popitem(last=True)
        self._running = key
        if self._worker is None:
            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="typeset")
        self._worker.submit(self._work, key)

    def _work(self, key: FormulaKey) -> None:
        """On the worker thread."""
        try:
            formula = typeset(
                key.latex, display=key.display, size=key.size, color=key.color, ratio=key.ratio
            )
        except Exception:  # a Qt or memory failure: the formula stays source
            formula = None
        self._finished.emit(key, formula)

    def _on_finished(self, key: FormulaKey, formula: Formula | None) -> None:
        self._running = None
        self.renders += 1
        if formula is None:
            self.metrics.put(key.base, MALFORMED)
        else:
            self.metrics.put(key.base, Metrics(formula.width, formula.height, formula.depth))
            self.images.put(key, formula)
        self.typeset.emit(key.base)
        self._next()


def _image_bytes(formula: Formula) -> int:
    return int(formula.image.sizeInBytes())


@cache
def shared_typesetter() -> Typesetter:
    """The process's typesetter (its caches serve every transcript)."""
    return Typesetter()
