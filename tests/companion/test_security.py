"""Who gets in: the token, the Origin, the Host, the bind address."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
import socketio

from streamchat_desktop.companion import protocol as p
from streamchat_desktop.companion.security import CompanionStartError
from streamchat_desktop.companion.server import CompanionServer
from streamchat_desktop.core.chat_service import ChatService
from streamchat_desktop.core.store import MemoryStore
from tests.companion.conftest import Harness, ScriptedModel

POLLING = "/socket.io/?EIO=4&transport=polling"


async def _refused(harness: Harness, **connect: Any) -> list[Any]:
    client = socketio.AsyncClient(reconnection=False)
    errors: list[Any] = []
    client.on("connect_error", errors.append)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(harness.base_url, transports=["websocket"], wait_timeout=30, **connect)
    assert not client.connected
    await client.eio.disconnect()  # closes the engine.io client's HTTP session
    return errors


def test_no_token_refused(harness: Harness, run_async: Callable[..., Any]) -> None:
    errors = run_async(_refused(harness))
    assert errors and errors[-1]["message"] == p.REFUSED_UNAUTHORIZED
    assert harness.server.view_count == 0


def test_wrong_token_refused(harness: Harness, run_async: Callable[..., Any]) -> None:
    for auth in ({"token": "x" + harness.server.token}, {"token": 12}, {"nope": 1}, "token"):
        errors = run_async(_refused(harness, auth=auth))
        assert errors[-1]["message"] == p.REFUSED_UNAUTHORIZED
    assert harness.server.view_count == 0


def test_right_token_gets_snapshot(harness: Harness, run_async: Callable[..., Any]) -> None:
    viewer = run_async(harness.viewer())
    assert viewer.names()[0] == p.SNAPSHOT
    assert viewer.snapshots[0]["protocol"] == p.PROTOCOL_VERSION
    assert harness.server.view_count == 1


def test_url_carries_token_in_fragment(harness: Harness) -> None:
    server = harness.server
    assert server.url == f"http://127.0.0.1:{server.port}/#token={server.token}"
    assert "*" not in server.origins
    assert server.origins[:2] == [
        f"http://127.0.0.1:{server.port}",
        f"http://localhost:{server.port}",
    ]


def test_foreign_origin_refused_over_http(harness: Harness, run_async: Callable[..., Any]) -> None:
    async def probe() -> dict[str, int]:
        statuses = {}
        async with aiohttp.ClientSession() as session:
            for origin in (
                "http://evil.example",
                f"http://evil.example:{harness.server.port}",
                "null",
                f"http://127.0.0.1:{harness.server.port}",
            ):
                async with session.get(
                    harness.base_url + POLLING, headers={"Origin": origin}
                ) as response:
                    statuses[origin] = response.status
                    allow = response.headers.get("Access-Control-Allow-Origin")
                    assert allow in (None, origin) and allow != "*"
        return statuses

    statuses = run_async(probe())
    port = harness.server.port
    assert statuses["http://evil.example"] == 403
    assert statuses[f"http://evil.example:{port}"] == 403
    assert statuses["null"] == 403
    assert statuses[f"http://127.0.0.1:{port}"] == 200


def test_foreign_origin_refused_over_websocket(
    harness: Harness, run_async: Callable[..., Any]
) -> None:
    run_async(
        _refused(
            harness, auth={"token": harness.server.token}, headers={"Origin": "http://evil.example"}
        )
    )
    assert harness.server.view_count == 0


def test_rebound_host_name_refused(harness: Harness, run_async: Callable[..., Any]) -> None:
    """DNS rebinding: a page at evil.example resolving to 127.0.0.1 sends that Host."""

    async def probe() -> tuple[int, int]:
        async with aiohttp.ClientSession() as session:
            url = harness.base_url + "/"
            async with session.get(url, headers={"Host": "evil.example"}) as bad:
                bad_status = bad.status
            async with session.get(url) as good:
                good_status = good.status
        return bad_status, good_status

    bad, good = run_async(probe())
    assert bad == 421
    assert good in (200, 503)  # 503: the page is not built in this checkout


def test_security_headers_on_the_page(harness: Harness, run_async: Callable[..., Any]) -> None:
    async def fetch() -> dict[str, str]:
        async with (
            aiohttp.ClientSession() as session,
            session.get(harness.base_url + "/") as response,
        ):
            return dict(response.headers)

    headers = run_async(fetch())
    csp = headers["Content-Security-Policy"]
    assert "connect-src 'self'" in csp and "img-src 'self' data:" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_refuses_non_loopback_without_opt_in() -> None:
    service = ChatService(MemoryStore(), ScriptedModel().target)
    with pytest.raises(CompanionStartError, match="allow_remote"):
        CompanionServer(service, host="0.0.0.0")


def test_taken_port_falls_back(harness: Harness, run_async: Callable[..., Any]) -> None:
    taken = harness.server.port
    other = CompanionServer(harness.service, port=taken)
    run_async(other.start())
    try:
        assert other.port_in_use == taken
        assert other.port not in (0, taken)
    finally:
        run_async(other.stop())
