"""How the fake OpenAI server writes an answer: status line, headers, SSE chunks, faults.

``answer_chat`` plays one ``Script`` onto one connection, byte for byte as OpenAI
would (chunked ``text/event-stream``, ``data: {chat.completion.chunk}`` events, the
usage chunk, ``data: [DONE]``), or breaks it exactly where the script says.
"""

from __future__ import annotations

import asyncio
import time
from email.utils import formatdate
from http import HTTPStatus
from typing import Any

from tests.support.fake_openai_wire import (
    STREAM_ERROR_EVENT,
    RecordedRequest,
    Script,
    default_error_body,
    dumps,
    next_id,
)

SPLIT_PAUSE = 0.002  # between the two halves of a split character: separate TCP reads


class Output:
    """Writes one response: status line, headers, body (chunked or close-delimited)."""

    def __init__(self, writer: asyncio.StreamWriter, record: RecordedRequest, keep: bool) -> None:
        self._writer = writer
        self._record = record
        self._keep_wire = keep
        self._chunked = True
        self._pending: list[bytes] = []

    async def _write(self, data: bytes) -> None:
        self._writer.write(data)
        if self._keep_wire:
            self._record.wire += data
        await self._writer.drain()

    def _head(self, status: int, headers: dict[str, str]) -> bytes:
        base = {
            "date": formatdate(usegmt=True),
            "x-request-id": next_id("req_"),
            "openai-organization": "user-fake",
            "openai-processing-ms": "7",
            "openai-version": "2020-10-01",
            "access-control-expose-headers": "X-Request-ID",
        }
        lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}"]
        lines += [f"{name}: {value}" for name, value in {**base, **headers}.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def json(self, status: int, body: object, headers: dict[str, str] | None = None) -> bool:
        return await self.whole(status, dumps(body), "application/json", headers)

    async def whole(
        self, status: int, payload: bytes, content_type: str, headers: dict[str, str] | None
    ) -> bool:
        """A response with a Content-Length body; the connection stays usable."""
        self._record.status = status
        head = {
            "content-type": content_type,
            "content-length": str(len(payload)),
            "connection": "keep-alive",
            **(headers or {}),
        }
        self._record.mark_complete()  # before the write: see ``answer_chat``
        await self._write(self._head(status, head) + payload)
        return True

    async def start_stream(self, chunked: bool) -> None:
        self._chunked = chunked
        self._record.status = 200
        head = {
            "content-type": "text/event-stream; charset=utf-8",
            "cache-control": "no-cache, must-revalidate",
        }
        head |= (
            {"transfer-encoding": "chunked", "connection": "keep-alive"}
            if chunked
            else {"connection": "close"}
        )
        await self._write(self._head(200, head))

    def event(self, data: bytes) -> None:
        self._pending.append(data)

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def flush(self, split_bytes: bool = False) -> None:
        if not self._pending:
            return
        payload, self._pending = b"".join(self._pending), []
        pieces = _split_multibyte(payload) if split_bytes else [payload]
        for index, piece in enumerate(pieces):
            if index:
                await asyncio.sleep(SPLIT_PAUSE)
            await self._write(b"%x\r\n%s\r\n" % (len(piece), piece) if self._chunked else piece)

    async def end(self) -> bool:
        """End the body properly; ``False`` when that closed the connection."""
        await self.flush()
        if self._chunked:
            await self._write(b"0\r\n\r\n")
            return True
        self._writer.close()
        return False

    def abort(self) -> None:
        """Drop the connection at once: no terminating chunk, nothing more."""
        self._writer.transport.abort()


def _split_multibyte(payload: bytes) -> list[bytes]:
    """Cut ``payload`` inside every multi-byte UTF-8 character."""
    pieces: list[bytes] = []
    start = 0
    for index, byte in enumerate(payload):
        if byte >= 0xC0:  # a lead byte: cut between it and its continuation bytes
            pieces.append(payload[start : index + 1])
            start = index + 1
    pieces.append(payload[start:])
    return [piece for piece in pieces if piece]


class _Chunks:
    """Builds the ``data: {chat.completion.chunk}`` events of one streamed answer."""

    def __init__(self, script: Script, record: RecordedRequest) -> None:
        requested = record.json.get("model") if isinstance(record.json, dict) else None
        self.script = script
        self.id = next_id("chatcmpl-")
        self.created = int(time.time())
        self.model = script.model or str(requested or "m")
        self.include_usage = record.wants_usage

    def _envelope(self, choices: list[dict[str, Any]]) -> dict[str, Any]:
        chunk: dict[str, Any] = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "service_tier": "default",
            "system_fingerprint": "fp_fake0001",
            "choices": choices,
        }
        if self.script.omit_object:
            del chunk["object"]
        if self.include_usage:
            chunk["usage"] = None
        return chunk

    def delta(self, delta: dict[str, Any], finish_reason: str | None = None) -> bytes:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        return b"data: " + dumps(self._envelope([choice])) + b"\n\n"

    def role(self) -> bytes:
        content = None if self.script.none_content else ""
        return self.delta({"role": "assistant", "content": content, "refusal": None})

    def text(self, field: str, text: str) -> bytes:
        delta: dict[str, Any] = {field: text}
        if field != "content" and self.script.none_content:
            delta = {"content": None, field: text}
        return self.delta(delta)

    def finish(self) -> bytes:
        delta: dict[str, Any] = {"content": None} if self.script.none_content else {}
        return self.delta(delta, self.script.finish_reason)

    def usage(self, record: RecordedRequest) -> bytes:
        chunk = self._envelope([])
        chunk["usage"] = self.script.usage or _count_usage(self.script, record)
        return b"data: " + dumps(chunk) + b"\n\n"

    def malformed(self) -> bytes:
        return b'data: {"id":"' + self.id.encode() + b'","object":"chat.completion.chunk","cho\n\n'


def _count_usage(script: Script, record: RecordedRequest) -> dict[str, Any]:
    messages = record.json.get("messages", []) if isinstance(record.json, dict) else []
    prompt = sum(len(str(m.get("content", "")).split()) + 3 for m in messages)
    completion = len(script.deltas) + len(script.reasoning)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": len(script.reasoning),
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


async def answer_chat(out: Output, record: RecordedRequest, script: Script) -> bool:
    """Answer one chat request as scripted; ``True`` if the connection stays usable."""
    if script.response_delay:
        await asyncio.sleep(script.response_delay)
    if script.raw_error_body is not None:  # a proxy's HTML page, or a portal's with 200
        return await out.whole(script.status, script.raw_error_body, "text/html", script.headers)
    if script.status != 200:
        body = script.error_body or default_error_body(script.status)
        return await out.json(script.status, body, script.headers)
    if not record.streaming:
        return await out.json(200, _completion(script, record), script.headers)
    chunks = _Chunks(script, record)
    await out.start_stream(script.chunked)
    if script.first_delay:
        await asyncio.sleep(script.first_delay)
    if script.role_chunk:
        out.event(chunks.role())
    items = [(script.reasoning_field, r) for r in script.reasoning]
    items += [("content", d) for d in script.deltas]
    for index in range(len(items) + 1):
        if (ended := await _fault(out, chunks, script, index)) is not None:
            return ended
        if script.gate is not None and index == script.gate.after:
            await out.flush(script.split_bytes)
            await script.gate.hold()
        if index == len(items):
            break
        if script.delay:
            await out.flush(script.split_bytes)
            await asyncio.sleep(script.delay)
        out.event(chunks.text(*items[index]))
        record.deltas_sent += 1
        if out.pending >= script.events_per_write:
            await out.flush(script.split_bytes)
    for fragment in tool_call_fragments(script):
        out.event(chunks.delta({"tool_calls": [fragment]}))
    if script.finish_reason is not None:
        out.event(chunks.finish())
    if record.wants_usage and script.send_usage:
        out.event(chunks.usage(record))
    if script.done:
        out.event(b"data: [DONE]\n\n")
    await out.flush(script.split_bytes)
    # Marked before the last write: a client may read the end of the body (and assert
    # on this flag) before this coroutine runs again after that write.
    record.mark_complete()
    return await out.end()


def tool_call_fragments(script: Script) -> list[dict[str, Any]]:
    """``delta.tool_calls`` entries as OpenAI streams them: a first fragment with the id
    and the name, then argument pieces; several calls' fragments interleaved."""
    rounds: list[list[dict[str, Any]]] = []
    for index, call in enumerate(script.tool_calls):
        first = {
            "index": index,
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }
        pieces = [{"index": index, "function": {"arguments": p}} for p in call.pieces]
        for position, fragment in enumerate([first, *pieces]):
            if position == len(rounds):
                rounds.append([])
            rounds[position].append(fragment)
    return [fragment for round_ in rounds for fragment in round_]


async def _fault(out: Output, chunks: _Chunks, script: Script, sent: int) -> bool | None:
    """Inject the fault scripted after ``sent`` deltas; its keep-alive, or ``None``."""
    if sent not in (
        script.cut_after,
        script.close_after,
        script.error_event_after,
        script.malformed_after,
        script.stall_after,
    ):
        return None
    await out.flush(script.split_bytes)
    if sent == script.cut_after:
        out.abort()
        return False
    if sent == script.close_after:
        await out.end()
        out.abort()
        return False
    if sent == script.error_event_after:
        out.event(b"data: " + dumps(script.error_event or STREAM_ERROR_EVENT) + b"\n\n")
        return await out.end()
    if sent == script.malformed_after:
        out.event(chunks.malformed())
        return await out.end()
    await asyncio.sleep(script.stall_seconds)
    out.abort()
    return False


def _completion(script: Script, record: RecordedRequest) -> dict[str, Any]:
    """A non-streamed ``chat.completion`` with the script's whole answer."""
    model = script.model or (record.json or {}).get("model") or "m"
    message: dict[str, Any] = {
        "role": "assistant",
        "content": script.text,
        "refusal": None,
        "annotations": [],
    }
    return {
        "id": next_id("chatcmpl-"),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": "stop"}],
        "usage": script.usage or _count_usage(script, record),
        "service_tier": "default",
        "system_fingerprint": "fp_fake0001",
    }
