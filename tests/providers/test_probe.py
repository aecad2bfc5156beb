"""Finding local servers and testing a connection, through the real SDK and adapter."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from streamchat_desktop.core.errors import ChatError, ErrorKind
from streamchat_desktop.providers.base import Endpoint
from streamchat_desktop.providers.probe import check_connection, probe_local_servers
from tests.support.fake_openai import FakeOpenAIServer, Script
from tests.support.servers import free_port, raw_server

KEY = "sk-probe-0123456789"


def test_check_connection_lists_models_with_the_key(
    fake_openai: FakeOpenAIServer, run_async: Callable[..., Any]
) -> None:
    check = run_async(check_connection(Endpoint(fake_openai.base_url, KEY)))
    assert check.models == ("gpt-4o", "gpt-4o-mini", "m")
    assert 0 < check.elapsed < 5
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

    started = time.perf_counter()
    with pytest.raises(ChatError) as caught:
        run_async(stall())
    assert caught.value.kind is ErrorKind.TIMEOUT
    assert time.perf_counter() - started < 2


def test_probe_finds_only_openai_compatible_servers_quickly(
    fake_openai: FakeOpenAIServer, run_async: Callable[..., Any]
) -> None:
    async def probe() -> tuple[list[Any], float]:
        async with raw_server("html") as html, raw_server("stall") as stall:
            ports = [free_port(), html, stall, fake_openai.port]
            started = time.perf_counter()
            found = await probe_local_servers(ports)
            return found, time.perf_counter() - started

    run_async(probe_local_servers([free_port()]))  # warm up: the SDK import is not the probe
    found, elapsed = run_async(probe())
    assert [s.base_url for s in found] == [fake_openai.base_url]
    assert found[0].models == ("gpt-4o", "gpt-4o-mini", "m")
    assert found[0].preset == "custom"
    assert elapsed < 0.9, f"probe took {elapsed:.3f} s"
    # the probe sends no real key anywhere
    assert fake_openai.last_request.authorization in (None, "Bearer no-key")
    print(f"PROBE elapsed_s={elapsed:.3f} ports=4")
