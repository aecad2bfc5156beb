"""ToolCallController: tool calls and notices as Qt signals, and the desktop's decisions
reaching the waiting call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from streamchat_desktop.controllers.tool_calls import ToolCallController
from streamchat_desktop.core.approvals import ApprovalDesk
from streamchat_desktop.core.chat_service import ChatService, ChatTarget, ToolSetup
from streamchat_desktop.core.events import StreamEnd, StreamEvent, TextDelta
from streamchat_desktop.core.models import ChatRequest, Role
from streamchat_desktop.core.store import MemoryStore
from streamchat_desktop.core.tool_events import Notice, ToolCallFragment
from streamchat_desktop.core.tools import ToolStatus
from tests.support.local_tools import LocalToolbox
from tests.support.waiting import wait_until

RunAsync = Callable[..., Any]


async def model(request: ChatRequest) -> Any:
    """Asks for one echo call, then answers with what the tool said."""
    events: list[StreamEvent]
    if request.messages[-1].role is Role.TOOL:
        events = [TextDelta(f"The tool said: {request.messages[-1].content}"), StreamEnd("stop")]
    else:
        events = [
            Notice("a server did not start"),
            ToolCallFragment(0, "call_a", "echo", '{"text": "hi"}'),
            StreamEnd("tool_calls"),
        ]
    for event in events:
        yield event


def test_calls_and_notices_are_signalled_and_a_decision_releases_the_call(
    qtbot: object, run_async: RunAsync
) -> None:
    always: list[str] = []
    desk = ApprovalDesk(lambda k: k in always, always.append)
    service = ChatService(
        MemoryStore(), lambda _c: ChatTarget(model, "m"), tools=ToolSetup(LocalToolbox(), desk)
    )
    controller = ToolCallController(service, desk.decide)
    changes: list[tuple[str, ToolStatus]] = []
    notices: list[str] = []
    controller.tool_call_changed.connect(lambda _c, _m, r: changes.append((r.call.id, r.status)))
    controller.notice_received.connect(lambda _c, text: notices.append(text))
    conversation = service.new_conversation()

    async def scenario() -> str:
        reply = service.send(conversation.id, "echo hi")
        await wait_until(lambda: desk.pending() == ["call_a"])
        assert not controller.decide("call_a", "maybe")  # not a decision
        assert controller.decide("call_a", "always_allow")
        await wait_until(lambda: not service.is_streaming(reply.id))
        return service.messages(conversation.id)[-1].content

    assert run_async(scenario()) == "The tool said: echo: hi"
    assert notices == ["a server did not start"]
    assert changes == [
        ("call_a", ToolStatus.PENDING),
        ("call_a", ToolStatus.RUNNING),
        ("call_a", ToolStatus.DONE),
    ]
    assert always == ["local/echo"]
    controller.detach()
