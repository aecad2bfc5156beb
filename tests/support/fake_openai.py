"""The tests' own OpenAI-compatible HTTP server, byte-faithful to OpenAI's wire format.

A real HTTP/1.1 server on 127.0.0.1 (raw asyncio streams, so every byte, split and
abrupt cut is under the test's control), running its own event loop in a
background thread: in-process tests on the qasync loop and subprocess tests use it
alike. Each ``POST /v1/chat/completions`` is answered by the next queued
``Script`` (then ``responder``, then ``default``); every request is recorded,
including whether the client hung up before the response ended.

    with FakeOpenAIServer() as server:
        server.enqueue(Script(deltas=["Hi", "!"]))
        ... AsyncOpenAI(base_url=server.base_url, ...) ...
        assert server.last_request.json["model"] == "m"

Manual runs, screenshots, benchmarks, the packaged-build check:
``python -m tests.support.fake_openai --port 0 --words 300 --delay 0.02`` prints
``http://127.0.0.1:PORT/v1`` on its first line and serves until killed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import signal
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from tests.support.fake_openai_answers import Output, answer_chat
from tests.support.fake_openai_gate import Gate
from tests.support.fake_openai_wire import (
    STREAM_OPTIONS_REJECTED,
    TOOLS_REJECTED,
    RecordedRequest,
    Script,
    ScriptedCall,
    calling,
    context_length_exceeded,
    default_error_body,
    error_body,
    http_error,
    images_not_supported,
    insufficient_quota,
    invalid_api_key,
    long_answer_script,
    model_not_found,
    numbered_deltas,
    permission_denied,
    rate_limited,
    server_error,
    word_deltas,
)

__all__ = [
    "FakeOpenAIServer",
    "Gate",
    "RecordedRequest",
    "Script",
    "ScriptedCall",
    "calling",
    "context_length_exceeded",
    "error_body",
    "http_error",
    "images_not_supported",
    "insufficient_quota",
    "invalid_api_key",
    "long_answer_script",
    "model_not_found",
    "numbered_deltas",
    "permission_denied",
    "rate_limited",
    "server_error",
    "word_deltas",
]

Responder = Callable[[RecordedRequest], Script]
DEFAULT_MODELS = ("m", "gpt-4o-mini", "gpt-4o")


class FakeOpenAIServer:
    """An OpenAI-compatible server for tests; see the module docstring."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        default: Script | None = None,
        models: Iterable[str] = DEFAULT_MODELS,
        keep_requests: int | None = None,
        record_wire: bool = True,
    ) -> None:
        self.host = host
        self.port = port
        self.default = default or Script()
        self.responder: Responder | None = None
        self.models = list(models)
        self.models_script: Script | None = None  # e.g. http_error(401) for GET /models
        self.model_fields: dict[str, dict[str, Any]] = {}  # extra fields of a model entry
        self.record_wire = record_wire
        self._queue: deque[Script] = deque()
        self._requests: deque[RecordedRequest] = deque(maxlen=keep_requests)
        self._cond = threading.Condition()
        self._connection_ids = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    # --- life cycle ---------------------------------------------------------------

    def start(self) -> FakeOpenAIServer:
        """Listen (on a free port when ``port`` is 0) and serve from a background thread."""
        self._loop = asyncio.SelectorEventLoop()  # not the test's (qasync) loop policy
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.name = "fake-openai"
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(5)
        return self

    def stop(self) -> None:
        """Close the listener and every open connection, then end the thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()
        self._loop = self._thread = None

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """What to give the SDK or the app: ``http://127.0.0.1:PORT/v1``."""
        return f"http://{self.host}:{self.port}/v1"

    # --- scripting ----------------------------------------------------------------

    def enqueue(self, *scripts: Script) -> None:
        """Answer the next chat requests with these scripts, in order."""
        with self._cond:
            self._queue.extend(scripts)

    def reset(self) -> None:
        """Forget queued scripts, the responder and recorded requests."""
        with self._cond:
            self._queue.clear()
            self._requests.clear()
        self.responder = None
        self.models_script = None

    # --- what happened ------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._cond:
            return list(self._requests)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    @property
    def last_request(self) -> RecordedRequest:
        with self._cond:
            if not self._requests:
                raise AssertionError("the fake OpenAI server has received no request")
            return self._requests[-1]

    def wait_for_requests(self, count: int, timeout: float = 30.0) -> list[RecordedRequest]:
        """Block the calling thread until ``count`` requests arrived (subprocess tests).

        Not from a coroutine on the qasync loop: that would freeze the app under test;
        poll ``requests`` with ``tests.support.waiting.wait_until`` there instead.
        """
        with self._cond:
            if not self._cond.wait_for(lambda: len(self._requests) >= count, timeout):
                raise AssertionError(f"{len(self._requests)} of {count} requests in {timeout} s")
            return list(self._requests)

    # --- serving (all below runs on the server's own loop) -------------------------

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        connection_id = next(self._connection_ids)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        writer.transport.set_write_buffer_limits(0)  # drain() waits until the kernel has it
        buffer = bytearray()
        try:
            while (record := await _read_request(reader, buffer, connection_id)) is not None:
                with self._cond:
                    self._requests.append(record)
                    self._cond.notify_all()
                keep_alive = await self._respond(record, reader, writer, buffer)
                if not keep_alive or record.headers.get("connection") == "close":
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        except asyncio.CancelledError:
            pass  # the server is stopping; asyncio's stream callback logs a re-raise
        finally:
            writer.transport.abort()
            self._tasks.discard(task)

    async def _respond(
        self,
        record: RecordedRequest,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        buffer: bytearray,
    ) -> bool:
        out = Output(writer, record, self.record_wire)
        path = record.path.split("?", 1)[0].rstrip("/")
        if record.method == "GET" and path == "/v1/models":
            return await self._answer_models(out)
        if record.method != "POST" or path != "/v1/chat/completions":
            message = f"Invalid URL ({record.method} {record.path})"
            return await out.json(404, error_body(message, type="invalid_request_error"))
        script = self._script_for(record)
        answer = asyncio.create_task(answer_chat(out, record, script))
        hangup = asyncio.create_task(_wait_for_hangup(reader, buffer))
        await asyncio.wait({answer, hangup}, return_when=asyncio.FIRST_COMPLETED)
        if answer.done():
            hangup.cancel()
            await asyncio.gather(hangup, return_exceptions=True)
            try:
                return answer.result()
            except (ConnectionError, OSError):
                _mark_closed(record)
                return False
        answer.cancel()
        await asyncio.gather(answer, return_exceptions=True)
        if not record.response_complete:
            _mark_closed(record)
        return False

    def _script_for(self, record: RecordedRequest) -> Script:
        """The next queued script (kept when it rejects stream_options), else the rest."""
        with self._cond:
            queued = self._queue[0] if self._queue else None
            if queued is not None and not _rejects(queued, record):
                self._queue.popleft()
        if queued is not None:
            return _rejection(queued, record) if _rejects(queued, record) else queued
        script = self.responder(record) if self.responder else self.default
        return _rejection(script, record) if _rejects(script, record) else script

    async def _answer_models(self, out: Output) -> bool:
        script = self.models_script
        if script is not None and script.status != 200:
            body = script.error_body or default_error_body(script.status)
            return await out.json(script.status, body, script.headers)
        data = [
            {
                "id": name,
                "object": "model",
                "created": 1686935002,
                "owned_by": "system",
                **self.model_fields.get(name, {}),
            }
            for name in self.models
        ]
        return await out.json(200, {"object": "list", "data": data})


def _rejects(script: Script, record: RecordedRequest) -> bool:
    body = record.json if isinstance(record.json, dict) else {}
    return (script.reject_stream_options and "stream_options" in body) or (
        script.reject_tools and "tools" in body
    )


def _rejection(script: Script, record: RecordedRequest) -> Script:
    if script.reject_tools and isinstance(record.json, dict) and "tools" in record.json:
        return Script(status=400, error_body=TOOLS_REJECTED)
    return Script(status=400, error_body=STREAM_OPTIONS_REJECTED)


def _mark_closed(record: RecordedRequest) -> None:
    if record.client_closed_at is None and not record.response_complete:
        record.client_closed_at = time.monotonic()
        record.closed_event.set()


async def _wait_for_hangup(reader: asyncio.StreamReader, buffer: bytearray) -> None:
    """Return when the client closes its side (EOF) while a response is under way."""
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(65536):
            buffer += data  # a pipelined next request: keep it for the parser


async def _read_request(
    reader: asyncio.StreamReader, buffer: bytearray, connection_id: int
) -> RecordedRequest | None:
    """Parse one HTTP/1.1 request (Content-Length body); ``None`` once the client left."""
    while (end := buffer.find(b"\r\n\r\n")) < 0:
        data = await reader.read(65536)
        if not data:
            return None
        buffer += data
    head = bytes(buffer[:end]).decode("latin-1")
    del buffer[: end + 4]
    request_line, *header_lines = head.split("\r\n")
    method, target, _version = request_line.split(" ", 2)
    headers: dict[str, str] = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(buffer) < length:
        data = await reader.read(65536)
        if not data:
            return None
        buffer += data
    raw = bytes(buffer[:length])
    del buffer[:length]
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return RecordedRequest(method, target, headers, raw, parsed, connection_id)


def main(argv: list[str] | None = None) -> int:
    """Serve a simple scripted answer forever; print the base URL first."""
    parser = argparse.ArgumentParser(prog="python -m tests.support.fake_openai")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--words", type=int, default=200, help="deltas per answer")
    parser.add_argument("--delay", type=float, default=0.02, help="seconds between deltas")
    parser.add_argument("--reasoning", type=int, default=0, help="reasoning deltas first")
    args = parser.parse_args(argv)
    script = Script(
        deltas=word_deltas(args.words),
        reasoning=word_deltas(args.reasoning),
        delay=args.delay,
    )
    server = FakeOpenAIServer(
        args.host, args.port, default=script, keep_requests=100, record_wire=False
    )
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    server.start()
    print(server.base_url, flush=True)
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
