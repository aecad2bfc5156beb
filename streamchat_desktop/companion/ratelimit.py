"""A token bucket per view, so a flood of requests costs the app almost nothing."""

from __future__ import annotations

import time
from collections.abc import Callable


class TokenBucket:
    """Allows ``burst`` requests at once and ``rate`` per second after that.

    ``refused`` counts requests turned away since the last accepted one: the server
    drops a view that keeps hammering after being told to slow down.
    """

    def __init__(
        self, burst: int, rate: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._burst = float(burst)
        self._rate = rate
        self._clock = clock
        self._tokens = float(burst)
        self._stamp = clock()
        self.refused = 0

    def allow(self) -> bool:
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            self.refused = 0
            return True
        self.refused += 1
        return False
