"""The domain objects' own rules."""

from __future__ import annotations

import pytest

from streamchat_desktop.core.models import Message, MessageState, Role


@pytest.mark.parametrize(
    ("role", "state", "streaming"),
    [
        (Role.ASSISTANT, MessageState.STREAMING, True),
        (Role.ASSISTANT, MessageState.COMPLETE, False),
        (Role.ASSISTANT, MessageState.INTERRUPTED, False),
        (Role.USER, MessageState.STREAMING, False),
    ],
)
def test_only_an_assistant_reply_still_arriving_is_a_streaming_reply(
    role: Role, state: MessageState, streaming: bool
) -> None:
    assert Message(role=role, content="x", state=state).is_streaming_reply is streaming
