"""Streaming text into a real TranscriptView in given pieces, and one-shot renders to compare."""

from __future__ import annotations

from collections.abc import Sequence

from streamchat_desktop.core.models import Message, MessageState, Role
from streamchat_desktop.ui.transcript.view import TranscriptView

REPLY = "reply-1"


def answer(content: str = "", state: MessageState = MessageState.COMPLETE) -> Message:
    return Message(role=Role.ASSISTANT, content=content, id=REPLY, state=state)


def stream(view: TranscriptView, pieces: Sequence[str], flush_after: Sequence[bool]) -> None:
    """Stream ``pieces``, flushing after piece i when ``flush_after[i]``; end, all rendered."""
    view.set_messages([])
    view.begin_reply(answer(state=MessageState.STREAMING))
    for index, piece in enumerate(pieces):
        view.append_text(REPLY, piece)
        if index < len(flush_after) and flush_after[index]:
            view.flush_pending()
    view.end_reply(answer("".join(pieces)))
    while view.pending_characters():
        view.flush_pending()


def one_shot_html(view: TranscriptView, text: str) -> str:
    view.set_messages([answer(text)])
    return view.document().toHtml()
