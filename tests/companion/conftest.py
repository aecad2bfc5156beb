"""A real CompanionServer on the session's qasync loop, fed by a stream the test drives.

``ScriptedModel`` is a ChatTarget whose reply yields exactly the deltas the test pushes
(so "join in the middle of an answer" is a fact, not a race); ``Viewer`` is a real
python-socketio client that records every event and rebuilds each reply from the
snapshot and deltas, failing on any gap or duplicate ``seq``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import socketio

from streamchat_desktop.companion import protocol as p
from streamchat_desktop.companion.server import CompanionServer
from streamchat_desktop.core.chat_service import ChatService, ChatTarget
from streamchat_desktop.core.events import StreamEnd, StreamEvent, TextDelta
from streamchat_desktop.core.models import ChatRequest, Conversation
from streamchat_desktop.core.store import MemoryStore
from streamchat_desktop.providers.base import Endpoint
from streamchat_desktop.providers.openai_compat import OpenAICompatibleProvider
from tests.support.fake_openai import FakeOpenAIServer
from tests.support.waiting import PATIENCE, wait_until

_END = object()


class ScriptedModel:
    """A model whose every reply streams what the test ``push``es, until ``end()``."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[object] = asyncio.Queue()
        self.opened = 0
        self.closed = 0
        self.requests: list[ChatRequest] = []

    def target(self, _conversation: Conversation) -> ChatTarget:
        return ChatTarget(open_stream=self.open_stream, model="scripted")

    async def open_stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        self.opened += 1
        self.requests.append(request)
        try:
            while True:
                item = await self.queue.get()
                if item is _END:
                    yield StreamEnd("stop")
                    return
                if isinstance(item, BaseException):
                    raise item
                assert isinstance(item, str)
                yield TextDelta(item)
        finally:
            self.closed += 1

    def push(self, *texts: str) -> None:
        for text in texts:
            self.queue.put_nowait(text)

    def end(self) -> None:
        self.queue.put_nowait(_END)


@dataclass
class Reply:
    """A reply as one view rebuilt it."""

    text: str = ""
    seq: int = 0
    state: str = "streaming"
    deltas_received: int = 0


@dataclass
class Viewer:
    """A real Socket.IO client recording what a view would show."""

    client: Any
    events: list[tuple[str, Any]] = field(default_factory=list)
    replies: dict[str, Reply] = field(default_factory=dict)
    snapshots: list[p.SnapshotPayload] = field(default_factory=list)
    branches: list[p.BranchChangedPayload] = field(default_factory=list)
    refused: list[Any] = field(default_factory=list)

    def handlers(self) -> dict[str, Callable[[Any], None]]:
        return {
            p.SNAPSHOT: self._snapshot,
            p.MESSAGE_STARTED: self._started,
            p.MESSAGE_DELTA: self._delta,
            p.MESSAGE_FINISHED: self._finished,
            p.MESSAGE_FAILED: self._finished,
            p.CONVERSATION_UPDATED: lambda data: None,
            p.CONVERSATION_DELETED: lambda data: None,
            p.BRANCH_CHANGED: self._branch,
        }

    def attach(self) -> None:
        for event, handler in self.handlers().items():
            self.client.on(event, self._recording(event, handler))
        self.client.on("connect_error", self.refused.append)

    def _recording(self, event: str, handler: Callable[[Any], None]) -> Callable[[Any], None]:
        def record(data: Any) -> None:
            self.events.append((event, data))
            handler(data)

        return record

    def _snapshot(self, data: p.SnapshotPayload) -> None:
        self.snapshots.append(data)
        self._take(data["messages"])

    def _branch(self, data: p.BranchChangedPayload) -> None:
        self.branches.append(data)
        self._take(data["messages"])

    def _take(self, messages: list[p.MessageView]) -> None:
        """Replies as a snapshot or a branch has them (a reply in flight: with its seq)."""
        for message in messages:
            if message["role"] == "assistant":
                self.replies[message["id"]] = Reply(
                    message["content"], message["seq"], message["state"]
                )

    def _started(self, data: p.MessageStartedPayload) -> None:
        message = data["message"]
        self.replies[message["id"]] = Reply(message["content"], 0, "streaming")

    def _delta(self, data: p.MessageDeltaPayload) -> None:
        reply = self.replies[data["message_id"]]
        assert data["first_seq"] == reply.seq + 1, f"gap or duplicate: {data} after {reply.seq}"
        assert data["seq"] >= data["first_seq"]
        reply.text += data["text"]
        reply.seq = data["seq"]
        reply.deltas_received += 1

    def _finished(self, data: Any) -> None:
        reply = self.replies[data["message_id"]]
        assert reply.seq == data["seq"], f"ended at {data['seq']}, view has {reply.seq}"
        reply.state = data.get("state", "failed")

    def names(self) -> list[str]:
        return [name for name, _ in self.events]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = PATIENCE) -> None:
        await wait_until(predicate, timeout)


@dataclass
class Harness:
    store: MemoryStore
    model: ScriptedModel
    service: ChatService
    server: CompanionServer
    viewers: list[Viewer] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    async def viewer(
        self,
        *,
        token: str | None = "default",
        headers: dict[str, str] | None = None,
        transports: list[str] | None = None,
        reconnection: bool = False,
    ) -> Viewer:
        client = socketio.AsyncClient(reconnection=reconnection)
        viewer = Viewer(client)
        viewer.attach()
        auth = (
            None if token is None else {"token": self.server.token if token == "default" else token}
        )
        self.viewers.append(viewer)
        await client.connect(
            self.base_url,
            auth=auth,
            headers=headers or {},
            transports=transports or ["websocket"],
            wait_timeout=30,
        )
        await viewer.wait_for(lambda: bool(viewer.snapshots))
        return viewer

    async def close(self) -> None:
        """Viewers, replies and server closed; each step runs even when one before fails."""
        async with contextlib.AsyncExitStack() as steps:
            steps.push_async_callback(self.server.stop)  # callbacks run last-pushed first
            steps.push_async_callback(self.service.stop_all)
            for viewer in self.viewers:
                if viewer.client.connected:
                    steps.push_async_callback(viewer.client.disconnect)


@pytest.fixture
def harness(run_async: Callable[..., Any]) -> Iterator[Harness]:
    store = MemoryStore()
    model = ScriptedModel()
    service = ChatService(store, model.target)
    server = CompanionServer(service)
    run_async(server.start())
    h = Harness(store, model, service, server)
    yield h
    run_async(h.close())


@dataclass
class ModelChat:
    """A ChatService whose replies come from the tests' OpenAI server through the real SDK,
    and its companion server, started."""

    service: ChatService
    server: CompanionServer
    fake: FakeOpenAIServer


@pytest.fixture
def model_chat(fake_openai: FakeOpenAIServer, run_async: Callable[..., Any]) -> Iterator[ModelChat]:
    provider = OpenAICompatibleProvider(Endpoint(fake_openai.base_url, api_key="sk-test-secret"))

    def target(_conversation: Conversation) -> ChatTarget:
        return ChatTarget(open_stream=provider.stream, model="m")

    service = ChatService(MemoryStore(), target)
    server = CompanionServer(service)
    run_async(server.start())
    with contextlib.ExitStack() as steps:  # each step runs even when one before fails
        for step in (provider.aclose, server.stop, service.stop_all):  # run last first
            steps.callback(lambda step=step: run_async(step()))
        yield ModelChat(service, server, fake_openai)
