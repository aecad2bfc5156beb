"""Which views may connect to the companion endpoint, and how often each may ask.

Separate from the server because admission is policy, not transport: a view needs an
allowed Origin, the per-launch token and a free place (at most ``MAX_VIEWS``), and then
spends from its own token bucket on every request; one that keeps flooding after being
refused ``MAX_REFUSED`` times in a row is dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from typing import Any

import socketio

from streamchat_desktop.companion import protocol as p
from streamchat_desktop.companion.ratelimit import TokenBucket
from streamchat_desktop.companion.security import token_matches

log = logging.getLogger(__name__)

MAX_VIEWS = 256
MAX_REFUSED = 200  # rate-limited requests in a row before a view is dropped


class Admission:
    """The connect check and the per-view rate limit; ``drop`` cuts a flooding view."""

    def __init__(self, token: str, drop: Callable[[str], None]) -> None:
        self._token = token
        self._drop = drop
        self._buckets: dict[str, TokenBucket] = {}

    def check_connect(
        self, origins: Collection[str], environ: dict[str, Any], auth: object, views: int
    ) -> None:
        """Raise ``ConnectionRefusedError`` (with the protocol's reason) to refuse a view."""
        origin = environ.get("HTTP_ORIGIN")
        if origin is not None and origin not in origins:
            raise socketio.exceptions.ConnectionRefusedError(p.REFUSED_ORIGIN)
        token = auth.get("token") if isinstance(auth, dict) else None
        if not token_matches(token, self._token):
            raise socketio.exceptions.ConnectionRefusedError(p.REFUSED_UNAUTHORIZED)
        if views >= MAX_VIEWS:
            raise socketio.exceptions.ConnectionRefusedError(p.REFUSED_FULL)

    def opened(self, sid: str) -> None:
        self._buckets[sid] = TokenBucket(p.RATE_BURST, p.RATE_PER_SECOND)

    def closed(self, sid: str) -> None:
        self._buckets.pop(sid, None)

    def admit(self, sid: str) -> None:
        """Spend one request from the view's bucket; raise a rate-limited error if empty."""
        bucket = self._buckets.get(sid)
        if bucket is None or bucket.allow():
            return
        if bucket.refused > MAX_REFUSED:
            log.warning("companion view %s keeps flooding; dropping it", sid)
            self._drop(sid)
        raise p.ProtocolError(p.ERROR_RATE_LIMITED, "too many requests; slow down")
