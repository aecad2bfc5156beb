"""Whole replies with tools: the tests' OpenAI server through the real SDK, a real MCP
server, the ChatService. The user's decisions (allow, deny, always allow), Stop in the
middle of a call, and each fault: a hang, a crash, an isError result, a huge result."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from streamchat_desktop.core.approvals import ApprovalDesk
from streamchat_desktop.core.chat_service import ChatService, ChatTarget, ToolSetup
from streamchat_desktop.core.events import TerminalEvent
from streamchat_desktop.core.models import Conversation, Message, MessageState
from streamchat_desktop.core.observers import ProgressEvent, ReplyStart
from streamchat_desktop.core.store import MemoryStore
from streamchat_desktop.core.tool_events import ToolCallChanged
from streamchat_desktop.core.tool_loop import ToolLimits
from streamchat_desktop.core.tools import DECLINED_RESULT, Decision, ToolStatus
from streamchat_desktop.providers.base import Endpoint
from streamchat_desktop.providers.openai_compat import OpenAICompatibleProvider
from streamchat_desktop.tools.mcp_toolbox import McpToolbox
from tests.support.fake_openai import FakeOpenAIServer, Script, ScriptedCall, calling
from tests.support.mcp_servers import stdio_config
from tests.support.waiting import wait_until

RunAsync = Callable[..., Any]


@dataclass
class Rig:
    service: ChatService
    toolbox: McpToolbox
    desk: ApprovalDesk
    always: list[str]
    changes: list[ToolCallChanged] = field(default_factory=list)

    def reply_started(self, start: ReplyStart) -> None:
        pass

    def reply_event(self, conversation_id: str, message_id: str, event: ProgressEvent) -> None:
        if isinstance(event, ToolCallChanged):
            self.changes.append(event)

    def reply_ended(self, message: Message, event: TerminalEvent) -> None:
        pass

    def conversation_updated(self, conversation: Conversation) -> None:
        pass

    def conversation_deleted(self, conversation_id: str) -> None:
        pass

    def pending(self) -> list[str]:
        return self.desk.pending()


@pytest.fixture
def rig(
    fake_openai: FakeOpenAIServer,
    run_async: RunAsync,
) -> Iterator[Rig]:
    provider = OpenAICompatibleProvider(Endpoint(fake_openai.base_url, None, 10.0, 5.0))
    toolbox = McpToolbox([stdio_config()])
    always: list[str] = []
    desk = ApprovalDesk(lambda key: key in always, always.append)
    service = ChatService(
        MemoryStore(),
        lambda _c: ChatTarget(provider.stream, "m"),
        tools=ToolSetup(toolbox, desk, ToolLimits(timeout=1.5, result_cap=1000)),
    )
    made = Rig(service, toolbox, desk, always)
    service.add_observer(made)
    yield made
    run_async(toolbox.aclose())
    run_async(provider.aclose())


def start(rig: Rig, prompt: str = "go") -> tuple[str, Message]:
    conversation = rig.service.new_conversation()
    return conversation.id, rig.service.send(conversation.id, prompt)


async def ended(rig: Rig, conversation_id: str, reply: Message) -> Message:
    await wait_until(lambda: not rig.service.is_streaming(reply.id), timeout=30)
    return rig.service.messages(conversation_id)[-1]


def test_allow_once_then_deny_then_always_allow(
    rig: Rig, fake_openai: FakeOpenAIServer, run_async: RunAsync
) -> None:
    echo = ScriptedCall("echo", ['{"text": "one"}'])
    fake_openai.enqueue(calling(echo), Script(deltas=["ok"]))

    async def decide_each(decision: Decision) -> Message:
        conversation_id, reply = start(rig)
        await wait_until(lambda: bool(rig.pending()), timeout=30)
        assert rig.changes[-1].status is ToolStatus.PENDING
        assert (rig.changes[-1].call.name, rig.changes[-1].server) == ("echo", "testsrv")
        assert rig.desk.decide(rig.pending()[0], decision)
        return await ended(rig, conversation_id, reply)

    allowed = run_async(decide_each(Decision.ALLOW_ONCE))
    assert allowed.tool_calls[0].status is ToolStatus.DONE
    assert allowed.tool_calls[0].result == "echo: one"

    fake_openai.enqueue(calling(ScriptedCall("echo", ['{"text": "two"}'])), Script())
    denied = run_async(decide_each(Decision.DENY))
    assert denied.tool_calls[0].status is ToolStatus.DECLINED
    tool_turn = fake_openai.chat_requests[-1].json["messages"][-1]
    assert tool_turn["content"] == DECLINED_RESULT

    fake_openai.enqueue(calling(ScriptedCall("echo", ['{"text": "3"}'])), Script())
    run_async(decide_each(Decision.ALWAYS_ALLOW))
    assert rig.always == ["testsrv/echo"]
    # the next call of that tool runs without asking
    fake_openai.enqueue(calling(ScriptedCall("echo", ['{"text": "4"}'])), Script())
    conversation_id, reply = start(rig)
    again = run_async(ended(rig, conversation_id, reply))
    assert again.tool_calls[0].result == "echo: 4"
    assert ToolStatus.PENDING in [c.status for c in rig.changes[-3:]]  # shown, not waited on


def test_stop_during_a_call_cancels_the_mcp_request_and_keeps_the_text(
    rig: Rig, fake_openai: FakeOpenAIServer, run_async: RunAsync, tmp_path: Path
) -> None:
    rig.always.append("testsrv/wait")
    gate = tmp_path / "gate"
    call = ScriptedCall("wait", [f'{{"gate": "{gate}"}}'])
    fake_openai.enqueue(calling(call, deltas=["Waiting for the gate. "]))

    async def scenario() -> Message:
        conversation_id, reply = start(rig)
        await wait_until(lambda: Path(f"{gate}.started").exists(), timeout=30)
        rig.service.stop(reply.id)
        stopped = await ended(rig, conversation_id, reply)
        await wait_until(lambda: Path(f"{gate}.cancelled").exists(), timeout=10)
        return stopped

    stopped = run_async(scenario())
    assert stopped.state is MessageState.STOPPED
    assert stopped.content == "Waiting for the gate. "
    assert stopped.tool_calls[0].status is ToolStatus.FAILED  # ended with the reply
    assert len(fake_openai.chat_requests) == 1


@pytest.mark.parametrize(
    ("tool", "arguments", "expected"),
    [
        ("hang", '{"note": "NOTE"}', "gave no answer within 1.5 s and was cancelled"),
        ("crash", "{}", "the server stopped during the call"),
        ("fail", '{"reason": "disk"}', "Error: "),
    ],
)
def test_faults_become_the_calls_result_and_the_reply_goes_on(
    rig: Rig,
    fake_openai: FakeOpenAIServer,
    run_async: RunAsync,
    tmp_path: Path,
    tool: str,
    arguments: str,
    expected: str,
) -> None:
    rig.always.append(f"testsrv/{tool}")
    arguments = arguments.replace("NOTE", str(tmp_path / "note"))
    fake_openai.enqueue(calling(ScriptedCall(tool, [arguments])), Script(deltas=["Sorry."]))

    async def scenario() -> Message:
        conversation_id, reply = start(rig)
        return await ended(rig, conversation_id, reply)

    reply = run_async(scenario())
    assert reply.state is MessageState.COMPLETE and reply.content == "Sorry."
    record = reply.tool_calls[0]
    assert record.status is ToolStatus.FAILED and expected in record.result
    assert fake_openai.chat_requests[1].json["messages"][-1]["content"] == record.result


def test_a_huge_result_is_capped_for_the_model_with_a_note(
    rig: Rig, fake_openai: FakeOpenAIServer, run_async: RunAsync
) -> None:
    rig.always.append("testsrv/huge")
    fake_openai.enqueue(calling(ScriptedCall("huge", ['{"size": 250000}'])), Script())

    async def scenario() -> Message:
        conversation_id, reply = start(rig)
        return await ended(rig, conversation_id, reply)

    reply = run_async(scenario())
    sent = fake_openai.chat_requests[1].json["messages"][-1]["content"]
    assert sent.startswith("x" * 1000) and "x" * 1001 not in sent
    assert "[result truncated: 249000 of 250000 characters were not sent to the model]" in sent
    assert reply.tool_calls[0].result == sent


def test_a_denied_pending_call_ends_when_the_reply_is_stopped(
    rig: Rig, fake_openai: FakeOpenAIServer, run_async: RunAsync
) -> None:
    fake_openai.enqueue(calling(ScriptedCall("echo", ['{"text": "x"}'])))

    async def scenario() -> Message:
        conversation_id, reply = start(rig)
        await wait_until(lambda: bool(rig.pending()), timeout=30)
        rig.service.stop(reply.id)
        return await ended(rig, conversation_id, reply)

    stopped = run_async(scenario())
    assert stopped.state is MessageState.STOPPED
    assert rig.pending() == []  # nothing left waiting for a decision
    assert stopped.tool_calls[0].status is ToolStatus.FAILED
