"""Helpers for transcript tests: views, streaming a text in given pieces, one-shot renders."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import pytest

from streamchat_desktop.core.models import Message, MessageState, Role
from streamchat_desktop.ui.transcript.view import TranscriptView

REPLY_ID = "reply-1"


def assistant(
    content: str = "", state: MessageState = MessageState.COMPLETE, **fields: object
) -> Message:
    return Message(role=Role.ASSISTANT, content=content, id=REPLY_ID, state=state, **fields)  # type: ignore[arg-type]


def stream_into(
    view: TranscriptView,
    pieces: Sequence[str],
    flush_after: Sequence[bool] = (),
    final: Message | None = None,
) -> None:
    """Stream ``pieces`` as deltas, flushing after piece i when ``flush_after[i]``."""
    view.set_messages([])
    view.begin_reply(assistant(state=MessageState.STREAMING))
    for index, piece in enumerate(pieces):
        view.append_text(REPLY_ID, piece)
        if index < len(flush_after) and flush_after[index]:
            view.flush_pending()
    view.end_reply(final or assistant("".join(pieces)))


def one_shot_html(view: TranscriptView, text: str, final: Message | None = None) -> str:
    view.set_messages([final or assistant(text)])
    return view.document().toHtml()


@pytest.fixture
def make_view(qtbot: object) -> Iterator[Callable[..., TranscriptView]]:
    def make(**kwargs: object) -> TranscriptView:
        kwargs.setdefault("open_links", False)
        view = TranscriptView(**kwargs)  # type: ignore[arg-type]
        qtbot.addWidget(view)  # type: ignore[attr-defined]
        return view

    yield make
