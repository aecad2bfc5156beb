"""Protocol 3: a view acts on any message (edit, regenerate, versions, continue, delete
and undo) through the real server, on a real SQLite file with replies from the tests'
OpenAI server; every view and the desktop side (the service's observers) get the same
branch. Untrusted requests (unknown ids, huge text, deep JSON) get a clear error ack."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import aiohttp
import pytest
import socketio

from streamchat_desktop.companion import protocol as p
from streamchat_desktop.companion.server import CompanionServer
from streamchat_desktop.core.branch import Branch
from tests.companion.conftest import Harness, Viewer
from tests.companion.raw_engineio import RawWebSocket
from tests.support.fake_openai import Gate, Script
from tests.support.live_chat import LiveChat, live_chat  # noqa: F401
from tests.support.waiting import wait_until

RunAsync = Callable[..., Any]
TURNS = [("q1", "a1"), ("q2", "a2"), ("q3", "a3")]


class Views:
    """The server on the live service and two real Socket.IO views of it."""

    def __init__(self, chat: LiveChat) -> None:
        self.chat = chat
        self.server = CompanionServer(chat.service)
        self.viewers: list[Viewer] = []

    async def connect(self, count: int = 2) -> list[Viewer]:
        for _ in range(count):
            viewer = Viewer(socketio.AsyncClient(reconnection=False))
            viewer.attach()
            self.viewers.append(viewer)
            await viewer.client.connect(
                f"http://127.0.0.1:{self.server.port}",
                auth={"token": self.server.token},
                transports=["websocket"],
                wait_timeout=30,
            )
            await viewer.wait_for(lambda v=viewer: bool(v.snapshots))
        return self.viewers

    async def call(self, event: str, payload: object) -> Any:
        return await self.viewers[0].client.call(event, payload, timeout=30)

    async def close(self) -> None:
        for viewer in self.viewers:
            if viewer.client.connected:
                await viewer.client.disconnect()
        await self.server.stop()


@pytest.fixture
def views(live_chat: LiveChat, run_async: RunAsync) -> Iterator[Views]:  # noqa: F811
    made = Views(live_chat)
    run_async(made.server.start())
    yield made
    run_async(made.close())


def shown(branch: Branch) -> list[tuple[str, str, Any, bool]]:
    """(id, content, version, can_continue) as the desktop side holds the branch."""
    return [
        (m.id, m.content, _version(branch.position(m.id)), branch.can_continue(m.id))
        for m in branch.messages
    ]


def _version(position: tuple[int, int] | None) -> dict[str, int] | None:
    return None if position is None else {"number": position[0], "count": position[1]}


def in_view(messages: list[p.MessageView]) -> list[tuple[str, str, Any, bool]]:
    return [(m["id"], m["content"], m["version"], m["can_continue"]) for m in messages]


def settled(chat: LiveChat, viewers: list[Viewer], cid: str, count: int) -> Callable[[], bool]:
    """Every view has had ``count`` branch changes and the service is idle."""
    return lambda: (
        chat.service.active_reply(cid) is None and all(len(v.branches) >= count for v in viewers)
    )


def test_edit_switch_regenerate_delete_undo_reach_every_view_and_the_desktop(
    views: Views, run_async: RunAsync
) -> None:
    chat = views.chat
    conversation = chat.turns(TURNS)
    views.server.set_active_conversation(conversation.id)
    q1, a1, q2, a2, _q3, _a3 = chat.branch(conversation.id)

    async def scenario() -> None:
        viewers = await views.connect()
        done = 0

        async def act(event: str, payload: object, *, changes: int = 1) -> Any:
            nonlocal done
            ack = await views.call(event, payload)
            assert ack["ok"] is True, ack
            done += changes
            await wait_until(settled(chat, viewers, conversation.id, done))
            told = shown(chat.observer.branches[-1])  # the desktop side, at that moment
            for viewer in viewers:
                assert in_view(viewer.branches[-1]["messages"]) == told
            now = shown(chat.service.branch(conversation.id))
            assert [(i, v) for i, _, v, _ in now] == [(i, v) for i, _, v, _ in told]
            return ack

        chat.answer_with("a1 edited")
        edit = await act(p.MESSAGE_EDIT, {"message_id": q1.id, "text": "q1 edited"})
        assert chat.texts(conversation.id) == ["q1 edited", "a1 edited"]
        assert chat.last_sent() == [("user", "q1 edited")]
        first = viewers[1].branches[-1]["messages"][0]
        assert first["version"] == {"number": 2, "count": 2}
        assert edit["message_id"] == chat.branch(conversation.id)[-1].id

        back = await act(p.VERSION_SWITCH, {"message_id": first["id"], "step": -1})
        assert back["version"] == {"number": 1, "count": 2} and back["message_id"] == q1.id
        assert chat.texts(conversation.id) == ["q1", "a1", "q2", "a2", "q3", "a3"]

        chat.answer_with("a2 again")
        await act(p.MESSAGE_REGENERATE, {"message_id": a2.id})
        assert chat.texts(conversation.id) == ["q1", "a1", "q2", "a2 again"]
        assert chat.last_sent() == [("user", "q1"), ("assistant", "a1"), ("user", "q2")]

        deleted = await act(p.MESSAGE_DELETE, {"message_id": a1.id})
        assert deleted["message_id"] == a1.id
        assert chat.texts(conversation.id) == ["q1", "q2", "a2 again"]
        await act(p.MESSAGE_RESTORE, {"message_id": a1.id})
        assert chat.texts(conversation.id) == ["q1", "a1", "q2", "a2 again"]
        gone = await views.call(p.MESSAGE_RESTORE, {"message_id": a1.id})
        assert gone["ok"] is False and gone["error"] == p.ERROR_NOT_FOUND

    run_async(scenario())
    assert q2.id in [m.id for m in chat.branch(conversation.id)]


def test_a_cut_answer_is_continued_from_a_view(views: Views, run_async: RunAsync) -> None:
    chat = views.chat
    conversation = chat.service.new_conversation()
    views.server.set_active_conversation(conversation.id)
    chat.answer_with("half of it", finish_reason="length")
    chat.service.send(conversation.id, "q")
    chat.wait_idle(conversation.id)
    cut = chat.branch(conversation.id)[-1]

    async def scenario() -> None:
        [viewer] = await views.connect(1)
        [snapshot] = viewer.snapshots
        assert [m["can_continue"] for m in snapshot["messages"]] == [False, True]
        refused = await views.call(
            p.MESSAGE_CONTINUE, {"message_id": snapshot["messages"][0]["id"]}
        )
        assert refused["ok"] is False and refused["error"] == p.ERROR_NOT_FOUND
        chat.answer_with(" and the rest")
        ack = await views.call(p.MESSAGE_CONTINUE, {"message_id": cut.id})
        assert ack == {"ok": True, "conversation_id": conversation.id, "message_id": cut.id}
        await viewer.wait_for(lambda: p.MESSAGE_FINISHED in viewer.names())
        [finished] = [data for name, data in viewer.events if name == p.MESSAGE_FINISHED]
        assert finished["can_continue"] is False
        assert viewer.replies[cut.id].text == "half of it and the rest"

    run_async(scenario())
    assert chat.texts(conversation.id) == ["q", "half of it and the rest"]


def test_actions_are_refused_while_a_reply_streams(views: Views, run_async: RunAsync) -> None:
    chat = views.chat
    conversation = chat.turns(TURNS[:1])
    q1, a1 = chat.branch(conversation.id)
    gate = Gate(after=1)
    chat.server.enqueue(Script(deltas=["held", " open"], gate=gate))

    async def scenario() -> list[Any]:
        [viewer] = await views.connect(1)
        chat.service.send(conversation.id, "q2")
        await wait_until(lambda: gate.reached)
        try:
            return [
                await views.call(p.MESSAGE_EDIT, {"message_id": q1.id, "text": "x"}),
                await views.call(p.MESSAGE_REGENERATE, {"message_id": a1.id}),
                await views.call(p.MESSAGE_DELETE, {"message_id": q1.id}),
            ]
        finally:
            gate.release()  # the reply ends while the loop runs, and the view gets it
            await viewer.wait_for(lambda: p.MESSAGE_FINISHED in viewer.names())

    acks = run_async(scenario())
    assert [ack["error"] for ack in acks] == [p.ERROR_BUSY] * 3
    assert all("A reply is streaming" in ack["message"] for ack in acks)
    assert chat.texts(conversation.id) == ["q1", "a1", "q2", "held open"]


@pytest.mark.parametrize(
    ("event", "payload"),
    [
        (p.MESSAGE_EDIT, {"message_id": "nope", "text": "x"}),
        (p.MESSAGE_REGENERATE, {"message_id": "nope"}),
        (p.MESSAGE_CONTINUE, {"message_id": "nope"}),
        (p.MESSAGE_DELETE, {"message_id": "nope"}),
        (p.MESSAGE_RESTORE, {"message_id": "nope"}),
        (p.VERSION_SWITCH, {"message_id": "nope", "step": 1}),
    ],
)
def test_unknown_messages_are_not_found(
    harness: Harness, run_async: RunAsync, event: str, payload: object
) -> None:
    async def scenario() -> Any:
        viewer = await harness.viewer()
        return await viewer.client.call(event, payload, timeout=30)

    ack = run_async(scenario())
    assert ack["ok"] is False and ack["error"] == p.ERROR_NOT_FOUND
    assert isinstance(ack["message"], str) and ack["message"]


def test_wrong_kinds_and_missing_versions_are_refused_in_words(
    views: Views, run_async: RunAsync
) -> None:
    chat = views.chat
    conversation = chat.turns(TURNS[:1])
    q1, a1 = chat.branch(conversation.id)

    async def scenario() -> list[Any]:
        await views.connect(1)
        return [
            await views.call(p.MESSAGE_EDIT, {"message_id": a1.id, "text": "x"}),
            await views.call(p.MESSAGE_REGENERATE, {"message_id": q1.id}),
            await views.call(p.VERSION_SWITCH, {"message_id": a1.id, "step": 1}),
            await views.call(
                p.MESSAGE_EDIT, {"message_id": q1.id, "text": "x" * (p.MAX_PROMPT_CHARS + 1)}
            ),
        ]

    edit, regenerate, switch, huge = run_async(scenario())
    assert edit["error"] == p.ERROR_NOT_FOUND and "only a prompt" in edit["message"]
    assert regenerate["error"] == p.ERROR_NOT_FOUND and "only an answer" in regenerate["message"]
    assert switch["error"] == p.ERROR_NOT_FOUND and "no version" in switch["message"]
    assert huge["error"] == p.ERROR_PROMPT_TOO_LONG
    assert chat.texts(conversation.id) == ["q1", "a1"]
    assert chat.server.chat_requests[1:] == []


def test_a_deeply_nested_edit_is_refused_with_an_ack(harness: Harness, run_async: RunAsync) -> None:
    deep = 5000
    packet = "427" + '["message:edit",{"message_id":"m","text":' + "[" * deep + "]" * deep + "}]"

    async def scenario() -> tuple[Any, Any]:
        async with aiohttp.ClientSession() as session:
            raw = await RawWebSocket.connect(session, harness.base_url, harness.server.token)
            try:
                await raw.send(packet)
                refused = await raw.ack(7)
                still = await raw.call(8, p.CONVERSATION_OPEN, {"conversation_id": None})
                return refused, still
            finally:
                await raw.close()

    refused, still = run_async(scenario())
    assert refused["ok"] is False and refused["error"] == p.ERROR_INVALID
    assert f"deeper than {p.MAX_JSON_DEPTH} levels" in refused["message"]
    assert still == {"ok": True}
