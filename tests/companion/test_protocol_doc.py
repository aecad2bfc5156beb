"""Issue 6: the protocol document for people who write their own viewer names every
event, error code and payload field of ``companion/protocol.py``."""

from __future__ import annotations

import typing
from pathlib import Path

from streamchat_desktop.companion import protocol

DOC = Path(__file__).resolve().parents[2] / "docs" / "companion-protocol.md"


def test_the_document_names_every_event_error_and_field() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name in (*protocol.SERVER_EVENTS, *protocol.CLIENT_EVENTS, *protocol.ERROR_CODES):
        assert f"`{name}`" in text, f"{name} is not documented"
    for payload, value in vars(protocol).items():
        if isinstance(value, type) and typing.is_typeddict(value):
            for field in typing.get_type_hints(value):
                assert field in text, f"{payload}.{field} is not documented"
    assert f"{protocol.MAX_PROMPT_CHARS:,}" in text
