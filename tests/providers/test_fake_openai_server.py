"""The fake server itself: its command line, raw wire bytes, and what it records.

Other suites (UI, end-to-end, benchmarks, the packaged-build check) rely on these.
"""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from tests.support.fake_openai import FakeOpenAIServer, Gate, Script, http_error

ROOT = Path(__file__).resolve().parents[2]


def post(server: FakeOpenAIServer, body: dict[str, object]) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
    connection.request(
        "POST",
        "/v1/chat/completions",
        json.dumps(body),
        {"Content-Type": "application/json", "Authorization": "Bearer sk-x"},
    )
    return connection.getresponse()


def test_stream_bytes_are_openai_sse(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(Script(deltas=["Hi"]))

    response = post(
        fake_openai,
        {"model": "m", "stream": True, "stream_options": {"include_usage": True}},
    )
    body = response.read().decode()

    assert response.status == 200
    assert response.getheader("Content-Type") == "text/event-stream; charset=utf-8"
    assert response.getheader("Transfer-Encoding") == "chunked"
    assert response.getheader("x-request-id", "").startswith("req_")
    events = body.split("\n\n")
    assert events[-2:] == ["data: [DONE]", ""]
    chunks = [json.loads(e.removeprefix("data: ")) for e in events[:-2]]
    assert [c["object"] for c in chunks] == ["chat.completion.chunk"] * 4
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": "", "refusal": None}
    assert chunks[1]["choices"][0] == {
        "index": 0,
        "delta": {"content": "Hi"},
        "logprobs": None,
        "finish_reason": None,
    }
    assert chunks[2]["choices"][0]["finish_reason"] == "stop"
    assert chunks[3]["choices"] == [] and chunks[3]["usage"]["completion_tokens"] == 1
    assert chunks[0]["id"].startswith("chatcmpl-")
    assert len({c["id"] for c in chunks}) == 1
    assert fake_openai.last_request.authorization == "Bearer sk-x"


def test_error_response_and_unknown_paths(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(http_error(429, headers={"retry-after": "3"}))

    response = post(fake_openai, {"model": "m", "stream": True})
    body = json.loads(response.read())

    assert response.status == 429 and response.getheader("retry-after") == "3"
    assert set(body["error"]) == {"message", "type", "param", "code"}
    connection = http.client.HTTPConnection(fake_openai.host, fake_openai.port, timeout=30)
    connection.request("GET", "/v1/nothing")
    missing = connection.getresponse()
    assert missing.status == 404
    assert json.loads(missing.read())["error"]["message"] == "Invalid URL (GET /v1/nothing)"


def test_non_streamed_completion(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(Script(deltas=["Whole", " answer"]))

    body = json.loads(post(fake_openai, {"model": "gpt-4o", "messages": []}).read())

    assert body["object"] == "chat.completion" and body["model"] == "gpt-4o"
    assert body["choices"][0]["message"]["content"] == "Whole answer"


def test_queue_then_responder_then_default(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.default = Script(deltas=["default"])
    fake_openai.enqueue(Script(deltas=["queued"]))
    texts = []
    for _ in range(2):
        texts.append(json.loads(post(fake_openai, {"model": "m"}).read()))
    fake_openai.responder = lambda request: Script(deltas=[request.json["model"]])
    texts.append(json.loads(post(fake_openai, {"model": "echo"}).read()))

    contents = [t["choices"][0]["message"]["content"] for t in texts]
    assert contents == ["queued", "default", "echo"]
    assert len(fake_openai.wait_for_requests(3)) == 3


def test_a_gate_holds_the_answer_until_released(fake_openai: FakeOpenAIServer) -> None:
    gate = Gate(after=2)
    fake_openai.enqueue(Script(deltas=["a", "b", "c", "d"], gate=gate))

    response = post(fake_openai, {"model": "m", "stream": True})
    gate.wait_reached()
    held = fake_openai.last_request
    assert held.deltas_sent == 2 and not held.response_complete
    assert b'"content":"b"' in held.wire and b'"content":"c"' not in held.wire
    gate.release()
    body = response.read().decode()

    assert body.endswith("data: [DONE]\n\n") and '"content":"d"' in body
    assert held.completed_event.wait(30)


def test_a_held_answer_ends_when_the_client_hangs_up(fake_openai: FakeOpenAIServer) -> None:
    gate = Gate(after=1)
    fake_openai.enqueue(Script(deltas=["a", "b"], gate=gate), Script(deltas=["next"]))

    response = post(fake_openai, {"model": "m", "stream": True})
    gate.wait_reached()
    response.close()

    assert fake_openai.last_request.closed_event.wait(5)
    assert not fake_openai.last_request.response_complete
    assert "next" in post(fake_openai, {"model": "m", "stream": True}).read().decode()


def test_command_line_prints_its_url_first_and_stops_on_sigterm() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.fake_openai", "--words", "3", "--delay", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        parts = urlsplit(base_url)
        assert (parts.scheme, parts.hostname, parts.path) == ("http", "127.0.0.1", "/v1")
        assert parts.port is not None
        connection = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=30)
        connection.request("POST", "/v1/chat/completions", json.dumps({"model": "m"}))
        answer = json.loads(connection.getresponse().read())
        assert answer["choices"][0]["message"]["content"] == "The quick brown "
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(5) == 0
