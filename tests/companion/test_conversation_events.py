"""Renames and deletes made in the desktop window reach every view at once, no reconnect.

The window's ChatController changes conversations through the ChatService, which tells
the companion server; real python-socketio clients see ``conversation:updated`` and
``conversation:deleted``, and a view that showed a deleted conversation moves on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from streamchat_desktop.companion import protocol as p
from streamchat_desktop.controllers.chat_controller import ChatController
from streamchat_desktop.core.models import Message
from tests.companion.conftest import Harness, Viewer
from tests.support.waiting import wait_until


@pytest.fixture
def controller(harness: Harness, qapp: Any) -> Iterator[ChatController]:
    """The desktop window's controller, wired to the server as the app wires it."""
    controller = ChatController(harness.service)
    controller.conversation_changed.connect(harness.server.set_active_conversation)
    yield controller
    controller.detach()


def _payloads(viewer: Viewer, event: str) -> list[Any]:
    return [data for name, data in viewer.events if name == event]


def _received(viewer: Viewer, event: str, count: int) -> Callable[[], bool]:
    return lambda: len(_payloads(viewer, event)) == count


def _shown(viewer: Viewer) -> str | None:
    conversation = viewer.snapshots[-1]["conversation"]
    return conversation["id"] if conversation else None


def _listed(viewer: Viewer) -> list[str]:
    return [c["id"] for c in viewer.snapshots[-1]["conversations"]]


def test_a_rename_in_the_window_reaches_every_view(
    harness: Harness, controller: ChatController, run_async: Callable[..., Any]
) -> None:
    async def scenario() -> None:
        conversation_id = controller.new_conversation()
        first, second = await harness.viewer(), await harness.viewer(transports=["polling"])
        controller.rename_conversation(conversation_id, "  Trip   plans ")
        controller.set_target(None, "other-model")
        for viewer in (first, second):
            await viewer.wait_for(_received(viewer, p.CONVERSATION_UPDATED, 2))
            renamed, retargeted = _payloads(viewer, p.CONVERSATION_UPDATED)
            assert renamed["conversation"]["id"] == conversation_id
            assert renamed["conversation"]["title"] == "Trip plans"
            assert retargeted["conversation"]["model"] == "other-model"
            assert len(viewer.snapshots) == 1  # an update, not a resync
        stored = harness.store.get_conversation(conversation_id)
        assert stored is not None and stored.title == "Trip plans"

    run_async(scenario())


def test_a_delete_in_the_window_reaches_every_view(
    harness: Harness, controller: ChatController, run_async: Callable[..., Any]
) -> None:
    async def scenario() -> None:
        older = controller.new_conversation()
        newer = controller.new_conversation()  # the window shows this one
        follower = await harness.viewer()
        picker = await harness.viewer()
        assert (await picker.client.call(p.CONVERSATION_OPEN, {"conversation_id": older}))["ok"]
        await picker.wait_for(lambda: len(picker.snapshots) == 2)
        assert (_shown(follower), _shown(picker)) == (newer, older)

        controller.delete_conversation(newer)
        assert controller.conversation_id == older  # the window moved on
        for viewer in (follower, picker):
            await viewer.wait_for(_received(viewer, p.CONVERSATION_DELETED, 1))
            assert _payloads(viewer, p.CONVERSATION_DELETED) == [{"conversation_id": newer}]
        # The view that showed it gets the window's next conversation, and follows it.
        await follower.wait_for(lambda: follower.snapshots[-1]["active_conversation_id"] == older)
        names = follower.names()
        assert p.SNAPSHOT in names[names.index(p.CONVERSATION_DELETED) :]
        assert _shown(follower) == older and follower.snapshots[-1]["following"]
        assert _listed(follower) == [older]
        # The view that showed another conversation keeps it.
        assert len(picker.snapshots) == 2 and _shown(picker) == older

        # The last one deleted: the window starts a new conversation; views see it.
        controller.delete_conversation(older)
        fresh = controller.conversation_id
        assert fresh not in (None, older)
        await picker.wait_for(lambda: _shown(picker) == fresh)
        await follower.wait_for(lambda: _shown(follower) == fresh)
        for viewer in (follower, picker):
            assert {"conversation_id": older} in _payloads(viewer, p.CONVERSATION_DELETED)
            assert _listed(viewer) == [fresh]

    run_async(scenario())


def test_deleting_a_conversation_mid_answer_ends_its_stream_quietly(
    harness: Harness, controller: ChatController, run_async: Callable[..., Any]
) -> None:
    save_failures: list[Message] = []
    harness.service.add_save_error_listener(lambda message, _exc: save_failures.append(message))

    async def scenario() -> None:
        keep = controller.new_conversation()
        doomed = controller.new_conversation()
        viewer = await harness.viewer()
        assert controller.send("a long answer please")
        harness.model.push("half ", "an ")
        reply = harness.service.active_reply(doomed)
        assert reply is not None
        await viewer.wait_for(lambda: viewer.replies.get(reply.id, None) is not None)
        await wait_until(lambda: viewer.replies[reply.id].text == "half an ")

        controller.delete_conversation(doomed)
        await wait_until(lambda: harness.model.closed == 1)  # the HTTP stream was closed
        await viewer.wait_for(lambda: _shown(viewer) == keep)
        await wait_until(lambda: harness.service.active_reply(doomed) is None)
        names = viewer.names()
        after = names[names.index(p.CONVERSATION_DELETED) :]
        assert p.MESSAGE_FINISHED not in after and p.MESSAGE_DELTA not in after
        assert harness.store.messages(doomed) == []
        assert harness.service.unsaved_messages() == []

    run_async(scenario())
    assert save_failures == []  # the reply went with its conversation: nothing to save
