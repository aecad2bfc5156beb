"""The OpenAI-compatible provider: the only module that imports the openai SDK.

It maps the SDK's chunks tolerantly (role-only first chunk, usage-only last chunk,
``None`` content, missing fields) into core events, maps every SDK exception to a
known ``ChatError`` kind, and always closes the HTTP response.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import math
import re
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import openai
from openai import AsyncOpenAI

from streamchat_desktop.core.attachments import ImagePart, TextPart
from streamchat_desktop.core.errors import ChatError, ErrorKind
from streamchat_desktop.core.events import (
    ReasoningDelta,
    StreamEnd,
    StreamEvent,
    TextDelta,
    UsageReport,
)
from streamchat_desktop.core.models import ChatRequest, ChatTurn, Usage
from streamchat_desktop.core.tool_events import Notice, ToolCallFragment
from streamchat_desktop.core.unicode_repair import StreamRepair, repair_text
from streamchat_desktop.providers.base import Endpoint
from streamchat_desktop.providers.key_masking import AnswerMasker

log = logging.getLogger(__name__)

# Given to the SDK when the endpoint has no key, only so that it does not read
# OPENAI_API_KEY itself; it never goes on the wire (see ``request_headers``).
NO_KEY_PLACEHOLDER = "no-key"

MAX_RETRY_AFTER = 3600.0  # seconds: a longer Retry-After is taken as an hour
_CONTEXT_CODES = {"context_length_exceeded", "string_above_max_length"}
# A 4xx whose words name images or vision: the model cannot take an image part
# (OpenAI: "Invalid content type. image_url is only supported by certain models";
# Ollama/llama.cpp: "image input is not supported", "does not support vision").
_VISION_WORDS = re.compile(r"image|vision|multimodal", re.IGNORECASE)


class OpenAICompatibleProvider:
    """Streams chat completions from OpenAI or any server that speaks its API."""

    def __init__(self, endpoint: Endpoint) -> None:
        self._endpoint = endpoint
        self._headers = request_headers(endpoint.api_key)
        self._include_usage = True  # cleared once a server rejects stream_options
        self._send_tools = True  # cleared once a server rejects tools
        # The models the last list_models() answer says take images (few servers say).
        self.image_models: frozenset[str] = frozenset()
        self._client = AsyncOpenAI(
            api_key=endpoint.api_key or NO_KEY_PLACEHOLDER,
            base_url=endpoint.base_url,
            timeout=openai.Timeout(endpoint.timeout, connect=endpoint.connect_timeout),
            max_retries=0,  # the user sees the error and decides; Retry is one click
        )

    @property
    def base_url(self) -> str:
        return self._endpoint.base_url

    async def aclose(self) -> None:
        await self._client.close()

    async def list_models(self) -> list[str]:
        try:
            page = await self._client.models.list(extra_headers=self._headers)
            self.image_models = frozenset(m.id for m in page.data if takes_images(m))
            return sorted(model.id for model in page.data)
        except openai.OpenAIError as exc:
            raise self._error(exc, streaming=False) from exc
        except (json.JSONDecodeError, AttributeError, TypeError) as exc:
            raise ChatError(
                ErrorKind.MALFORMED, "the /models answer is not an OpenAI model list"
            ) from exc

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        if request.tools and not self._send_tools:
            request = _without_tools(request)
            yield Notice(TOOLS_OFF_NOTICE.format(url=self.base_url))
        try:
            stream = await self._open(request)
        except ChatError as error:
            if not (request.tools and _rejects_tools(error)):
                raise
            log.info("server rejects tools (%s); retrying without them", error.detail)
            self._send_tools = False
            request = _without_tools(request)
            yield Notice(TOOLS_OFF_NOTICE.format(url=self.base_url))
            stream = await self._open(request)
        async with contextlib.aclosing(self._read(stream)) as events:
            async for event in events:
                yield event

    async def _read(self, stream: Any) -> AsyncGenerator[StreamEvent, None]:
        """The events of an open stream: text repaired, the key masked, each fault a
        ChatError; the response is closed however the reading ends."""
        repair = DeltaRepair()
        masker = AnswerMasker(self._endpoint.api_key)
        finish_reason: str | None = None
        chunks = 0
        failure: ChatError | None = None
        cause: Exception | None = None
        async with stream:
            try:
                async for chunk in stream:
                    chunks += 1
                    for event in chunk_events(chunk):
                        if isinstance(event, StreamEnd):
                            finish_reason = event.finish_reason
                        elif (repaired := repair.event(event)) is not None:
                            for masked in masker.mask(repaired):
                                yield masked
            except openai.OpenAIError as exc:
                failure, cause = self._error(exc, streaming=True), exc
            except (json.JSONDecodeError, UnicodeDecodeError, AttributeError, TypeError) as exc:
                failure = self._cleaned(ChatError(ErrorKind.MALFORMED, str(exc)[:200]))
                cause = exc
        for held in repair.flush():  # a half surrogate pair the stream ended on: U+FFFD
            for masked in masker.mask(held):
                yield masked
        for masked in masker.flush():  # text held back in case it began the key
            yield masked
        if failure is not None:
            raise failure from cause
        if finish_reason is None:
            raise _ended_early(stream.response, chunks)
        yield StreamEnd(finish_reason)

    async def _open(self, request: ChatRequest) -> Any:
        """Start the request, dropping ``stream_options`` if this server rejects it."""
        try:
            return await self._create(request)
        except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
            if self._include_usage and "stream_options" in str(exc):
                log.info("server rejects stream_options; retrying without usage reporting")
                self._include_usage = False
                return await self._open(request)
            raise _about_images(self._error(exc, streaming=False), request) from exc
        except openai.OpenAIError as exc:
            raise self._error(exc, streaming=False) from exc

    def _error(self, exc: openai.OpenAIError, *, streaming: bool) -> ChatError:
        return self._cleaned(map_exception(exc, streaming=streaming))

    def _cleaned(self, error: ChatError) -> ChatError:
        """The server's words made safe to keep: the message goes on screen, into the
        database, exports and the companion view. Some servers echo the key they were
        sent in their error body (LiteLLM did): it is masked here, where it is known;
        a lone surrogate (JSON can carry one) becomes U+FFFD, or no save would succeed."""
        key = self._endpoint.api_key
        detail = repair_text(error.detail)
        if key:
            detail = detail.replace(key, "***")
        if detail == error.detail:
            return error
        return ChatError(error.kind, detail, status=error.status, retry_after=error.retry_after)

    async def _create(self, request: ChatRequest) -> Any:
        extra: dict[str, Any] = {}
        if self._include_usage:
            extra["stream_options"] = {"include_usage": True}
        if request.temperature is not None:
            extra["temperature"] = request.temperature
        if request.max_tokens is not None:
            extra["max_tokens"] = request.max_tokens
        if request.tools:
            extra["tools"] = [
                {
                    "type": "function",
                    "function": {
                        "name": spec.name,
                        "description": spec.description,
                        "parameters": spec.parameters or {"type": "object", "properties": {}},
                    },
                }
                for spec in request.tools
            ]
        return await self._client.chat.completions.create(
            model=request.model,
            messages=[wire_message(turn) for turn in request.messages],  # type: ignore[misc]
            stream=True,
            extra_headers=self._headers,
            **extra,
        )


def _ended_early(response: Any, chunks: int) -> ChatError:
    """No finish reason: a cut stream, or no event stream at all (an HTML page from a
    captive portal or a proxy, a plain JSON completion) that only looked like one."""
    content_type = str(response.headers.get("content-type") or "").split(";")[0].strip()
    if chunks == 0 and content_type != "text/event-stream":
        sent = content_type or "a body without a content type"
        return ChatError(
            ErrorKind.MALFORMED,
            f"the server did not answer in the OpenAI format: it sent {sent}, "
            "not an event stream of completion chunks",
            status=response.status_code,
        )
    return ChatError(ErrorKind.STREAM_CUT, "the stream ended without a finish reason")


TOOLS_OFF_NOTICE = "Tools are off for {url}: this server does not accept them."


def _rejects_tools(error: ChatError) -> bool:
    """A 400/422 whose words are about tools (the server has no function calling)."""
    text = error.detail.lower()
    return error.kind is ErrorKind.BAD_REQUEST and ("tool" in text or "function" in text)


def _without_tools(request: ChatRequest) -> ChatRequest:
    return dataclasses.replace(request, tools=())


def wire_message(turn: ChatTurn) -> dict[str, Any]:
    """One turn in the OpenAI shape: plain text, content parts when files go along, an
    assistant turn's tool calls, a tool turn's call id."""
    message: dict[str, Any] = {"role": turn.role.value, "content": _wire_content(turn)}
    if turn.tool_calls:
        message["content"] = turn.content or None
        message["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments or "{}"},
            }
            for call in turn.tool_calls
        ]
    if turn.tool_call_id is not None:
        message["tool_call_id"] = turn.tool_call_id
    return message


def _wire_content(turn: ChatTurn) -> str | list[dict[str, Any]]:
    if not turn.parts:
        return turn.content
    parts: list[dict[str, Any]] = []
    if turn.content:
        parts.append({"type": "text", "text": turn.content})
    for part in turn.parts:
        if isinstance(part, TextPart):
            parts.append({"type": "text", "text": part.text})
        elif isinstance(part, ImagePart):
            parts.append({"type": "image_url", "image_url": {"url": part.url}})
    return parts


def _about_images(error: ChatError, request: ChatRequest) -> ChatError:
    """ "Does not accept images" only when the request carried one: otherwise a 400 that
    happens to name images is an ordinary bad request."""
    if error.kind is not ErrorKind.IMAGES_REFUSED:
        return error
    if any(isinstance(part, ImagePart) for turn in request.messages for part in turn.parts):
        return error
    return ChatError(ErrorKind.BAD_REQUEST, error.detail, status=error.status)


def request_headers(api_key: str | None) -> dict[str, str | openai.Omit]:
    """Headers that override what the SDK would take from the environment.

    Without them ``OPENAI_CUSTOM_HEADERS`` can replace the Authorization header (even
    when a key was given), and ``OPENAI_ORG_ID``/``OPENAI_PROJECT_ID`` go to every
    host. With no key, no Authorization header is sent at all.
    """
    return {
        "Authorization": f"Bearer {api_key}" if api_key else openai.Omit(),
        "OpenAI-Organization": openai.Omit(),
        "OpenAI-Project": openai.Omit(),
    }


def takes_images(model: Any) -> bool:
    """Whether a /models entry says it takes images: OpenRouter's
    ``architecture.input_modalities``, a top-level ``input_modalities``, or a
    ``capabilities`` list naming vision (Ollama-style). Silence means unknown."""
    architecture = _field(model, "architecture")
    modalities = (
        architecture.get("input_modalities") if isinstance(architecture, dict) else None
    ) or _field(model, "input_modalities")
    capabilities = _field(model, "capabilities")
    named = [*(modalities or []), *(capabilities if isinstance(capabilities, list) else [])]
    return any(isinstance(item, str) and item.lower() in ("image", "vision") for item in named)


def _field(obj: Any, name: str) -> Any:
    """A chunk field, whether the SDK declared it or kept it as an extra."""
    value = getattr(obj, name, None)
    if value is None:
        extra = getattr(obj, "model_extra", None) or {}
        value = extra.get(name)
    return value


def chunk_events(chunk: Any) -> list[StreamEvent]:
    """Core events of one ``chat.completion.chunk``, tolerant of what servers omit."""
    events: list[StreamEvent] = []
    for choice in _field(chunk, "choices") or []:
        delta = _field(choice, "delta")
        if delta is not None:
            reasoning = _field(delta, "reasoning_content") or _field(delta, "reasoning")
            if isinstance(reasoning, str) and reasoning:
                events.append(ReasoningDelta(reasoning))
            content = _field(delta, "content")
            if isinstance(content, str) and content:
                events.append(TextDelta(content))
            events.extend(_tool_fragments(_field(delta, "tool_calls")))
        finish = _field(choice, "finish_reason")
        if finish:
            events.append(StreamEnd(str(finish)))
    usage = _field(chunk, "usage")
    if usage is not None:
        events.append(UsageReport(_usage(usage)))
    return events


class DeltaRepair:
    """Model text made encodable where it enters (``core.unicode_repair``): a lone
    surrogate, which JSON can carry as ``"\\ud800"``, becomes U+FFFD; a pair split
    across two deltas is joined. Without it every save of the answer would fail."""

    def __init__(self) -> None:
        self._text = StreamRepair()
        self._reasoning = StreamRepair()

    def event(self, event: StreamEvent) -> StreamEvent | None:
        """The event with its text repaired; None while its only character is held back."""
        if isinstance(event, TextDelta):
            text = self._text.feed(event.text)
            return TextDelta(text) if text else None
        if isinstance(event, ReasoningDelta):
            text = self._reasoning.feed(event.text)
            return ReasoningDelta(text) if text else None
        return event

    def flush(self) -> list[StreamEvent]:
        """What is still held back once the stream ended (at most one character each)."""
        events: list[StreamEvent] = []
        if reasoning := self._reasoning.flush():
            events.append(ReasoningDelta(reasoning))
        if text := self._text.flush():
            events.append(TextDelta(text))
        return events


def _tool_fragments(tool_calls: Any) -> list[ToolCallFragment]:
    """``delta.tool_calls`` entries as fragments; entries without an index are numbered
    by their place (some servers omit it when they send whole calls)."""
    if not isinstance(tool_calls, list):
        return []
    fragments = []
    for position, item in enumerate(tool_calls):
        index = _field(item, "index")
        function = _field(item, "function")
        name = _field(function, "name") if function is not None else None
        arguments = _field(function, "arguments") if function is not None else None
        call_id = _field(item, "id")
        fragments.append(
            ToolCallFragment(
                index=index if isinstance(index, int) else position,
                id=call_id if isinstance(call_id, str) else None,
                name=name if isinstance(name, str) else None,
                arguments=arguments if isinstance(arguments, str) else "",
            )
        )
    return fragments


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) else None


def _usage(usage: Any) -> Usage:
    details = _field(usage, "completion_tokens_details")
    return Usage(
        prompt_tokens=_int_or_none(_field(usage, "prompt_tokens")),
        completion_tokens=_int_or_none(_field(usage, "completion_tokens")),
        total_tokens=_int_or_none(_field(usage, "total_tokens")),
        reasoning_tokens=_int_or_none(_field(details, "reasoning_tokens")) if details else None,
    )


def _retry_after(exc: openai.APIStatusError) -> float | None:
    """The server's wait in seconds, at most ``MAX_RETRY_AFTER`` (the header is the
    server's word: ``inf`` or a month would make Retry wait forever, or overflow a timer)."""
    headers = exc.response.headers
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            seconds = float(raw) * scale
        except ValueError:
            continue  # an HTTP date: rare from API servers; show no countdown
        if math.isfinite(seconds):
            return min(max(0.0, seconds), MAX_RETRY_AFTER)
    return None


def _error_code(exc: openai.APIError) -> str:
    code = getattr(exc, "code", None)
    body = exc.body if isinstance(exc.body, dict) else {}
    return str(code or body.get("code") or body.get("type") or "")


def _detail(exc: openai.APIError) -> str:
    """The server's own words: the error body's message, or a bare-string error event."""
    body = exc.body if isinstance(exc.body, dict) else {}
    message = body.get("message") if isinstance(body.get("message"), str) else None
    text = exc.body.strip() if isinstance(exc.body, str) else ""
    if message is None and text and not text.startswith("<"):  # plain text, not a proxy's HTML
        message = text  # e.g. {"error": "Overloaded"}: the SDK says only "An error occurred"
    if message is None and exc.message.startswith("Error code:"):
        return ""  # the SDK's "Error code: 502" repeats the status shown anyway
    return (message or exc.message or "").strip()[:500]


def map_exception(exc: openai.OpenAIError, *, streaming: bool) -> ChatError:
    """The known ``ChatError`` for an SDK exception (``streaming``: mid-answer)."""
    if isinstance(exc, openai.APITimeoutError):
        if type(exc.__cause__).__name__ == "ConnectTimeout":  # httpx's, not imported here
            return ChatError(ErrorKind.TIMEOUT, "could not connect within the timeout")
        return ChatError(ErrorKind.TIMEOUT, "no data from the server within the timeout")
    if isinstance(exc, openai.APIConnectionError):
        if streaming:
            return ChatError(ErrorKind.STREAM_CUT, "the server closed the connection")
        cause = exc.__cause__ or exc
        return ChatError(ErrorKind.UNREACHABLE, str(cause)[:300] or "connection failed")
    if isinstance(exc, openai.APIStatusError):
        return _status_error(exc)
    if isinstance(exc, openai.APIError):
        return ChatError(ErrorKind.STREAM_ERROR, _detail(exc))
    return ChatError(ErrorKind.BAD_REQUEST, str(exc)[:300])


def _status_error(exc: openai.APIStatusError) -> ChatError:
    status = exc.status_code
    code = _error_code(exc)
    detail = _detail(exc)
    kind: ErrorKind
    if status == 401:
        kind = ErrorKind.AUTH
    elif status == 403:
        kind = ErrorKind.FORBIDDEN
    elif status == 404:
        kind = ErrorKind.NOT_FOUND
    elif status == 429:
        kind = ErrorKind.QUOTA if code == "insufficient_quota" else ErrorKind.RATE_LIMITED
    elif status == 413 or code in _CONTEXT_CODES or "context length" in detail.lower():
        kind = ErrorKind.CONTEXT_TOO_LONG
    elif status >= 500:
        kind = ErrorKind.SERVER
    elif _VISION_WORDS.search(detail):
        kind = ErrorKind.IMAGES_REFUSED
    else:
        kind = ErrorKind.BAD_REQUEST
    retry_after = _retry_after(exc) if kind is ErrorKind.RATE_LIMITED else None
    return ChatError(kind, detail, status=status, retry_after=retry_after)


def check_sdk() -> str:
    """Build and close a client (``--selftest``): it loads the HTTP transport and its TLS
    context, which a packaged build could have lost."""
    client = openai.OpenAI(api_key="selftest", base_url="http://127.0.0.1:9/v1")
    client.close()
    return f"openai {openai.__version__}"
