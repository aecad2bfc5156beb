"""A server that echoes the key it was sent in an error never gets it any further:
the adapter masks its own key in every error it raises (the message is shown, stored,
exported and sent to companion views), and repairs text that could not be stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from streamchat_desktop.core.errors import ChatError, ErrorKind
from streamchat_desktop.core.events import ReasoningDelta, StreamEnd
from streamchat_desktop.core.tool_events import Notice
from streamchat_desktop.providers.key_masking import KEY_ECHO_NOTICE
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


def _split(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


@pytest.mark.parametrize("size", [1, 3, 7, 100], ids=lambda n: f"{n}-char-deltas")
def test_a_key_echoed_in_the_answer_is_masked_even_split_across_deltas(
    fake_openai: FakeOpenAIServer, make_provider: MakeProvider, run_async: RunAsync, size: int
) -> None:
    """Issue 14, item 6: the answer text reaches the screen, SQLite, exports, stdout and
    the companion; the key is masked where the text enters, whatever the delta sizes."""
    answer = f"Your key is {KEY}, and again: {KEY}. sk- is how keys start; s"
    thinking = f"The header said Bearer {KEY}"
    fake_openai.enqueue(Script(deltas=_split(answer, size), reasoning=_split(thinking, size)))

    out: Collected = run_async(collect(make_provider(KEY), REQUEST))

    assert out.error is None
    assert out.text == "Your key is ***, and again: ***. sk- is how keys start; s"
    reasoning = "".join(e.text for e in out.events if isinstance(e, ReasoningDelta))
    assert reasoning == "The header said Bearer ***"
    assert [e for e in out.events if isinstance(e, Notice)] == [Notice(KEY_ECHO_NOTICE)]
    assert isinstance(out.events[-1], StreamEnd)


def test_an_answer_without_the_key_is_passed_as_it_came(
    fake_openai: FakeOpenAIServer, make_provider: MakeProvider, run_async: RunAsync
) -> None:
    deltas = ["sk-echo", "-me-", "maybe not", " s"]
    fake_openai.enqueue(Script(deltas=deltas))

    out: Collected = run_async(collect(make_provider(KEY), REQUEST))

    assert out.text == "".join(deltas)
    assert not any(isinstance(e, Notice) for e in out.events)


def test_a_placeholder_key_is_not_masked_in_answers(
    fake_openai: FakeOpenAIServer, make_provider: MakeProvider, run_async: RunAsync
) -> None:
    """Local servers take "ollama" or "lm-studio" as a key: those words stay in answers."""
    fake_openai.enqueue(Script(deltas=["Run ollama ", "serve first"]))

    out: Collected = run_async(collect(make_provider("ollama"), REQUEST))

    assert out.text == "Run ollama serve first"


def test_text_held_back_is_given_back_when_the_stream_fails(
    fake_openai: FakeOpenAIServer, make_provider: MakeProvider, run_async: RunAsync
) -> None:
    deltas = ["partial ", KEY[:10]]
    fake_openai.enqueue(Script(deltas=deltas, error_event_after=2))

    out: Collected = run_async(collect(make_provider(KEY), REQUEST))

    assert out.error is not None and out.error.kind is ErrorKind.STREAM_ERROR
    assert out.text == "partial " + KEY[:10]


def test_a_lone_surrogate_in_an_error_becomes_a_replacement_character(
    fake_openai: FakeOpenAIServer, make_provider: MakeProvider, run_async: RunAsync
) -> None:
    fake_openai.enqueue(http_error(500, "overloaded \ud800 try later"))
    out: Collected = run_async(collect(make_provider(KEY), REQUEST))
    assert out.error is not None and out.error.kind is ErrorKind.SERVER
    assert "overloaded \ufffd try later" in out.error.message
    out.error.message.encode("utf-8")  # stored, exported and shown like any text
