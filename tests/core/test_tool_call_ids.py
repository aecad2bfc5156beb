"""Each tool call of a reply keeps its own id, even from a server that sends none or the
same one twice (the id ties a call to its result, its transcript block and the user's
decision), and a call's text that cannot be encoded is repaired where it enters."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from streamchat_desktop.core.chat_service import ChatService, ChatTarget, ToolSetup
from streamchat_desktop.core.events import StreamEnd, StreamEvent, TextDelta
from streamchat_desktop.core.models import ChatRequest, Message, MessageState, Role
from streamchat_desktop.core.store import MemoryStore
from streamchat_desktop.core.tool_events import ToolCallFragment
from streamchat_desktop.core.tool_loop import ToolLimits
from streamchat_desktop.core.tools import ToolOutcome, ToolStatus
from tests.support.local_tools import LocalToolbox, allow_all
from tests.support.waiting import wait_until

RunAsync = Callable[..., Any]


class StepProvider:
    """Answers the n-th request of a reply with the n-th list of events."""

    def __init__(self, steps: Sequence[Sequence[StreamEvent]]) -> None:
        self._steps = list(steps)
        self.requests: list[ChatRequest] = []

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        self.requests.append(request)
        for event in self._steps[len(self.requests) - 1]:
            yield event


def echo_call(text: str, call_id: str | None) -> list[StreamEvent]:
    arguments = '{"text": "' + text + '"}'
    return [ToolCallFragment(0, call_id, "echo", arguments), StreamEnd("tool_calls")]


def run_reply(run_async: RunAsync, provider: StepProvider, toolbox: LocalToolbox) -> Message:
    store = MemoryStore()
    service = ChatService(
        store,
        lambda _c: ChatTarget(provider.stream, "m"),
        tools=ToolSetup(toolbox, allow_all(), ToolLimits()),
    )
    conversation = service.new_conversation()

    async def scenario() -> Message:
        reply = service.send(conversation.id, "Echo twice")
        await wait_until(lambda: not service.is_streaming(reply.id))
        return service.messages(conversation.id)[-1]

    return run_async(scenario())


def test_calls_without_ids_or_with_a_repeated_id_each_get_their_own(
    run_async: RunAsync,
) -> None:
    provider = StepProvider(
        [
            echo_call("one", None),
            echo_call("two", None),
            echo_call("three", "call_same"),
            echo_call("four", "call_same"),
            echo_call("five", "call#5"),  # a link cannot carry it: "#5" is a fragment
            [TextDelta("Done."), StreamEnd("stop")],
        ]
    )
    reply = run_reply(run_async, provider, LocalToolbox())

    assert reply.state is MessageState.COMPLETE
    ids = [record.call.id for record in reply.tool_calls]
    assert len(ids) == 5 and len(set(ids)) == 5 and all(ids)
    assert ids[2] == "call_same" and "#" not in ids[4]  # a good id is kept
    assert [r.result for r in reply.tool_calls] == [
        "echo: one",
        "echo: two",
        "echo: three",
        "echo: four",
        "echo: five",
    ]
    last = provider.requests[-1].messages
    asked = [c.id for t in last if t.role is Role.ASSISTANT for c in t.tool_calls]
    answered = [t.tool_call_id for t in last if t.role is Role.TOOL]
    assert asked == answered == ids  # each result goes back under its own call's id


def test_lone_surrogates_in_a_call_and_its_result_become_replacement_characters(
    run_async: RunAsync,
) -> None:
    async def shout(arguments: dict[str, Any]) -> ToolOutcome:
        return ToolOutcome(ToolStatus.DONE, "bad \ud800 result")

    toolbox = LocalToolbox(functions={"echo": shout})
    provider = StepProvider(
        [echo_call("x\ud800", "call_1"), [TextDelta("Done."), StreamEnd("stop")]]
    )
    reply = run_reply(run_async, provider, toolbox)

    (record,) = reply.tool_calls
    assert record.call.arguments == '{"text": "x\ufffd"}'
    assert record.result == "bad \ufffd result"
    record.call.arguments.encode("utf-8")  # what SQLite and the companion need


def test_two_running_replies_never_wait_for_a_decision_under_one_id(
    run_async: RunAsync,
) -> None:
    """The desktop's decisions go by call id: two conversations whose calls came with
    the same id must not share one, or Allow under one would run the other's call."""
    from streamchat_desktop.core.approvals import ApprovalDesk
    from streamchat_desktop.core.tools import Decision

    async def same_id_then_answer(request: ChatRequest) -> AsyncIterator[StreamEvent]:
        events = (
            [TextDelta("Done."), StreamEnd("stop")]
            if request.messages[-1].role is Role.TOOL
            else echo_call("x", "call_same")
        )
        for event in events:
            yield event

    desk = ApprovalDesk(lambda _key: False, lambda _key: None)
    service = ChatService(
        MemoryStore(),
        lambda _c: ChatTarget(same_id_then_answer, "m"),
        tools=ToolSetup(LocalToolbox(), desk, ToolLimits()),
    )
    first, second = service.new_conversation(), service.new_conversation()

    async def scenario() -> tuple[list[str], list[Message]]:
        replies = [service.send(c.id, "Echo") for c in (first, second)]
        await wait_until(lambda: len(desk.pending()) == 2)
        waiting = desk.pending()
        for call_id in waiting:
            assert desk.decide(call_id, Decision.ALLOW_ONCE)
        await wait_until(lambda: not any(service.is_streaming(r.id) for r in replies))
        return waiting, [service.messages(c.id)[-1] for c in (first, second)]

    waiting, ended = run_async(scenario())
    assert len(set(waiting)) == 2
    assert [m.state for m in ended] == [MessageState.COMPLETE] * 2
    assert [m.tool_calls[0].result for m in ended] == ["echo: x", "echo: x"]
