"""Every failure the server can produce ends as a known ``ChatError`` kind, and the
text received before a mid-stream failure is kept by the ChatSession."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from streamchat_desktop.core.errors import ChatError, ErrorKind
from streamchat_desktop.core.events import Failed, TextDelta
from streamchat_desktop.providers.openai_compat import MAX_RETRY_AFTER, OpenAICompatibleProvider
from tests.providers.conftest import REQUEST, MakeProvider
from tests.providers.streaming import Collected, collect, new_session
from tests.support import fake_openai_wire as wire
from tests.support import servers
from tests.support.fake_openai import FakeOpenAIServer, Gate, Script

RunAsync = Callable[..., Any]


def fail(provider: OpenAICompatibleProvider, run_async: RunAsync) -> ChatError:
    out: Collected = run_async(collect(provider, REQUEST))
    assert out.error is not None, f"expected a ChatError, got {out.events}"
    return out.error


@pytest.mark.parametrize(
    ("script", "kind", "status"),
    [
        (wire.invalid_api_key(), ErrorKind.AUTH, 401),
        (wire.permission_denied(), ErrorKind.FORBIDDEN, 403),
        (wire.model_not_found(), ErrorKind.NOT_FOUND, 404),
        (wire.rate_limited(retry_after=None), ErrorKind.RATE_LIMITED, 429),
        (wire.insufficient_quota(), ErrorKind.QUOTA, 429),
        (wire.context_length_exceeded(), ErrorKind.CONTEXT_TOO_LONG, 400),
        (wire.http_error(413, "Request too large"), ErrorKind.CONTEXT_TOO_LONG, 413),
        (wire.http_error(400, "Invalid value for temperature"), ErrorKind.BAD_REQUEST, 400),
        (wire.server_error(500), ErrorKind.SERVER, 500),
        (wire.server_error(503), ErrorKind.SERVER, 503),
        (wire.http_error(502, "Bad gateway"), ErrorKind.SERVER, 502),
    ],
    ids=lambda v: "" if isinstance(v, Script) else str(getattr(v, "value", v)),
)
def test_http_errors_map_to_known_kinds(
    fake_openai: FakeOpenAIServer,
    provider: OpenAICompatibleProvider,
    run_async: RunAsync,
    script: Script,
    kind: ErrorKind,
    status: int,
) -> None:
    fake_openai.enqueue(script)

    error = fail(provider, run_async)

    assert (error.kind, error.status) == (kind, status)
    assert script.error_body is not None
    server_words = script.error_body["error"]["message"].rstrip(".")
    assert server_words in error.message
    assert len(fake_openai.chat_requests) == 1  # no silent retries by the SDK


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry_after": "7"}, 7.0),
        ({"retry_after": None, "retry_after_ms": "1500"}, 1.5),
        ({"retry_after": "99999999"}, MAX_RETRY_AFTER),  # the server's word, bounded
    ],
)
def test_rate_limit_honours_retry_after(
    fake_openai: FakeOpenAIServer,
    provider: OpenAICompatibleProvider,
    run_async: RunAsync,
    headers: dict[str, Any],
    expected: float,
) -> None:
    fake_openai.enqueue(wire.rate_limited(**headers))

    error = fail(provider, run_async)

    assert error.kind is ErrorKind.RATE_LIMITED
    assert error.retry_after == expected
    assert error.retryable
    assert f"Retry in {expected:g} s." in error.message


@pytest.mark.parametrize("value", ["inf", "nan", "-inf"])
def test_a_retry_after_that_is_no_number_of_seconds_is_ignored(
    fake_openai: FakeOpenAIServer,
    provider: OpenAICompatibleProvider,
    run_async: RunAsync,
    value: str,
) -> None:
    fake_openai.enqueue(wire.rate_limited(retry_after=value))

    error = fail(provider, run_async)

    assert error.kind is ErrorKind.RATE_LIMITED and error.retry_after is None


def test_quota_is_not_a_rate_limit(
    fake_openai: FakeOpenAIServer, provider: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    script = wire.insufficient_quota()
    script.headers["retry-after"] = "1"
    fake_openai.enqueue(script)

    error = fail(provider, run_async)

    assert error.kind is ErrorKind.QUOTA
    assert error.retry_after is None and not error.retryable


@pytest.fixture
def closed_port() -> int:
    return servers.free_port()


def test_unreachable_host(
    make_provider: MakeProvider, run_async: RunAsync, closed_port: int
) -> None:
    provider = make_provider(base_url=f"http://127.0.0.1:{closed_port}/v1")

    error = fail(provider, run_async)

    assert error.kind is ErrorKind.UNREACHABLE
    assert error.retryable


def test_stalled_stream_times_out_by_the_read_timeout(
    fake_openai: FakeOpenAIServer, make_provider: MakeProvider, run_async: RunAsync
) -> None:
    never_released = Gate(after=2)  # the server says nothing more, and keeps the connection
    fake_openai.enqueue(Script(deltas=["partial ", "answer", " never"], gate=never_released))
    provider = make_provider(timeout=1.0)
    run = new_session(provider.stream, REQUEST)

    outcome = run_async(run.session.start())

    assert isinstance(outcome, Failed)
    assert outcome.error.kind is ErrorKind.TIMEOUT
    assert run.session.text == "partial answer"  # what arrived is kept
    # the client gave up and closed the connection; the server saw it
    assert fake_openai.last_request.closed_event.wait(10)


def test_headers_that_never_come_time_out(
    fake_openai: FakeOpenAIServer, make_provider: MakeProvider, run_async: RunAsync
) -> None:
    fake_openai.enqueue(Script(response_delay=3600))
    provider = make_provider(timeout=1.0)

    error = fail(provider, run_async)

    assert error.kind is ErrorKind.TIMEOUT


@pytest.fixture
def full_backlog() -> Iterator[int]:
    """A port whose accept queue is full: new connections hang in the SYN stage."""
    with servers.full_backlog() as port:
        yield port


def test_connect_timeout(
    make_provider: MakeProvider, run_async: RunAsync, full_backlog: int
) -> None:
    # the read timeout is out of reach (the run would fail first): only the connect one fires
    provider = make_provider(
        base_url=f"http://127.0.0.1:{full_backlog}/v1", timeout=3600.0, connect_timeout=0.5
    )

    error = fail(provider, run_async)

    assert error.kind is ErrorKind.TIMEOUT
    assert "connect" in error.message


@pytest.mark.parametrize(
    ("fault", "kept"),
    [
        ({"cut_after": 2}, "Half an "),  # socket closed mid-body: incomplete chunked read
        ({"close_after": 2}, "Half an "),  # body ended cleanly, no finish_reason/[DONE]
        ({"close_after": 2, "chunked": False}, "Half an "),  # close-delimited body: clean EOF
        ({"finish_reason": None}, "Half an answer"),  # [DONE] but never a finish reason
    ],
    ids=["abrupt", "clean-chunked", "clean-eof", "no-finish-reason"],
)
def test_stream_cut_keeps_the_partial_answer(
    fake_openai: FakeOpenAIServer,
    provider: OpenAICompatibleProvider,
    run_async: RunAsync,
    fault: dict[str, Any],
    kept: str,
) -> None:
    fake_openai.enqueue(Script(deltas=["Half ", "an ", "answer"], **fault))
    run = new_session(provider.stream, REQUEST)

    outcome = run_async(run.session.start())

    assert isinstance(outcome, Failed)
    assert outcome.error.kind is ErrorKind.STREAM_CUT
    assert outcome.error.retryable
    assert run.session.text == kept


def test_error_event_inside_the_stream(
    fake_openai: FakeOpenAIServer, provider: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    event = wire.error_body("Upstream model crashed", type="server_error", code="model_error")
    fake_openai.enqueue(
        Script(deltas=["one ", "two ", "three"], error_event_after=2, error_event=event)
    )
    run = new_session(provider.stream, REQUEST)

    outcome = run_async(run.session.start())

    assert isinstance(outcome, Failed)
    assert outcome.error.kind is ErrorKind.STREAM_ERROR
    assert "Upstream model crashed" in outcome.error.message
    assert run.session.text == "one two "


def test_error_event_with_a_bare_string(
    fake_openai: FakeOpenAIServer, provider: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    fake_openai.enqueue(Script(error_event_after=1, error_event={"error": "Overloaded"}))

    out = run_async(collect(provider, REQUEST))

    assert out.error is not None and out.error.kind is ErrorKind.STREAM_ERROR
    assert "Overloaded" in out.error.message
    assert out.text == "Hello"


def test_a_proxy_html_error_page(
    fake_openai: FakeOpenAIServer, provider: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    page = b"<html><body><h1>502 Bad Gateway</h1>nginx</body></html>"
    fake_openai.enqueue(Script(status=502, raw_error_body=page))

    error = fail(provider, run_async)

    assert (error.kind, error.status) == (ErrorKind.SERVER, 502)
    assert error.message == "The server had an internal error (HTTP 502)."


def test_malformed_chunk(
    fake_openai: FakeOpenAIServer, provider: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    fake_openai.enqueue(Script(deltas=["ok ", "then ", "garbage"], malformed_after=2))
    run = new_session(provider.stream, REQUEST)

    outcome = run_async(run.session.start())

    assert isinstance(outcome, Failed)
    assert outcome.error.kind is ErrorKind.MALFORMED
    assert run.session.text == "ok then "
    assert [e.text for e in run.events if isinstance(e, TextDelta)] == ["ok ", "then "]


def test_server_rejecting_stream_options_still_works(
    fake_openai: FakeOpenAIServer, provider: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    fake_openai.default = Script(deltas=["works"], reject_stream_options=True)

    first = run_async(collect(provider, REQUEST))
    second = run_async(collect(provider, REQUEST))

    assert first.error is None and first.text == "works"
    assert second.error is None and second.text == "works"
    sent = [r.json for r in fake_openai.chat_requests]
    assert ["stream_options" in body for body in sent] == [True, False, False]
    assert fake_openai.chat_requests[0].status == 400


def test_models_list_errors_are_mapped(
    fake_openai: FakeOpenAIServer, provider: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    fake_openai.models_script = wire.invalid_api_key()

    with pytest.raises(ChatError) as caught:
        run_async(provider.list_models())

    assert caught.value.kind is ErrorKind.AUTH
