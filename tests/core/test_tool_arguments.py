"""A call's arguments are the model's text: whatever it is, the call gets a reason back
(as its result, for the model) rather than ending the reply as a bug."""

from __future__ import annotations

import pytest

from streamchat_desktop.core.tool_loop import parse_arguments


def test_an_object_is_the_arguments() -> None:
    assert parse_arguments('{"text": "hi"}') == {"text": "hi"}
    assert parse_arguments("  ") == {}


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ('{"text": ', "the arguments are not valid JSON"),
        ("[1, 2]", "the arguments must be a JSON object, not list"),
        ("[" * 5_000, "the arguments are nested too deeply"),
    ],
)
def test_anything_else_gets_a_reason(raw: str, reason: str) -> None:
    result = parse_arguments(raw)
    assert isinstance(result, str) and result.startswith(reason)
