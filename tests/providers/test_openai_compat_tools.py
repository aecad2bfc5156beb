"""Function calling through the real openai SDK and the tests' OpenAI server: streamed
fragments (two calls in parallel), the loop model → tools → model, the follow-up
request in the OpenAI shape, the step limit, and a server that rejects ``tools``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from streamchat_desktop.core.chat_service import ChatService, ChatTarget, ToolSetup
from streamchat_desktop.core.events import StreamEnd
from streamchat_desktop.core.models import Message, MessageState, Role
from streamchat_desktop.core.store import MemoryStore
from streamchat_desktop.core.tool_events import Notice, ToolCallChanged, ToolCallFragment
from streamchat_desktop.core.tool_loop import CallAssembler, ToolLimits
from streamchat_desktop.core.tools import ToolCall, ToolSpec, ToolStatus
from streamchat_desktop.providers.openai_compat import OpenAICompatibleProvider
from tests.providers.conftest import REQUEST
from tests.providers.streaming import collect
from tests.support.fake_openai import FakeOpenAIServer, Script, ScriptedCall, calling
from tests.support.local_tools import LocalToolbox, allow_all
from tests.support.observers import RecordingObserver
from tests.support.waiting import wait_until

RunAsync = Callable[..., Any]
ECHO = ToolSpec("echo", "echo text", {"type": "object"}, "local")


def test_two_parallel_calls_arrive_as_fragments_and_assemble(
    fake_openai: FakeOpenAIServer, provider: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    first = ScriptedCall("echo", ['{"te', 'xt": "a', 'b"}'])
    second = ScriptedCall("weather", ['{"city"', ': "Oslo"}'])
    fake_openai.enqueue(calling(first, second, deltas=["Let me check."]))

    out = run_async(collect(provider, REQUEST))

    assert out.error is None
    fragments = [e for e in out.events if isinstance(e, ToolCallFragment)]
    assert {f.index for f in fragments} == {0, 1}
    assert [f.index for f in fragments][:4] == [0, 1, 0, 1]  # interleaved on the wire
    assembler = CallAssembler()
    for fragment in fragments:
        assembler.add(fragment)
    assert assembler.calls() == [
        ToolCall(first.id, "echo", '{"text": "ab"}'),
        ToolCall(second.id, "weather", '{"city": "Oslo"}'),
    ]
    assert out.events[-1] == StreamEnd("tool_calls")


def run_turn(
    provider: OpenAICompatibleProvider,
    run_async: RunAsync,
    toolbox: LocalToolbox,
    prompt: str = "Echo ab",
    limits: ToolLimits | None = None,
) -> tuple[Message, RecordingObserver, ChatService, str]:
    service = ChatService(
        MemoryStore(),
        lambda _c: ChatTarget(provider.stream, "m"),
        tools=ToolSetup(toolbox, allow_all(), limits or ToolLimits()),
    )
    heard = RecordingObserver()
    service.add_observer(heard)
    conversation = service.new_conversation()

    async def scenario() -> Message:
        reply = service.send(conversation.id, prompt)
        await wait_until(lambda: not service.is_streaming(reply.id))
        return service.messages(conversation.id)[-1]

    return run_async(scenario()), heard, service, conversation.id


def test_the_loop_runs_both_calls_and_sends_them_back_in_the_openai_shape(
    fake_openai: FakeOpenAIServer, provider: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    first = ScriptedCall("echo", ['{"text"', ': "ab"}'])
    second = ScriptedCall("echo", ['{"text": "cd"}'])
    fake_openai.enqueue(
        calling(first, second, deltas=["Checking. "]), Script(deltas=["Both ", "echoed."])
    )
    toolbox = LocalToolbox()

    reply, heard, _service, _cid = run_turn(provider, run_async, toolbox)

    assert toolbox.calls == [("echo", {"text": "ab"}), ("echo", {"text": "cd"})]
    assert reply.state is MessageState.COMPLETE and reply.finish_reason == "stop"
    assert reply.content == "Checking. Both echoed."
    assert [(r.call.id, r.status, r.result, r.offset) for r in reply.tool_calls] == [
        (first.id, ToolStatus.DONE, "echo: ab", len("Checking. ")),
        (second.id, ToolStatus.DONE, "echo: cd", len("Checking. ")),
    ]
    statuses = [e.status for e in heard.events if isinstance(e, ToolCallChanged)]
    assert statuses == [ToolStatus.PENDING, ToolStatus.RUNNING, ToolStatus.DONE] * 2
    initial, follow_up = fake_openai.chat_requests
    assert initial.json["tools"][0] == {
        "type": "function",
        "function": {
            "name": "echo",
            "description": "the echo tool",
            "parameters": toolbox.schemas["echo"],
        },
    }
    assert follow_up.json["messages"][1:] == [
        {
            "role": "assistant",
            "content": "Checking. ",
            "tool_calls": [
                {
                    "id": first.id,
                    "type": "function",
                    "function": {"name": "echo", "arguments": '{"text": "ab"}'},
                },
                {
                    "id": second.id,
                    "type": "function",
                    "function": {"name": "echo", "arguments": '{"text": "cd"}'},
                },
            ],
        },
        {"role": "tool", "content": "echo: ab", "tool_call_id": first.id},
        {"role": "tool", "content": "echo: cd", "tool_call_id": second.id},
    ]


def test_regenerate_and_next_prompt_resend_the_stored_calls(
    fake_openai: FakeOpenAIServer, provider: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    call = ScriptedCall("echo", ['{"text": "x"}'])
    fake_openai.enqueue(calling(call), Script(deltas=["done"]))
    reply, _heard, service, conversation_id = run_turn(provider, run_async, LocalToolbox())
    assert reply.content == "done"
    fake_openai.enqueue(Script(deltas=["next"]))

    async def next_prompt() -> None:
        message = service.send(conversation_id, "and now?")
        await wait_until(lambda: not service.is_streaming(message.id))

    run_async(next_prompt())

    messages = fake_openai.chat_requests[-1].json["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "tool", "assistant", "user"]
    assert messages[1]["tool_calls"][0]["id"] == call.id
    assert messages[2] == {"role": "tool", "content": "echo: x", "tool_call_id": call.id}
    assert messages[3] == {"role": "assistant", "content": "done"}


def test_the_step_limit_ends_the_reply_with_a_clear_notice(
    fake_openai: FakeOpenAIServer, provider: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    fake_openai.responder = lambda _r: calling(ScriptedCall("echo", ['{"text": "again"}']))
    toolbox = LocalToolbox()

    reply, heard, _service, _cid = run_turn(provider, run_async, toolbox, limits=ToolLimits(2))

    assert len(fake_openai.chat_requests) == 3 and len(toolbox.calls) == 2
    assert reply.finish_reason == "tool_step_limit"
    assert reply.tool_calls[-1].status is ToolStatus.DECLINED
    notices = [e.text for e in heard.events if isinstance(e, Notice)]
    assert notices == [
        "Stopped after 2 tool steps: the model kept calling tools. Send a message to let it go on."
    ]


def test_a_server_that_rejects_tools_is_asked_again_without_them(
    fake_openai: FakeOpenAIServer, provider: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    fake_openai.enqueue(Script(deltas=["plain answer"], reject_tools=True))

    reply, heard, service, conversation_id = run_turn(provider, run_async, LocalToolbox())

    assert reply.content == "plain answer" and reply.state is MessageState.COMPLETE
    rejected, retried = fake_openai.chat_requests
    assert "tools" in rejected.json and "tools" not in retried.json
    notices = [e.text for e in heard.events if isinstance(e, Notice)]
    assert notices == [
        f"Tools are off for {fake_openai.base_url}: this server does not accept them."
    ]
    # the next reply to this server goes without tools straight away
    fake_openai.enqueue(Script(deltas=["again"]))

    async def again() -> None:
        message = service.send(conversation_id, "more")
        await wait_until(lambda: not service.is_streaming(message.id))

    run_async(again())
    assert "tools" not in fake_openai.chat_requests[-1].json
    assert len(fake_openai.chat_requests) == 3


def test_bad_arguments_go_back_to_the_model_as_the_result(
    fake_openai: FakeOpenAIServer, provider: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    broken = ScriptedCall("echo", ['{"text": '])
    unfit = ScriptedCall("echo", ['{"other": 1}'])
    fake_openai.enqueue(calling(broken, unfit), Script(deltas=["sorry"]))
    toolbox = LocalToolbox()

    reply, _heard, _service, _cid = run_turn(provider, run_async, toolbox)

    assert toolbox.calls == [] and reply.content == "sorry"
    tool_messages = [
        m for m in fake_openai.chat_requests[1].json["messages"] if m["role"] == "tool"
    ]
    assert tool_messages[0]["content"].startswith("Error: the arguments are not valid JSON")
    assert tool_messages[1]["content"] == "Error: missing required argument(s): text"
    assert [r.status for r in reply.tool_calls] == [ToolStatus.FAILED, ToolStatus.FAILED]
    assert json.loads(
        fake_openai.chat_requests[1].json["messages"][1]["tool_calls"][1]["function"]["arguments"]
    ) == {"other": 1}
    assert reply.role is Role.ASSISTANT
