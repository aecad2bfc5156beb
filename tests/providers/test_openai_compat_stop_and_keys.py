"""Stop closes the HTTP connection, and the key goes only where it was given: never one
taken from the environment.

The server holds each answer open (a gate, or a response that never comes) and the
provider's read timeout is far away, so a closed connection can only be the client's
doing. How soon it closes is a figure of bench/stream.py, not a bound here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from streamchat_desktop.core.events import Cancelled, TextDelta
from streamchat_desktop.providers.openai_compat import OpenAICompatibleProvider
from tests.providers.conftest import KEY, REQUEST, MakeProvider
from tests.providers.streaming import collect, new_session
from tests.support.fake_openai import FakeOpenAIServer, Gate, Script
from tests.support.waiting import wait_until

RunAsync = Callable[..., Any]
NEVER = 3600.0  # a read timeout and a server delay that no test run reaches
CLOSED_BY_NOW = 30.0  # generous: the connection closes at once, well before NEVER


@pytest.fixture
def patient(make_provider: MakeProvider) -> OpenAICompatibleProvider:
    """A provider that would wait for the server practically forever."""
    return make_provider(timeout=NEVER)


def test_stop_closes_the_connection_and_keeps_the_text(
    fake_openai: FakeOpenAIServer, patient: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    held = Gate(after=10)
    fake_openai.enqueue(Script(deltas=[f"d{i} " for i in range(200)], gate=held))
    run = new_session(patient.stream, REQUEST)

    async def scenario() -> None:
        task = run.session.start()
        await wait_until(lambda: run.session.text.endswith("d9 "))
        run.session.stop()
        outcome = await task
        assert isinstance(outcome, Cancelled)
        request = fake_openai.last_request
        await wait_until(lambda: request.client_closed, timeout=CLOSED_BY_NOW)

    run_async(scenario(), timeout=2 * CLOSED_BY_NOW)

    assert fake_openai.last_request.deltas_sent == 10
    received = [e.text for e in run.events if isinstance(e, TextDelta)]
    assert run.session.text == "".join(received) == "".join(f"d{i} " for i in range(10))
    assert [e for e in run.events if isinstance(e, Cancelled)] == [run.session.outcome]


def test_stop_before_the_headers_arrive_closes_the_connection(
    fake_openai: FakeOpenAIServer, patient: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    fake_openai.enqueue(Script(response_delay=NEVER))
    run = new_session(patient.stream, REQUEST)

    async def scenario() -> None:
        task = run.session.start()
        await wait_until(lambda: bool(fake_openai.requests))
        run.session.stop()
        assert isinstance(await task, Cancelled)
        request = fake_openai.last_request
        await wait_until(lambda: request.client_closed, timeout=CLOSED_BY_NOW)

    run_async(scenario(), timeout=2 * CLOSED_BY_NOW)
    assert run.session.text == ""


def test_cancelling_the_consumer_closes_the_connection(
    fake_openai: FakeOpenAIServer, patient: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    """Whoever cancels (app shutdown, not Stop), the response is closed."""
    held = Gate(after=3)
    fake_openai.enqueue(Script(deltas=["x"] * 100, gate=held))

    async def scenario() -> None:
        task = asyncio.ensure_future(collect(patient, REQUEST))
        await wait_until(lambda: held.reached)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        request = fake_openai.last_request
        await wait_until(lambda: request.client_closed, timeout=CLOSED_BY_NOW)

    run_async(scenario(), timeout=2 * CLOSED_BY_NOW)


def test_breaking_out_of_the_stream_closes_the_connection(
    fake_openai: FakeOpenAIServer, patient: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    fake_openai.enqueue(Script(deltas=["x"] * 100, gate=Gate(after=1)))

    async def scenario() -> None:
        stream = patient.stream(REQUEST)
        async for _event in stream:
            break
        await stream.aclose()  # type: ignore[attr-defined]
        request = fake_openai.last_request
        await wait_until(lambda: request.client_closed, timeout=CLOSED_BY_NOW)

    run_async(scenario(), timeout=2 * CLOSED_BY_NOW)


def test_connection_is_reused_after_a_complete_answer(
    fake_openai: FakeOpenAIServer, provider: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    run_async(collect(provider, REQUEST))
    run_async(collect(provider, REQUEST))

    first, second = fake_openai.chat_requests
    assert first.connection_id == second.connection_id
    assert not first.client_closed and not second.client_closed


def test_the_given_key_is_sent_not_the_environment_one(
    fake_openai: FakeOpenAIServer,
    make_provider: MakeProvider,
    run_async: RunAsync,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-environment")
    monkeypatch.setenv("OPENAI_CUSTOM_HEADERS", "Authorization: Bearer sk-custom-env")
    monkeypatch.setenv("OPENAI_ORG_ID", "org-environment")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj-environment")

    run_async(collect(make_provider(KEY), REQUEST))
    run_async(make_provider(KEY).list_models())

    for request in fake_openai.requests:
        assert request.authorization == f"Bearer {KEY}"
        assert "openai-organization" not in request.headers
        assert "openai-project" not in request.headers


def test_no_key_sends_no_authorization_at_all(
    fake_openai: FakeOpenAIServer,
    make_provider: MakeProvider,
    run_async: RunAsync,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-environment")
    monkeypatch.setenv("OPENAI_ADMIN_KEY", "sk-admin-environment")
    monkeypatch.setenv("OPENAI_CUSTOM_HEADERS", "Authorization: Bearer sk-custom-env")

    out = run_async(collect(make_provider(None), REQUEST))
    run_async(make_provider(None).list_models())

    assert out.error is None and out.text == "Hello world!"
    for request in fake_openai.requests:
        assert "authorization" not in request.headers
        assert not any("environment" in value for value in request.headers.values())
