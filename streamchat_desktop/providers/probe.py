"""Asking servers which models they serve: "Test connection", and finding local servers.

Both go through the provider adapter's ``list_models`` (so they see exactly what a
chat would see: same SDK, same error kinds), run on the asyncio loop with no
threads, and close every client they open.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from streamchat_desktop.core.errors import ChatError, ErrorKind
from streamchat_desktop.providers.base import Endpoint, Provider
from streamchat_desktop.providers.presets import LOCAL_PORTS

ProviderFactory = Callable[[Endpoint], Provider]
PROBE_TIMEOUT = 0.4  # per port; ports are probed together, so also about the whole probe


@dataclass(frozen=True, slots=True)
class ConnectionCheck:
    """What a server answered to ``GET /models``, and how long that took."""

    models: tuple[str, ...]
    elapsed: float  # seconds, request to parsed answer
    image_models: frozenset[str] = frozenset()  # those the server says take images


@dataclass(frozen=True, slots=True)
class LocalServer:
    """A loopback server that answered ``/v1/models``."""

    base_url: str
    port: int
    preset: str  # the preset kind usually found on this port ("custom" if none)
    models: tuple[str, ...]
    elapsed: float


ADAPTER = "streamchat_desktop.providers.openai_compat"


async def load_adapter() -> None:
    """Import the adapter (and the openai SDK, ~0.8 s) off the UI thread, once.

    Importing is CPU work, not network I/O: a worker thread keeps the window painting
    while the first probe of a fresh start waits for it.
    """
    if ADAPTER not in sys.modules:
        await asyncio.get_running_loop().run_in_executor(None, importlib.import_module, ADAPTER)


def default_factory(endpoint: Endpoint) -> Provider:
    from streamchat_desktop.providers.openai_compat import OpenAICompatibleProvider

    return OpenAICompatibleProvider(endpoint)


async def check_connection(
    endpoint: Endpoint, *, timeout: float = 15.0, factory: ProviderFactory | None = None
) -> ConnectionCheck:
    """List the server's models; raises ChatError (AUTH, UNREACHABLE, MALFORMED, …)."""
    if factory is None:
        await load_adapter()
    provider = (factory or default_factory)(endpoint)
    started = time.perf_counter()
    try:
        models = await asyncio.wait_for(provider.list_models(), timeout)
    except TimeoutError as exc:
        raise ChatError(ErrorKind.TIMEOUT, f"no answer within {timeout:g} s") from exc
    finally:
        await provider.aclose()
    images: frozenset[str] = getattr(provider, "image_models", frozenset())  # the adapter's
    return ConnectionCheck(tuple(models), time.perf_counter() - started, frozenset(images))


async def probe_local_servers(
    ports: Iterable[int] = tuple(LOCAL_PORTS),
    *,
    host: str = "127.0.0.1",
    timeout: float = PROBE_TIMEOUT,
    factory: ProviderFactory | None = None,
) -> list[LocalServer]:
    """The loopback servers that answer ``/v1/models`` within ``timeout``, in port order."""
    ports = list(ports)
    if factory is None:
        await load_adapter()
    results = await asyncio.gather(
        *(_probe_one(host, port, timeout, factory) for port in ports), return_exceptions=True
    )
    return [result for result in results if isinstance(result, LocalServer)]


async def _probe_one(
    host: str, port: int, timeout: float, factory: ProviderFactory | None
) -> LocalServer | None:
    base_url = f"http://{host}:{port}/v1"
    endpoint = Endpoint(base_url=base_url, api_key=None, timeout=timeout, connect_timeout=timeout)
    try:
        check = await check_connection(endpoint, timeout=timeout, factory=factory)
    except ChatError:
        return None  # nothing there, or not an OpenAI-compatible server
    return LocalServer(base_url, port, LOCAL_PORTS.get(port, "custom"), check.models, check.elapsed)
