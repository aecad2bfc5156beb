"""Normal streams through the real openai SDK: text, usage, finish reasons, reasoning,
and the chunk shapes real servers send (role-only, usage-only, null content, no object)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from streamchat_desktop.core.events import (
    Finished,
    ReasoningDelta,
    StreamEnd,
    TextDelta,
    UsageReport,
)
from streamchat_desktop.core.models import ChatRequest, ChatTurn, Role, Usage
from streamchat_desktop.providers.openai_compat import OpenAICompatibleProvider
from tests.providers.conftest import KEY, REQUEST
from tests.providers.streaming import collect, new_session
from tests.support.fake_openai import FakeOpenAIServer, Script

RunAsync = Callable[..., Any]


def test_streams_text_usage_and_finish_reason(
    fake_openai: FakeOpenAIServer, provider: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    fake_openai.enqueue(Script(deltas=["Hel", "lo", ", world"]))

    out = run_async(collect(provider, REQUEST))

    assert out.error is None
    assert out.events == [
        TextDelta("Hel"),
        TextDelta("lo"),
        TextDelta(", world"),
        UsageReport(
            Usage(prompt_tokens=5, completion_tokens=3, total_tokens=8, reasoning_tokens=0)
        ),
        StreamEnd("stop"),
    ]
    request = fake_openai.last_request
    assert (request.method, request.path) == ("POST", "/v1/chat/completions")
    assert request.authorization == f"Bearer {KEY}"
    assert request.json == {
        "model": "m",
        "messages": [{"role": "user", "content": "Say hello"}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    assert request.completed_event.wait(30) and not request.client_closed


def test_sends_history_temperature_and_max_tokens(
    fake_openai: FakeOpenAIServer, provider: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    request = ChatRequest(
        model="gpt-4o-mini",
        messages=(
            ChatTurn(Role.SYSTEM, "Be brief."),
            ChatTurn(Role.USER, "Hi"),
            ChatTurn(Role.ASSISTANT, "Hello!"),
            ChatTurn(Role.USER, "Again"),
        ),
        temperature=0.3,
        max_tokens=50,
    )
    run_async(collect(provider, request))

    body = fake_openai.last_request.json
    assert body["model"] == "gpt-4o-mini"
    assert [m["role"] for m in body["messages"]] == ["system", "user", "assistant", "user"]
    assert body["messages"][2]["content"] == "Hello!"
    assert (body["temperature"], body["max_tokens"]) == (0.3, 50)


@pytest.mark.parametrize("reason", ["stop", "length", "content_filter", "tool_calls"])
def test_finish_reason_reaches_the_session(
    fake_openai: FakeOpenAIServer,
    provider: OpenAICompatibleProvider,
    run_async: RunAsync,
    reason: str,
) -> None:
    fake_openai.enqueue(Script(deltas=["cut ", "here"], finish_reason=reason))
    run = new_session(provider.stream, REQUEST)

    outcome = run_async(run.session.start())

    assert isinstance(outcome, Finished)
    assert outcome.finish_reason == reason
    assert run.session.text == "cut here"
    assert outcome.stats.usage is not None and outcome.stats.usage.completion_tokens == 2
    assert [e for e in run.events if isinstance(e, Finished)] == [outcome]


@pytest.mark.parametrize("field", ["reasoning_content", "reasoning"])
@pytest.mark.parametrize("none_content", [False, True])
def test_reasoning_fields_are_kept_apart(
    fake_openai: FakeOpenAIServer,
    provider: OpenAICompatibleProvider,
    run_async: RunAsync,
    field: str,
    none_content: bool,
) -> None:
    fake_openai.enqueue(
        Script(
            reasoning=["Think", "ing…"],
            deltas=["Answer"],
            reasoning_field=field,
            none_content=none_content,
        )
    )
    out = run_async(collect(provider, REQUEST))

    assert out.error is None
    assert [e for e in out.events if isinstance(e, ReasoningDelta | TextDelta)] == [
        ReasoningDelta("Think"),
        ReasoningDelta("ing…"),
        TextDelta("Answer"),
    ]
    usage = next(e.usage for e in out.events if isinstance(e, UsageReport))
    assert usage.reasoning_tokens == 2


def test_inline_think_tags_split_by_the_session(
    fake_openai: FakeOpenAIServer, provider: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    fake_openai.enqueue(
        Script(deltas=["<thi", "nk>Let me ", "see.</th", "ink>\n\n", "Yes: <think> is a tag."])
    )
    run = new_session(provider.stream, REQUEST)

    outcome = run_async(run.session.start())

    assert isinstance(outcome, Finished)
    assert run.session.reasoning == "Let me see."
    assert run.session.text == "Yes: <think> is a tag."


@pytest.mark.parametrize(
    "variant",
    [
        {"role_chunk": False},
        {"none_content": True},
        {"omit_object": True},
        {"send_usage": False},
        {"events_per_write": 50},
        {"none_content": True, "omit_object": True, "role_chunk": False},
    ],
    ids=",".join,
)
def test_tolerates_chunk_shapes_of_other_servers(
    fake_openai: FakeOpenAIServer,
    provider: OpenAICompatibleProvider,
    run_async: RunAsync,
    variant: dict[str, Any],
) -> None:
    fake_openai.enqueue(Script(deltas=["a", "b", "c"], **variant))
    out = run_async(collect(provider, REQUEST))

    assert out.error is None
    assert [e for e in out.events if isinstance(e, TextDelta)] == [
        TextDelta("a"),
        TextDelta("b"),
        TextDelta("c"),
    ]
    assert out.events[-1] == StreamEnd("stop")
    assert any(isinstance(e, UsageReport) for e in out.events) == variant.get("send_usage", True)


def test_role_only_and_usage_only_chunks_produce_no_text(
    fake_openai: FakeOpenAIServer, provider: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    fake_openai.enqueue(Script(deltas=[], none_content=True))
    out = run_async(collect(provider, REQUEST))

    assert out.error is None
    assert [type(e) for e in out.events] == [UsageReport, StreamEnd]
    body = fake_openai.last_request.response_body().decode()
    assert '"choices":[]' in body and '"role":"assistant","content":null' in body


def test_multibyte_characters_split_across_writes_arrive_intact(
    fake_openai: FakeOpenAIServer, provider: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    deltas = ["Grüße ", "日本語の", "テキスト ", "🙂🚀", " ÿ€"]
    fake_openai.enqueue(Script(deltas=deltas, split_bytes=True))

    out = run_async(collect(provider, REQUEST))

    assert out.error is None
    assert out.text == "".join(deltas)
    # the server did cut inside characters: a chunk ends in a UTF-8 lead byte
    assert b"\xe6\r\n" in fake_openai.last_request.wire


def test_ten_thousand_deltas_arrive_complete_and_in_order(
    fake_openai: FakeOpenAIServer, provider: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    script = Script(deltas=[f"w{i} " for i in range(10_000)])
    fake_openai.enqueue(script)
    run = new_session(provider.stream, REQUEST)

    outcome = run_async(run.session.start(), timeout=60)

    assert isinstance(outcome, Finished)
    deltas = [e.text for e in run.events if isinstance(e, TextDelta)]
    assert deltas == list(script.deltas)
    assert run.session.text == script.text
    assert outcome.stats.usage is not None and outcome.stats.usage.completion_tokens == 10_000


def test_time_to_first_token_and_rate_are_measured(
    fake_openai: FakeOpenAIServer, provider: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    """The figures are filled in through the real SDK and agree with each other (the
    arithmetic is tests/core/test_session.py's; real figures are bench/stream.py's)."""
    fake_openai.enqueue(Script(deltas=["a", "b", "c", "d"]))
    run = new_session(provider.stream, REQUEST)

    stats = run_async(run.session.start()).stats

    assert stats.time_to_first_token is not None
    assert 0 <= stats.time_to_first_token <= stats.duration
    assert stats.completion_tokens == 4  # from the server's usage chunk
    if stats.duration > stats.time_to_first_token:
        expected = 4 / (stats.duration - stats.time_to_first_token)
        assert stats.tokens_per_second == pytest.approx(expected)


def test_list_models(provider: OpenAICompatibleProvider, run_async: RunAsync) -> None:
    assert run_async(provider.list_models()) == ["gpt-4o", "gpt-4o-mini", "m"]
