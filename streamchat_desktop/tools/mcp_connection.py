"""One MCP server's connection: started on first use, restarted after a crash.

The SDK's transports and ``ClientSession`` are async context managers whose task
groups must be entered and left in one task, so each connection runs in a task of
its own that holds them open until ``stop``; calls are made from the reply's task
through the session. A server that dies (its process ends, its HTTP endpoint goes)
leaves the connection ``FAILED``; the next use starts it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable, Mapping
from contextlib import AsyncExitStack
from enum import Enum
from typing import Any

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

# the SDK's own client factory (its MCP timeouts; redirects kept on the endpoint's origin)
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.exceptions import MCPError
from mcp.types import CONNECTION_CLOSED, CallToolResult, Tool

from streamchat_desktop.core.tool_servers import ToolServerConfig
from streamchat_desktop.tools.server_log import StderrPipe

log = logging.getLogger(__name__)

START_TIMEOUT = 30.0
# A server that failed to start is not started again by the replies of the next minute:
# each would wait for it (up to START_TIMEOUT) before its first word. The Tools page's
# Test button, and any change to the server's settings, try again at once.
START_RETRY_AFTER = 60.0
STOP_TIMEOUT = 5.0
PING_TIMEOUT = 5.0
# Passed on from our own environment to a stdio server; anything else (such as
# OPENAI_API_KEY) reaches it only if the user put it in the server's env.
INHERITED_ENV = ("HOME", "LOGNAME", "USER", "PATH", "SHELL", "TERM", "LANG", "LC_ALL", "TMPDIR")


class ServerState(str, Enum):
    STOPPED = "stopped"
    STARTING = "starting"
    READY = "ready"
    FAILED = "failed"


class ServerUnavailableError(Exception):
    """The server could not be started or went away; the message says why."""


def child_environment(
    config: ToolServerConfig,
    secrets: Mapping[str, str],
    environ: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The stdio server's whole environment, built explicitly."""
    source = os.environ if environ is None else environ
    env = {name: source[name] for name in INHERITED_ENV if name in source}
    env.update(config.env)
    env.update({name: secrets[name] for name in config.secret_env if name in secrets})
    return env


class McpConnection:
    """A configured server and, while it runs, its session and tools."""

    def __init__(
        self,
        config: ToolServerConfig,
        secrets: Callable[[], Mapping[str, str]] | None = None,
        *,
        start_timeout: float = START_TIMEOUT,
    ) -> None:
        self.config = config
        self._read_secrets = secrets or dict  # read at each start, not before
        self._start_timeout = start_timeout
        self.state = ServerState.STOPPED
        self.reason = ""  # why it failed, in words
        self.tools: list[Tool] = []
        self._session: ClientSession | None = None
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self._starting: asyncio.Future[None] | None = None
        self._stderr: StderrPipe | None = None
        self._start_failed_at: float | None = None

    @property
    def name(self) -> str:
        return self.config.name

    async def ensure_started(self, *, retry_failed: bool = False) -> None:
        """Start the server if it is not running; raises ServerUnavailableError if it cannot
        (at once, without a new try, for START_RETRY_AFTER after a start that failed)."""
        if self.state is ServerState.READY and await self._alive():
            return
        failed_at = self._start_failed_at
        recently = failed_at is not None and time.monotonic() - failed_at < START_RETRY_AFTER
        if recently and not retry_failed:
            raise ServerUnavailableError(self.reason or "it did not start")
        try:
            await self._start()
        except ServerUnavailableError:
            self._start_failed_at = time.monotonic()
            raise
        self._start_failed_at = None

    async def _start(self) -> None:
        if self._starting is None or self._starting.done():
            await self._reset()
            self._starting = asyncio.get_running_loop().create_future()
            self._stop = asyncio.Event()
            self.state, self.reason = ServerState.STARTING, ""
            self._task = asyncio.ensure_future(self._run(self._starting))
        try:
            await asyncio.wait_for(asyncio.shield(self._starting), self._start_timeout)
        except TimeoutError:
            self._fail(f"it did not answer within {self._start_timeout:g} s of starting")
            await self._reset()
            raise ServerUnavailableError(self.reason) from None

    async def _alive(self) -> bool:
        """Whether the running session still answers (a server may die between uses)."""
        session = self._session
        if session is None or self._task is None or self._task.done():
            return False
        try:
            await asyncio.wait_for(session.send_ping(), PING_TIMEOUT)
        except (MCPError, TimeoutError, OSError) as exc:
            log.info("MCP server %s no longer answers (%s); restarting it", self.name, exc)
            return False
        return True

    async def call(
        self, name: str, arguments: dict[str, Any], timeout: float | None = None
    ) -> CallToolResult:
        """Call a tool; a dead connection raises ServerUnavailableError and is marked FAILED."""
        session = self._session
        if session is None or self.state is not ServerState.READY:
            raise ServerUnavailableError(self.reason or "the server is not running")
        try:
            return await session.call_tool(name, arguments, read_timeout_seconds=timeout)
        except MCPError as exc:
            if exc.code != CONNECTION_CLOSED:
                raise
            self._fail(await self._explain("the server stopped during the call"))
            raise ServerUnavailableError(self.reason) from exc

    async def stop(self) -> None:
        """End the session and the server (at quit, or when the config changed)."""
        await self._reset()
        self.state = ServerState.STOPPED

    async def _reset(self) -> None:
        task, self._task = self._task, None
        self._session = None
        if task is None or task.done():
            return
        self._stop.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), STOP_TIMEOUT)
        except (TimeoutError, Exception):
            task.cancel()
            with contextlib.suppress(BaseException):
                await task

    async def _run(self, ready: asyncio.Future[None]) -> None:
        try:
            async with AsyncExitStack() as stack:
                read, write = await stack.enter_async_context(self._transport())
                if self._stderr is not None:
                    self._stderr.child_started()
                session = await stack.enter_async_context(ClientSession(read, write))
                await session.initialize()
                listing = await session.list_tools()
                self.tools = list(listing.tools)
                self._session, self.state = session, ServerState.READY
                log.info("MCP server %s ready with %d tools", self.name, len(self.tools))
                ready.set_result(None)
                await self._stop.wait()
        except asyncio.CancelledError:
            if not ready.done():
                ready.cancel()
            raise
        except BaseException as exc:  # the SDK's task groups raise ExceptionGroups
            self._fail(await self._explain(_first_words(exc)))
            log.warning("MCP server %s: %s", self.name, self.reason)
            if not ready.done():
                ready.set_exception(ServerUnavailableError(self.reason))
        finally:
            self._session = None
            if self.state is ServerState.READY:  # the server went away between calls
                self._fail("the server stopped")

    def _transport(self) -> contextlib.AbstractAsyncContextManager[Any]:
        config = self.config
        secrets = self._read_secrets()
        if config.url:
            headers = dict(config.headers)
            headers.update({n: secrets[n] for n in config.secret_headers if n in secrets})
            client = create_mcp_http_client(headers=headers)
            return _http_transport(config.url, client)
        self._stderr = StderrPipe(config.name)
        params = StdioServerParameters(
            command=config.command,
            args=list(config.args),
            env=child_environment(config, secrets),
        )
        transport: contextlib.AbstractAsyncContextManager[Any] = stdio_client(
            params, errlog=self._stderr.writer
        )
        return transport

    def _fail(self, reason: str) -> None:
        self.state, self.reason = ServerState.FAILED, reason

    async def _explain(self, what: str) -> str:
        """``what`` happened, with the last words the server wrote to stderr."""
        stderr = self._stderr
        if stderr is None:
            return what
        stderr.child_started()
        # its last lines may still be in the pipe: give the reader a moment, off the loop
        tail = (await asyncio.to_thread(stderr.tail, 1.0)).strip()
        return f"{what}: {tail.splitlines()[-1]}" if tail else what


@contextlib.asynccontextmanager
async def _http_transport(url: str, client: Any) -> Any:
    async with client, streamable_http_client(url, http_client=client) as streams:
        yield streams


def _first_words(exc: BaseException) -> str:
    """A person's reason from an exception, looking inside exception groups."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    if isinstance(exc, FileNotFoundError):
        return f"the command was not found ({exc.filename or exc})"
    if isinstance(exc, PermissionError):
        return f"the command cannot be run ({exc.strerror})"
    if isinstance(exc, MCPError) and exc.code == CONNECTION_CLOSED:
        return "the server exited before it was ready"
    text = str(exc).strip()
    return text[:300] if text else type(exc).__name__
