"""ChatSession ends every reply exactly once, keeps the text, and measures it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from streamchat_desktop.core.errors import ChatError, ErrorKind
from streamchat_desktop.core.events import (
    Cancelled,
    Failed,
    Finished,
    ReasoningDelta,
    ReplyEvent,
    StreamEnd,
    StreamEvent,
    TerminalEvent,
    TextDelta,
    UsageReport,
)
from streamchat_desktop.core.models import ChatRequest, Usage
from streamchat_desktop.core.session import ChatSession, StreamOpener
from tests.support.scripted import FakeClock, ScriptedProvider, answer
from tests.support.waiting import wait_until

RunAsync = Callable[..., Any]
REQUEST = ChatRequest(model="m", messages=())


def make(
    opener: StreamOpener, clock: FakeClock | None = None
) -> tuple[ChatSession, list[ReplyEvent]]:
    events: list[ReplyEvent] = []
    kwargs = {"clock": clock} if clock else {}
    return ChatSession(opener, REQUEST, events.append, **kwargs), events


def terminals(events: list[ReplyEvent]) -> list[TerminalEvent]:
    return [e for e in events if isinstance(e, Finished | Failed | Cancelled)]


def test_finishes_once_with_the_finish_reason(run_async: RunAsync) -> None:
    usage = Usage(prompt_tokens=3, completion_tokens=2, total_tokens=5)
    session, events = make(
        ScriptedProvider(answer("Hi", " there", finish="length", usage=usage)).opener
    )

    outcome = run_async(session.start())

    assert isinstance(outcome, Finished) and outcome.finish_reason == "length"
    assert events == [TextDelta("Hi"), TextDelta(" there"), UsageReport(usage), outcome]
    assert session.text == "Hi there" and session.outcome is outcome
    assert outcome.stats.usage == usage and outcome.stats.completion_tokens == 2


def test_failure_mid_stream_keeps_the_partial_text(run_async: RunAsync) -> None:
    error = ChatError(ErrorKind.STREAM_CUT, "closed")
    provider = ScriptedProvider(answer("Part", "ial", finish=None), error=error)
    session, events = make(provider.opener)

    outcome = run_async(session.start())

    assert isinstance(outcome, Failed) and outcome.error is error
    assert session.text == "Partial"
    assert terminals(events) == [outcome]
    assert provider.closed == 1


def test_held_back_tag_prefix_is_kept_when_the_stream_fails(run_async: RunAsync) -> None:
    provider = ScriptedProvider(answer("<th", finish=None), error=ChatError(ErrorKind.TIMEOUT))
    session, _events = make(provider.opener)

    run_async(session.start())

    assert session.text == "<th"


def test_stop_cancels_once_keeps_text_and_closes_the_stream(run_async: RunAsync) -> None:
    provider = ScriptedProvider(answer("so ", "far", finish=None), hang=True)
    session, events = make(provider.opener)

    async def scenario() -> TerminalEvent:
        task = session.start()
        await wait_until(lambda: session.text == "so far")
        session.stop()
        session.stop()  # a second press changes nothing
        return await task

    outcome = run_async(scenario())

    assert isinstance(outcome, Cancelled)
    assert session.text == "so far"
    assert terminals(events) == [outcome]
    assert provider.closed == 1


def test_stop_right_after_start_still_ends_the_reply(run_async: RunAsync) -> None:
    """Stop before the task ran a single step: run() never starts, the reply must end."""
    provider = ScriptedProvider(answer("never"))
    session, events = make(provider.opener)

    async def scenario() -> None:
        task = session.start()
        session.stop()
        with pytest.raises(asyncio.CancelledError):
            await task

    run_async(scenario())

    assert [type(e) for e in events] == [Cancelled]
    assert isinstance(session.outcome, Cancelled)
    assert session.outcome.stats.duration < 1.0
    assert provider.requests == []


def test_cancellation_from_outside_propagates_after_cancelled(run_async: RunAsync) -> None:
    provider = ScriptedProvider(answer("x", finish=None), hang=True)
    session, events = make(provider.opener)

    async def scenario() -> None:
        task = session.start()
        await wait_until(lambda: session.text == "x")
        task.cancel()  # app shutdown, not Stop
        with pytest.raises(asyncio.CancelledError):
            await task

    run_async(scenario())

    assert [type(e) for e in terminals(events)] == [Cancelled]
    assert provider.closed == 1


def test_stop_after_the_end_changes_nothing(run_async: RunAsync) -> None:
    session, events = make(ScriptedProvider(answer("done")).opener)
    outcome = run_async(session.start())

    session.stop()

    assert session.outcome is outcome and terminals(events) == [outcome]


def test_a_failing_sink_does_not_end_the_reply(run_async: RunAsync) -> None:
    seen: list[ReplyEvent] = []

    def sink(event: ReplyEvent) -> None:
        seen.append(event)
        if isinstance(event, TextDelta):
            raise RuntimeError("a broken view")

    session = ChatSession(ScriptedProvider(answer("a", "b")).opener, REQUEST, sink)

    outcome = run_async(session.start())

    assert isinstance(outcome, Finished) and session.text == "ab"
    assert seen[-1] is outcome


def test_reasoning_is_kept_apart(run_async: RunAsync) -> None:
    events: list[StreamEvent] = [
        ReasoningDelta("hmm"),
        TextDelta("<think>inline</think>"),
        TextDelta("\nanswer"),
        StreamEnd("stop"),
    ]
    session, seen = make(ScriptedProvider(events).opener)

    run_async(session.start())

    assert session.reasoning == "hmminline"
    assert session.text == "answer"
    assert [type(e) for e in seen] == [ReasoningDelta, ReasoningDelta, TextDelta, Finished]


def paced(clock: FakeClock, steps: list[tuple[float, StreamEvent]]) -> StreamOpener:
    """An opener that moves the fake clock by ``seconds`` before each event."""

    async def opener(_request: ChatRequest) -> AsyncIterator[StreamEvent]:
        for seconds, event in steps:
            clock.advance(seconds)
            yield event

    return opener


def test_stats_time_to_first_token_and_rate_from_usage(run_async: RunAsync) -> None:
    clock = FakeClock()
    usage = Usage(prompt_tokens=7, completion_tokens=10, total_tokens=17)
    opener = paced(
        clock,
        [
            (0.5, TextDelta("a")),
            (1.0, TextDelta("b")),
            (1.0, UsageReport(usage)),
            (0.0, StreamEnd("stop")),
        ],
    )
    session, _events = make(opener, clock)

    outcome = run_async(session.start())

    stats = outcome.stats
    assert stats.time_to_first_token == pytest.approx(0.5)
    assert stats.duration == pytest.approx(2.5)
    assert stats.tokens_per_second == pytest.approx(10 / 2.0)
    assert (stats.completion_tokens, stats.usage) == (10, usage)


def test_stats_count_deltas_when_the_server_reports_no_usage(run_async: RunAsync) -> None:
    clock = FakeClock()
    steps: list[tuple[float, StreamEvent]] = [(0.25, TextDelta(f"w{i} ")) for i in range(5)]
    session, _events = make(paced(clock, [*steps, (0.0, StreamEnd("stop"))]), clock)

    stats = run_async(session.start()).stats

    assert stats.time_to_first_token == pytest.approx(0.25)
    assert stats.usage is None and stats.completion_tokens is None
    assert stats.tokens_per_second == pytest.approx(5 / 1.0)


def test_an_empty_answer_has_no_rate(run_async: RunAsync) -> None:
    session, _events = make(ScriptedProvider(answer()).opener)

    stats = run_async(session.start()).stats

    assert stats.time_to_first_token is None and stats.tokens_per_second is None
