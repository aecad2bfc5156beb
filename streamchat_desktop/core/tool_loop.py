"""The turn with tools: model → tool calls → results → model, until it answers.

``with_tools`` wraps a provider's stream opener into one that runs the whole turn
and still looks like a single stream to ``ChatSession``: text and reasoning pass
through, the calls become ``ToolCallChanged`` events, and the request sent at each
step carries the conversation in the OpenAI shape (an assistant turn with its
``tool_calls``, then one ``tool`` turn per call). Every fault of a call becomes that
call's result, so the model hears about it and the reply goes on.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from streamchat_desktop.core.events import StreamEnd, StreamEvent, TextDelta
from streamchat_desktop.core.models import ChatRequest, ChatTurn, Role
from streamchat_desktop.core.tool_events import Notice, ToolCallChanged, ToolCallFragment
from streamchat_desktop.core.tools import (
    DECLINED_RESULT,
    Decision,
    ToolCall,
    ToolCatalog,
    ToolOutcome,
    ToolSpec,
    ToolStatus,
)
from streamchat_desktop.core.unicode_repair import repair_text

log = logging.getLogger(__name__)

StreamOpener = Callable[[ChatRequest], AsyncIterator[StreamEvent]]
Approver = Callable[[ToolCall, ToolSpec], Awaitable[Decision]]
STEP_LIMIT_REASON = "tool_step_limit"
# Ids as servers make them (call_…, toolu_…, chatcmpl-tool-…); anything else is replaced.
SAFE_CALL_ID = re.compile(r"[A-Za-z0-9_.-]{1,128}")


class Toolbox(Protocol):
    """Where tools come from and run (the MCP servers, in the app)."""

    async def catalog(self) -> ToolCatalog:
        """The tools on offer now; starts servers that are not running yet."""
        ...

    def check_arguments(self, spec: ToolSpec, arguments: dict[str, Any]) -> str | None:
        """Why these arguments do not fit the tool's schema, or ``None``."""
        ...

    async def call(self, spec: ToolSpec, arguments: dict[str, Any]) -> ToolOutcome:
        """Run the call; faults of the server come back as a FAILED outcome."""
        ...


@dataclass(frozen=True, slots=True)
class ToolLimits:
    max_steps: int = 10  # model requests that may end in tool calls, per reply
    timeout: float = 60.0  # seconds a call may take
    result_cap: int = 100_000  # characters of a result sent to the model


class CallAssembler:
    """Joins streamed fragments into whole calls, in the order of their index.

    A call id is what ties a call to its result, its block in the transcript and the
    user's decision on it (the approvals wait by id), so each call gets its own: a call
    that came without one, or with one an earlier call of the reply (``taken``) or a
    call of another running reply (``in_flight``) already has, or one with characters
    a link cannot carry (the transcript's choices are ``tool:allow_once:<id>`` links),
    gets a fresh id. Names and arguments are made encodable here, where they enter.
    """

    def __init__(self, taken: set[str] | None = None, in_flight: set[str] | None = None) -> None:
        self._parts: dict[int, dict[str, Any]] = {}
        self._taken = taken if taken is not None else set()
        self._in_flight = in_flight if in_flight is not None else set()

    def add(self, fragment: ToolCallFragment) -> None:
        part = self._parts.setdefault(fragment.index, {"id": "", "name": "", "arguments": []})
        if fragment.id:
            part["id"] = fragment.id
        if fragment.name:
            part["name"] += fragment.name if part["name"] != fragment.name else ""
        if fragment.arguments:
            part["arguments"].append(fragment.arguments)

    def calls(self) -> list[ToolCall]:
        calls = []
        for _index, part in sorted(self._parts.items()):
            call_id = part["id"]
            if (
                not SAFE_CALL_ID.fullmatch(call_id)
                or call_id in self._taken
                or call_id in self._in_flight
            ):
                call_id = f"call_{uuid.uuid4().hex[:24]}"
            self._taken.add(call_id)
            self._in_flight.add(call_id)
            name, arguments = part["name"], "".join(part["arguments"])
            calls.append(ToolCall(call_id, repair_text(name), repair_text(arguments)))
        return calls


def cap_result(text: str, cap: int) -> str:
    """At most ``cap`` characters, with a note saying how much was left out."""
    if len(text) <= cap:
        return text
    return (
        text[:cap] + f"\n\n[result truncated: {len(text) - cap} of {len(text)} characters "
        "were not sent to the model]"
    )


def parse_arguments(raw: str) -> dict[str, Any] | str:
    """The call's arguments as an object, or why they are not one."""
    try:
        value = json.loads(raw) if raw.strip() else {}
    except json.JSONDecodeError as exc:
        return f"the arguments are not valid JSON ({exc.msg} at position {exc.pos})"
    except RecursionError:  # the model's output: "[[[[…" thousands deep
        return "the arguments are nested too deeply"
    if not isinstance(value, dict):
        return f"the arguments must be a JSON object, not {type(value).__name__}"
    return value


def with_tools(
    open_stream: StreamOpener,
    toolbox: Toolbox,
    approve: Approver,
    limits: ToolLimits,
    in_flight: set[str] | None = None,
) -> StreamOpener:
    """A stream opener that runs the tool loop over ``open_stream``; ``in_flight`` holds
    the call ids of every reply running now (shared by the replies of one service)."""
    calls_in_flight = in_flight if in_flight is not None else set()

    async def opener(request: ChatRequest) -> AsyncIterator[StreamEvent]:
        catalog = await toolbox.catalog()
        for problem in catalog.problems:
            yield Notice(problem)
        turn = _ToolTurn(toolbox, approve, limits, catalog.specs, calls_in_flight)
        async for event in turn.run(open_stream, request):
            yield event

    return opener


class _ToolTurn:
    def __init__(
        self,
        toolbox: Toolbox,
        approve: Approver,
        limits: ToolLimits,
        specs: tuple[ToolSpec, ...],
        in_flight: set[str],
    ) -> None:
        self._toolbox = toolbox
        self._approve = approve
        self._limits = limits
        self._specs = specs
        self._by_name = {spec.name: spec for spec in specs}
        self._in_flight = in_flight
        self._taken: set[str] = set()  # the call ids of this reply so far

    async def run(self, open_stream: StreamOpener, request: ChatRequest) -> AsyncIterator[Any]:
        try:
            async for event in self._steps(open_stream, request):
                yield event
        finally:  # ended, failed or stopped: its ids may be used again
            self._in_flight.difference_update(self._taken)

    async def _steps(self, open_stream: StreamOpener, request: ChatRequest) -> AsyncIterator[Any]:
        messages = list(request.messages)
        for step in range(self._limits.max_steps + 1):
            step_request = dataclasses.replace(request, messages=tuple(messages), tools=self._specs)
            assembler = CallAssembler(self._taken, self._in_flight)
            text: list[str] = []
            finish: str | None = None
            async for event in open_stream(step_request):
                if isinstance(event, ToolCallFragment):
                    assembler.add(event)
                elif isinstance(event, StreamEnd):
                    finish = event.finish_reason
                else:
                    if isinstance(event, TextDelta):
                        text.append(event.text)
                    yield event
            calls = assembler.calls()
            if not calls:
                yield StreamEnd(finish)
                return
            if step == self._limits.max_steps:
                for call in calls:
                    yield self._changed(call, ToolStatus.DECLINED, _step_limit_result(step))
                yield Notice(
                    f"Stopped after {step} tool steps: the model kept calling tools. "
                    "Send a message to let it go on."
                )
                yield StreamEnd(STEP_LIMIT_REASON)
                return
            messages.append(ChatTurn(Role.ASSISTANT, "".join(text), tool_calls=tuple(calls)))
            for call in calls:
                outcome: ToolOutcome | None = None
                async for change in self._run_call(call):
                    yield change
                    outcome = ToolOutcome(change.status, change.result, change.images)
                assert outcome is not None
                messages.append(ChatTurn(Role.TOOL, outcome.text, tool_call_id=call.id))

    def _changed(self, call: ToolCall, status: ToolStatus, result: str = "") -> ToolCallChanged:
        spec = self._by_name.get(call.name)
        return ToolCallChanged(call, spec.server if spec else "", status, result)

    async def _run_call(self, call: ToolCall) -> AsyncIterator[ToolCallChanged]:
        """The call's changes; the last one is how it ended."""
        spec = self._by_name.get(call.name)
        arguments = parse_arguments(call.arguments)
        problem: str | None
        if spec is None:
            problem = f"there is no tool named {call.name!r}"
        elif isinstance(arguments, str):
            problem = arguments
        else:
            problem = self._toolbox.check_arguments(spec, arguments)
        if spec is None or isinstance(arguments, str) or problem is not None:
            yield self._changed(call, ToolStatus.FAILED, f"Error: {problem}")
            return
        yield self._changed(call, ToolStatus.PENDING)
        if await self._approve(call, spec) is Decision.DENY:
            yield self._changed(call, ToolStatus.DECLINED, DECLINED_RESULT)
            return
        yield self._changed(call, ToolStatus.RUNNING)
        outcome = await self._call(spec, arguments)
        text = cap_result(repair_text(outcome.text), self._limits.result_cap)
        yield ToolCallChanged(call, spec.server, outcome.status, text, outcome.images)

    async def _call(self, spec: ToolSpec, arguments: dict[str, Any]) -> ToolOutcome:
        try:
            return await asyncio.wait_for(self._toolbox.call(spec, arguments), self._limits.timeout)
        except TimeoutError:
            return ToolOutcome(
                ToolStatus.FAILED,
                f"Error: the tool {spec.name!r} gave no answer within "
                f"{self._limits.timeout:g} s and was cancelled",
            )


def _step_limit_result(step: int) -> str:
    return f"Not run: the limit of {step} tool steps in one reply was reached."
