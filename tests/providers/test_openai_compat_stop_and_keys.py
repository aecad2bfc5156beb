"""Stop closes the HTTP connection (the server sees it within 200 ms), and the key
goes only where it was given: never one taken from the environment."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest

from streamchat_desktop.core.events import Cancelled, TextDelta
from streamchat_desktop.providers.openai_compat import OpenAICompatibleProvider
from tests.providers.conftest import KEY, REQUEST, MakeProvider
from tests.providers.streaming import collect, new_session
from tests.support.fake_openai import FakeOpenAIServer, Script
from tests.support.waiting import wait_until

RunAsync = Callable[..., Any]
CLOSE_WITHIN = 0.2


def test_stop_closes_the_connection_and_keeps_the_text(
    fake_openai: FakeOpenAIServer, provider: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    fake_openai.enqueue(Script(deltas=[f"d{i} " for i in range(200)], delay=0.01))
    run = new_session(provider.stream, REQUEST)

    async def scenario() -> float:
        task = run.session.start()
        await wait_until(lambda: len(run.session.text) > 10)
        stopped_at = time.monotonic()
        run.session.stop()
        outcome = await task
        assert isinstance(outcome, Cancelled)
        request = fake_openai.last_request
        await wait_until(lambda: request.client_closed, timeout=2)
        assert request.client_closed_at is not None
        return request.client_closed_at - stopped_at

    seen_after = run_async(scenario())

    assert seen_after < CLOSE_WITHIN
    assert fake_openai.last_request.deltas_sent < 200
    received = [e.text for e in run.events if isinstance(e, TextDelta)]
    assert run.session.text == "".join(received) and received
    assert [e for e in run.events if isinstance(e, Cancelled)] == [run.session.outcome]


def test_stop_before_the_headers_arrive_closes_the_connection(
    fake_openai: FakeOpenAIServer, provider: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    fake_openai.enqueue(Script(response_delay=5))
    run = new_session(provider.stream, REQUEST)

    async def scenario() -> float:
        task = run.session.start()
        await wait_until(lambda: bool(fake_openai.requests))
        stopped_at = time.monotonic()
        run.session.stop()
        assert isinstance(await task, Cancelled)
        request = fake_openai.last_request
        await wait_until(lambda: request.client_closed, timeout=2)
        assert request.client_closed_at is not None
        return request.client_closed_at - stopped_at

    assert run_async(scenario()) < CLOSE_WITHIN
    assert run.session.text == ""


def test_cancelling_the_consumer_closes_the_connection(
    fake_openai: FakeOpenAIServer, provider: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    """Whoever cancels (app shutdown, not Stop), the response is closed."""
    fake_openai.enqueue(Script(deltas=["x"] * 100, delay=0.01))

    async def scenario() -> float:
        task = asyncio.ensure_future(collect(provider, REQUEST))
        await wait_until(
            lambda: bool(fake_openai.requests) and fake_openai.last_request.deltas_sent > 2
        )
        cancelled_at = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        request = fake_openai.last_request
        await wait_until(lambda: request.client_closed, timeout=2)
        assert request.client_closed_at is not None
        return request.client_closed_at - cancelled_at

    assert run_async(scenario()) < CLOSE_WITHIN


def test_breaking_out_of_the_stream_closes_the_connection(
    fake_openai: FakeOpenAIServer, provider: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    fake_openai.enqueue(Script(deltas=["x"] * 100, delay=0.01))

    async def scenario() -> None:
        stream = provider.stream(REQUEST)
        async for _event in stream:
            break
        await stream.aclose()  # type: ignore[attr-defined]
        request = fake_openai.last_request
        await wait_until(lambda: request.client_closed, timeout=CLOSE_WITHIN)

    run_async(scenario())


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
