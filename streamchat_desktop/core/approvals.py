"""Who decides whether a tool call runs: the user, one call at a time.

``ApprovalDesk`` is the tool loop's approver in the window: a call the user has not
always allowed waits on a future until the desktop answers ``decide`` (only the
desktop does: companion views see the call, never approve it). ``ScriptApprovals``
is the approver of ``--exit-after-reply`` runs, from ``--allow-tools``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection

from streamchat_desktop.core.tools import Decision, ToolCall, ToolSpec, tool_key

log = logging.getLogger(__name__)


class ApprovalDesk:
    """Holds each call that waits for the user's decision, by call id.

    ``always_allowed(key)`` and ``remember(key)`` read and store the per-tool
    "always allow" choice (``tool_key``: ``server/tool``; the settings, in the app).
    """

    def __init__(
        self,
        always_allowed: Callable[[str], bool],
        remember: Callable[[str], None],
    ) -> None:
        self._always_allowed = always_allowed
        self._remember = remember
        self._waiting: dict[str, tuple[str, asyncio.Future[Decision]]] = {}

    def pending(self) -> list[str]:
        """The ids of the calls waiting for a decision."""
        return list(self._waiting)

    async def __call__(self, call: ToolCall, spec: ToolSpec) -> Decision:
        if self._always_allowed(tool_key(spec)):
            return Decision.ALWAYS_ALLOW
        future: asyncio.Future[Decision] = asyncio.get_running_loop().create_future()
        self._waiting[call.id] = (tool_key(spec), future)
        try:
            return await future
        finally:
            self._waiting.pop(call.id, None)

    def decide(self, call_id: str, decision: Decision) -> bool:
        """Answer a waiting call; ``False`` if none waits under this id (any more)."""
        entry = self._waiting.get(call_id)
        if entry is None or entry[1].done():
            return False
        tool, future = entry
        if decision is Decision.ALWAYS_ALLOW:
            try:
                self._remember(tool)
            except Exception:  # the call still runs; only the memory of the choice is lost
                log.exception("could not store 'always allow' for %s", tool)
        future.set_result(decision)
        return True


class ScriptApprovals:
    """A script's answer to every call: the tools it named on the command line run,
    every other call is declined and named through ``on_declined``."""

    def __init__(self, allowed: Collection[str] | None, on_declined: Callable[[str], None]) -> None:
        self._allowed = allowed  # None: all
        self._on_declined = on_declined

    async def __call__(self, call: ToolCall, spec: ToolSpec) -> Decision:
        if self._allowed is None or spec.name in self._allowed:
            return Decision.ALLOW_ONCE
        self._on_declined(spec.name)
        return Decision.DENY


def parse_allow_tools(value: str) -> frozenset[str] | None:
    """``--allow-tools``: ``all`` (``None``: every tool) or ``NAME[,NAME…]``."""
    names = frozenset(part.strip() for part in value.split(",") if part.strip())
    if not names:
        raise ValueError("--allow-tools needs 'all' or a comma-separated list of tool names")
    return None if names == {"all"} else names
