"""The real openai SDK, through the adapter, against the tests' own OpenAI server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from streamchat_desktop.core.models import ChatRequest, ChatTurn, Role
from streamchat_desktop.providers.base import Endpoint
from streamchat_desktop.providers.openai_compat import OpenAICompatibleProvider
from tests.support.fake_openai import FakeOpenAIServer
from tests.support.fake_openai_fixtures import fake_openai  # noqa: F401

KEY = "sk-test-0123456789"
REQUEST = ChatRequest(model="m", messages=(ChatTurn(Role.USER, "Say hello"),))

MakeProvider = Callable[..., OpenAICompatibleProvider]


@pytest.fixture
def make_provider(
    fake_openai: FakeOpenAIServer,  # noqa: F811
    run_async: Callable[..., Any],
) -> Iterator[MakeProvider]:
    """Build providers on the fake server, closed after the test."""
    made: list[OpenAICompatibleProvider] = []

    def make(
        api_key: str | None = KEY,
        *,
        base_url: str | None = None,
        timeout: float = 60.0,  # patience: a test about a timeout passes a short one
        connect_timeout: float = 30.0,
    ) -> OpenAICompatibleProvider:
        endpoint = Endpoint(base_url or fake_openai.base_url, api_key, timeout, connect_timeout)
        provider = OpenAICompatibleProvider(endpoint)
        made.append(provider)
        return provider

    yield make
    for provider in made:
        run_async(provider.aclose())


@pytest.fixture
def provider(make_provider: MakeProvider) -> OpenAICompatibleProvider:
    return make_provider()
