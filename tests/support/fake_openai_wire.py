"""What the fake OpenAI server says, byte for byte: scripts, chunks, error bodies.

``Script`` describes one answer (or one failure) of the fake server; the helpers
below build the exact JSON OpenAI puts on the wire, so tests exercise the real
SDK against real bytes. The server itself lives in ``fake_openai``.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.support.fake_openai_gate import Gate

_ids = itertools.count(1)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def next_id(prefix: str) -> str:
    """A unique, OpenAI-shaped identifier (``chatcmpl-…``, ``req_…``)."""
    return f"{prefix}{next(_ids):024d}"


def dumps(value: object) -> bytes:
    """Compact JSON with raw UTF-8, as OpenAI sends it (non-ASCII is not escaped).

    A lone surrogate, which UTF-8 cannot carry, goes out as the JSON escape a server's
    encoder writes for it (``\\ud800``): the bytes a model's broken output arrives as.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return _LONE_SURROGATE.sub(lambda found: f"\\u{ord(found[0]):04x}", text).encode()


@dataclass
class ScriptedCall:
    """One tool call the fake model makes, its JSON arguments cut into ``pieces``."""

    name: str
    pieces: Sequence[str] = ("{}",)
    id: str = field(default_factory=lambda: next_id("call_"))

    @property
    def arguments(self) -> str:
        return "".join(self.pieces)


def calling(*calls: ScriptedCall, deltas: Sequence[str] = (), **changes: Any) -> Script:
    """A streamed answer that ends asking for ``calls`` (finish reason ``tool_calls``)."""
    return Script(deltas=deltas, tool_calls=calls, finish_reason="tool_calls", **changes)


@dataclass
class Script:
    """One scripted answer of ``POST /v1/chat/completions``.

    A "delta" is one streamed chunk carrying text: all ``reasoning`` deltas come
    first, then the ``deltas`` of the answer. The ``*_after=N`` faults trigger
    after N deltas (reasoning and text together) have been sent.
    """

    deltas: Sequence[str] = ("Hello", " world", "!")
    reasoning: Sequence[str] = ()
    reasoning_field: str = "reasoning_content"  # or "reasoning" (OpenRouter, Ollama)
    delay: float = 0.0  # seconds before each delta
    first_delay: float = 0.0  # seconds after the headers, before the first chunk
    response_delay: float = 0.0  # seconds before the status line is sent
    finish_reason: str | None = "stop"  # None: no final chunk with a finish reason
    usage: dict[str, Any] | None = None  # None: counted from the request and deltas
    send_usage: bool = True  # usage chunk when stream_options.include_usage asked
    done: bool = True  # send ``data: [DONE]``
    role_chunk: bool = True  # a first chunk with only the role
    model: str | None = None  # None: echo the requested model
    # failures before the stream
    status: int = 200
    error_body: dict[str, Any] | None = None  # None: OpenAI's body for ``status``
    raw_error_body: bytes | None = None  # sent as text/html with ``status`` (a proxy's page)
    headers: dict[str, str] = field(default_factory=dict)  # extra response headers
    reject_stream_options: bool = False  # 400 naming stream_options (script not consumed)
    reject_tools: bool = False  # 400 naming tools when the request has any (not consumed)
    # function calling: streamed after the deltas, fragments of all calls interleaved
    tool_calls: Sequence[ScriptedCall] = ()
    # faults mid-stream
    cut_after: int | None = None  # close the socket abruptly: no end chunk, no [DONE]
    close_after: int | None = None  # end the HTTP body cleanly, no finish_reason/[DONE]
    error_event_after: int | None = None  # ``data: {"error": …}`` then end of body
    error_event: dict[str, Any] | None = None  # None: a server_error body
    malformed_after: int | None = None  # a ``data:`` line that is not JSON
    stall_after: int | None = None  # send nothing more, keep the connection open
    stall_seconds: float = 30.0  # then close it
    gate: Gate | None = None  # hold the answer after gate.after deltas until released
    # wire-format variations
    split_bytes: bool = False  # write each multi-byte character in two network writes
    omit_object: bool = False  # chunks without the ``object`` field
    none_content: bool = False  # ``"content": null`` in role/reasoning/final chunks
    chunked: bool = True  # False: no Transfer-Encoding, body ends when the socket closes
    events_per_write: int = 1  # SSE events coalesced into one network write

    @property
    def text(self) -> str:
        """The answer this script streams when nothing goes wrong."""
        return "".join(self.deltas)


@dataclass
class RecordedRequest:
    """One request as the server saw it, and what became of its response."""

    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    raw_body: bytes
    json: Any  # the parsed body, or None
    connection_id: int
    received_at: float = field(default_factory=time.monotonic)
    status: int | None = None
    deltas_sent: int = 0
    response_complete: bool = False  # the whole response was written
    client_closed_at: float | None = None  # monotonic time the client hung up early
    wire: bytearray = field(default_factory=bytearray)  # every response byte written
    closed_event: threading.Event = field(default_factory=threading.Event, repr=False)
    completed_event: threading.Event = field(default_factory=threading.Event, repr=False)

    def mark_complete(self) -> None:
        """The whole response is written (the server thread says so just after its last
        write, which the client may have read first: wait on ``completed_event``)."""
        self.response_complete = True
        self.completed_event.set()

    @property
    def authorization(self) -> str | None:
        return self.headers.get("authorization")

    @property
    def client_closed(self) -> bool:
        """Whether the client closed the connection before the response ended."""
        return self.client_closed_at is not None

    def response_body(self) -> bytes:
        """The response body as the client decodes it (chunked framing removed)."""
        head, _, body = bytes(self.wire).partition(b"\r\n\r\n")
        if b"transfer-encoding: chunked" not in head.lower():
            return body
        decoded = bytearray()
        while body:
            size_line, _, rest = body.partition(b"\r\n")
            size = int(size_line, 16)
            if size == 0:
                break
            decoded += rest[:size]
            body = rest[size + 2 :]
        return bytes(decoded)

    @property
    def wants_usage(self) -> bool:
        options = self.json.get("stream_options") if isinstance(self.json, dict) else None
        return isinstance(options, dict) and bool(options.get("include_usage"))

    @property
    def streaming(self) -> bool:
        return isinstance(self.json, dict) and bool(self.json.get("stream"))


# --- OpenAI's error bodies ----------------------------------------------------------


def error_body(
    message: str, *, type: str, code: str | None = None, param: str | None = None
) -> dict[str, Any]:
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


_DEFAULT_ERRORS: dict[int, dict[str, Any]] = {
    400: error_body("Invalid request.", type="invalid_request_error"),
    401: error_body(
        "Incorrect API key provided: sk-wrong. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
        type="invalid_request_error",
        code="invalid_api_key",
    ),
    403: error_body(
        "Project `proj_fake` does not have access to model `m`",
        type="invalid_request_error",
        code="model_not_found",
    ),
    404: error_body(
        "The model `m` does not exist or you do not have access to it.",
        type="invalid_request_error",
        code="model_not_found",
    ),
    429: error_body(
        "Rate limit reached for m in organization org-fake on requests per min (RPM): "
        "Limit 3, Used 3, Requested 1. Please try again in 20s.",
        type="requests",
        code="rate_limit_exceeded",
    ),
    500: error_body(
        "The server had an error while processing your request. Sorry about that!",
        type="server_error",
    ),
    503: error_body(
        "The engine is currently overloaded, please try again later", type="server_error"
    ),
}


def default_error_body(status: int) -> dict[str, Any]:
    if status in _DEFAULT_ERRORS:
        return _DEFAULT_ERRORS[status]
    kind = "server_error" if status >= 500 else "invalid_request_error"
    return error_body(f"Error {status}", type=kind)


def http_error(
    status: int,
    message: str | None = None,
    *,
    type: str | None = None,
    code: str | None = None,
    param: str | None = None,
    headers: dict[str, str] | None = None,
) -> Script:
    """A script answering ``status`` with an OpenAI error body."""
    body = default_error_body(status)
    if message is not None or type is not None or code is not None or param is not None:
        base = body["error"]
        body = error_body(
            message if message is not None else base["message"],
            type=type or base["type"],
            code=code if code is not None else base["code"],
            param=param,
        )
    return Script(status=status, error_body=body, headers=dict(headers or {}))


def invalid_api_key() -> Script:
    return http_error(401)


def permission_denied() -> Script:
    return http_error(403)


def model_not_found(model: str = "m") -> Script:
    return http_error(404, f"The model `{model}` does not exist or you do not have access to it.")


def rate_limited(retry_after: str | None = "2", retry_after_ms: str | None = None) -> Script:
    """429 rate_limit_exceeded with OpenAI's rate-limit headers."""
    headers = {"x-ratelimit-limit-requests": "3", "x-ratelimit-remaining-requests": "0"}
    if retry_after is not None:
        headers["retry-after"] = retry_after
    if retry_after_ms is not None:
        headers["retry-after-ms"] = retry_after_ms
    return http_error(429, headers=headers)


def insufficient_quota() -> Script:
    return http_error(
        429,
        "You exceeded your current quota, please check your plan and billing details. "
        "For more information on this error, read the docs: "
        "https://platform.openai.com/docs/guides/error-codes/api-errors.",
        type="insufficient_quota",
        code="insufficient_quota",
    )


def context_length_exceeded() -> Script:
    return http_error(
        400,
        "This model's maximum context length is 128000 tokens. However, your messages "
        "resulted in 130512 tokens. Please reduce the length of the messages.",
        type="invalid_request_error",
        code="context_length_exceeded",
        param="messages",
    )


def images_not_supported() -> Script:
    """400 as OpenAI answers an image part sent to a model without vision."""
    return http_error(
        400,
        "Invalid content type. image_url is only supported by certain models.",
        type="invalid_request_error",
        param="messages.[0].content.[1].type",
    )


def server_error(status: int = 500) -> Script:
    return http_error(status)


STREAM_OPTIONS_REJECTED = error_body(
    "Unrecognized request argument supplied: stream_options", type="invalid_request_error"
)
TOOLS_REJECTED = error_body(
    "tools is not supported for this model", type="invalid_request_error", param="tools"
)
STREAM_ERROR_EVENT = error_body(
    "The server had an error while processing your request. Sorry about that!",
    type="server_error",
)


# --- answers -----------------------------------------------------------------------

_WORDS = [
    "The",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "the",
    "lazy",
    "dog",
    "while",
    "streaming",
    "tokens",
    "arrive",
    "one",
    "by",
    "one,",
    "each",
    "a",
    "small",
    "piece",
    "of",
    "a",
    "longer",
    "answer",
    "that",
    "the",
    "window",
    "shows",
    "as",
    "soon",
    "as",
    "it",
    "comes,",
    "without",
    "waiting",
    "for",
    "the",
    "rest",
    "of",
    "the",
    "reply",
    "to",
    "finish.",
]


def numbered_deltas(count: int = 10_000) -> list[str]:
    """``count`` distinct deltas (``"w0 "``, ``"w1 "``…): order and loss are visible."""
    return [f"w{index} " for index in range(count)]


def word_deltas(count: int) -> list[str]:
    """``count`` deltas of ordinary words, one word each, with line breaks now and then."""
    deltas: list[str] = []
    for index in range(count):
        word = _WORDS[index % len(_WORDS)]
        sep = "\n\n" if index % 40 == 39 else " "
        deltas.append(word + sep)
    return deltas


def long_answer_script(count: int = 10_000, **changes: Any) -> Script:
    """A ``count``-delta answer (default 10,000) of distinct numbered words."""
    return Script(deltas=numbered_deltas(count), **changes)
