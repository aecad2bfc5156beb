"""Finding local servers and testing a connection, through the real SDK and adapter."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from streamchat_desktop.core.errors import ChatError, ErrorKind
from streamchat_desktop.providers.base import Endpoint
from streamchat_desktop.providers.probe import check_connection, probe_local_servers
from tests.support.fake_openai import FakeOpenAIServer, Script
from tests.support.servers import free_port, raw_server
from tests.support.waiting import wait_until

KEY = "sk-probe-0123456789"


def test_check_connection_lists_models_with_the_key(
    fake_openai: FakeOpenAIServer, run_async: Callable[..., Any]
) -> None:
    check = run_async(check_connection(Endpoint(fake_openai.base_url, KEY)))
    assert check.models == ("gpt-4o", "gpt-4o-mini", "m")
    assert check.elapsed > 0  # measured (how long it takes: bench/stream.py)
    request = fake_openai.last_request
    assert (request.method, request.path) == ("GET", "/v1/models")
    assert request.authorization == f"Bearer {KEY}"


@pytest.mark.parametrize(("status", "kind"), [(401, ErrorKind.AUTH), (500, ErrorKind.SERVER)])
def test_check_connection_errors_have_their_kind(
    fake_openai: FakeOpenAIServer, run_async: Callable[..., Any], status: int, kind: ErrorKind
) -> None:
    fake_openai.models_script = Script(status=status)
    with pytest.raises(ChatError) as caught:
        run_async(check_connection(Endpoint(fake_openai.base_url, "sk-wrong-000000")))
    assert caught.value.kind is kind
    assert caught.value.status == status


def test_check_connection_unreachable_and_not_openai(run_async: Callable[..., Any]) -> None:
    with pytest.raises(ChatError) as caught:
        run_async(check_connection(Endpoint(f"http://127.0.0.1:{free_port()}/v1", None)))
    assert caught.value.kind is ErrorKind.UNREACHABLE

    async def html() -> None:
        async with raw_server("html") as port:
            await check_connection(Endpoint(f"http://127.0.0.1:{port}/v1", None))

    with pytest.raises(ChatError) as caught:
        run_async(html())
    assert caught.value.kind is ErrorKind.MALFORMED


def test_check_connection_times_out(run_async: Callable[..., Any]) -> None:
    async def stall() -> None:
        async with raw_server("stall") as port:
            await check_connection(Endpoint(f"http://127.0.0.1:{port}/v1", None), timeout=0.3)

    with pytest.raises(ChatError) as caught:
        run_async(stall())  # the stalled server would hold it for 30 s: the timeout ends it
    assert caught.value.kind is ErrorKind.TIMEOUT


def test_probe_finds_only_openai_compatible_servers(
    fake_openai: FakeOpenAIServer, run_async: Callable[..., Any]
) -> None:
    async def probe() -> list[Any]:
        async with raw_server("html") as html, raw_server("stall") as stall:
            ports = [free_port(), html, stall, fake_openai.port]
            return await probe_local_servers(ports, timeout=10)  # patient, yet finite

    found = run_async(probe())  # a stalled port ends at the probe's timeout
    assert [s.base_url for s in found] == [fake_openai.base_url]
    assert found[0].models == ("gpt-4o", "gpt-4o-mini", "m")
    assert found[0].preset == "custom"
    # the probe sends no real key anywhere
    assert fake_openai.last_request.authorization in (None, "Bearer no-key")


def test_probe_asks_every_port_at_once(
    fake_openai: FakeOpenAIServer, run_async: Callable[..., Any]
) -> None:
    """A stalled port does not delay the next: the last port is asked while the first is
    still waited on (how long a probe takes: bench/stream.py)."""

    async def probe() -> None:
        async with raw_server("stall") as stall:
            task = asyncio.ensure_future(
                probe_local_servers([stall, fake_openai.port], timeout=3600)
            )
            try:
                await wait_until(lambda: bool(fake_openai.requests), timeout=30)
                assert not task.done()  # still waiting on the stalled port
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    run_async(probe(), timeout=60)
