"""A server that answers 200 with something other than an event stream (a captive
portal's login page, a proxy's HTML, a plain JSON completion) is named as such, with its
content type, not reported as "the connection closed in the middle of the answer"
(issue 14, item 10)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from streamchat_desktop.core.errors import ErrorKind
from streamchat_desktop.providers.openai_compat import OpenAICompatibleProvider
from tests.providers.conftest import REQUEST
from tests.providers.streaming import Collected, collect
from tests.support.fake_openai import FakeOpenAIServer, Script

RunAsync = Callable[..., Any]


def test_an_html_page_with_200_says_it_is_not_the_openai_format(
    fake_openai: FakeOpenAIServer, provider: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    page = b"<!doctype html><html><body><h1>Welcome to Hotel Wi-Fi</h1></body></html>"
    fake_openai.enqueue(Script(status=200, raw_error_body=page))

    out: Collected = run_async(collect(provider, REQUEST))

    assert out.error is not None
    assert out.error.kind is ErrorKind.MALFORMED
    assert out.error.status == 200
    assert "did not answer in the OpenAI format" in out.error.message
    assert "text/html" in out.error.message
    assert "closed" not in out.error.message
    assert out.events == []


def test_a_stream_cut_before_its_end_is_still_a_cut(
    fake_openai: FakeOpenAIServer, provider: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    fake_openai.enqueue(Script(deltas=["Half ", "an answer"], finish_reason=None))

    out: Collected = run_async(collect(provider, REQUEST))

    assert out.error is not None and out.error.kind is ErrorKind.STREAM_CUT
    assert out.text == "Half an answer"
