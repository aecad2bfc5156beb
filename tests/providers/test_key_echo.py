"""A server that echoes the key it was sent in an error never gets it any further:
the adapter masks its own key in every error it raises (the message is shown, stored,
exported and sent to companion views), and repairs text that could not be stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from streamchat_desktop.core.errors import ChatError, ErrorKind
from tests.providers.conftest import REQUEST, MakeProvider
from tests.providers.streaming import Collected, collect
from tests.support.fake_openai import FakeOpenAIServer, Script, http_error

RunAsync = Callable[..., Any]
KEY = "sk-echo-me-not-0123456789abcdef"


@pytest.mark.parametrize(
    ("script", "kind"),
    [
        (http_error(401, f"Invalid proxy token. Received API Key = {KEY}"), ErrorKind.AUTH),
        (http_error(429, f"Slow down, {KEY}"), ErrorKind.RATE_LIMITED),
        (
            Script(
                deltas=["a ", "b"],
                error_event_after=1,
                error_event={"error": {"message": f"key {KEY} revoked", "type": "x"}},
            ),
            ErrorKind.STREAM_ERROR,
        ),
    ],
    ids=["401", "429", "error-event"],
)
def test_the_key_is_masked_in_errors_of_a_stream(
    fake_openai: FakeOpenAIServer,
    make_provider: MakeProvider,
    run_async: RunAsync,
    script: Script,
    kind: ErrorKind,
) -> None:
    fake_openai.enqueue(script)
    out: Collected = run_async(collect(make_provider(KEY), REQUEST))
    assert out.error is not None and out.error.kind is kind
    assert KEY not in out.error.message and KEY not in str(out.error)
    assert "***" in out.error.message
    assert fake_openai.last_request.authorization == f"Bearer {KEY}"


def test_the_key_is_masked_in_a_model_list_error(
    fake_openai: FakeOpenAIServer, make_provider: MakeProvider, run_async: RunAsync
) -> None:
    fake_openai.models_script = http_error(401, f"Bad key {KEY}")
    with pytest.raises(ChatError) as caught:
        run_async(make_provider(KEY).list_models())
    assert caught.value.kind is ErrorKind.AUTH
    assert KEY not in caught.value.message and "Bad key ***" in caught.value.message


def test_other_text_is_left_alone(
    fake_openai: FakeOpenAIServer, make_provider: MakeProvider, run_async: RunAsync
) -> None:
    fake_openai.enqueue(http_error(401, "Incorrect API key provided: sk-wr****1234."))
    out: Collected = run_async(collect(make_provider(KEY), REQUEST))
    assert out.error is not None
    assert out.error.message.endswith("Incorrect API key provided: sk-wr****1234.")


def test_a_lone_surrogate_in_an_error_becomes_a_replacement_character(
    fake_openai: FakeOpenAIServer, make_provider: MakeProvider, run_async: RunAsync
) -> None:
    fake_openai.enqueue(http_error(500, "overloaded \ud800 try later"))
    out: Collected = run_async(collect(make_provider(KEY), REQUEST))
    assert out.error is not None and out.error.kind is ErrorKind.SERVER
    assert "overloaded \ufffd try later" in out.error.message
    out.error.message.encode("utf-8")  # stored, exported and shown like any text
