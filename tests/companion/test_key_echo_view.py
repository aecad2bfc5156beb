"""A key the server echoes inside its answer never reaches a companion view
(issue 14, item 6): the real provider through the SDK, the real server, a real
Socket.IO client watching ``message:delta``."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from streamchat_desktop.companion import protocol as p
from streamchat_desktop.companion.server import CompanionServer
from streamchat_desktop.core.chat_service import ChatService, ChatTarget
from streamchat_desktop.core.models import Conversation
from streamchat_desktop.core.store import MemoryStore
from streamchat_desktop.providers.base import Endpoint
from streamchat_desktop.providers.openai_compat import OpenAICompatibleProvider
from tests.companion.conftest import Harness, ScriptedModel
from tests.support.fake_openai import FakeOpenAIServer, Script

RunAsync = Callable[..., Any]
KEY = "sk-live-Echo0123456789abcdefghijklmnop"


@pytest.fixture
def keyed_harness(
    fake_openai: FakeOpenAIServer,
    run_async: RunAsync,
) -> Iterator[Harness]:
    provider = OpenAICompatibleProvider(Endpoint(fake_openai.base_url, KEY, 10.0, 5.0))

    def target(_conversation: Conversation) -> ChatTarget:
        return ChatTarget(provider.stream, "m")

    store = MemoryStore()
    service = ChatService(store, target)
    server = CompanionServer(service)
    run_async(server.start())
    harness = Harness(store, ScriptedModel(), service, server)
    yield harness
    run_async(harness.close())
    run_async(provider.aclose())


def test_a_view_gets_stars_never_the_key(
    keyed_harness: Harness,
    fake_openai: FakeOpenAIServer,
    run_async: RunAsync,
) -> None:
    answer = f"The key was {KEY}; I will not repeat {KEY}."
    deltas = [answer[i : i + 3] for i in range(0, len(answer), 3)]
    fake_openai.enqueue(Script(deltas=deltas, reasoning=[KEY[:9], KEY[9:]]))

    async def scenario() -> list[tuple[str, Any]]:
        viewer = await keyed_harness.viewer()
        ack = await viewer.client.call(p.PROMPT_SEND, {"text": "echo"}, timeout=5)
        assert ack["ok"] is True
        await viewer.wait_for(lambda: p.MESSAGE_FINISHED in viewer.names(), timeout=10)
        return viewer.events

    events = run_async(scenario())
    deltas_seen = [data for name, data in events if name == p.MESSAGE_DELTA]
    assert "".join(d["text"] for d in deltas_seen) == "The key was ***; I will not repeat ***."
    assert "".join(d["reasoning"] for d in deltas_seen) == "***"
    assert KEY not in json.dumps(events)
    assert fake_openai.last_request.authorization == f"Bearer {KEY}"
