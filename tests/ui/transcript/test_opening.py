"""Opening a long conversation shows its end at once and the rest above it while idle."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from streamchat_desktop.core.models import Message, MessageState, Role
from streamchat_desktop.ui.transcript import opening
from streamchat_desktop.ui.transcript.view import TranscriptView


def _conversation(pairs: int) -> list[Message]:
    messages: list[Message] = []
    for i in range(pairs):
        messages.append(Message(role=Role.USER, content=f"Question {i}?", id=f"u{i}"))
        body = (
            f"## Answer {i}\n\nSome *text*.\n\n- a\n- b\n\n```py\nx = {i}\n```"
            f"\n\n| a |\n|---|\n| {i} |"
        )
        messages.append(Message(role=Role.ASSISTANT, content=body, id=f"a{i}"))
    return messages


@pytest.fixture
def idle_loads_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(opening, "IDLE_DOCUMENT_LIMIT", 10**9)


@pytest.fixture
def views(qtbot: Any) -> Iterator[tuple[TranscriptView, TranscriptView]]:
    pair = TranscriptView(open_links=False), TranscriptView(open_links=False)
    for view in pair:
        view.resize(700, 500)
        qtbot.addWidget(view)
        view.show()
    yield pair


def _one_shot(view: TranscriptView, messages: list[Message]) -> str:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(opening, "OPEN_CHARACTERS", 10**9)
        view.set_messages(messages)
    assert view.earlier_pending() == 0
    return view.document().toHtml()


def test_the_end_shows_first_and_the_rest_arrives_to_the_one_shot_document(
    qtbot: Any, views: tuple[TranscriptView, TranscriptView], idle_loads_all: None
) -> None:
    view, reference = views
    messages = _conversation(500)
    view.set_messages(messages)
    assert view.earlier_pending() > 900  # only the last screen or so was rendered
    text = view.document().toPlainText()
    assert "Answer 499" in text and "Answer 0\n" not in text
    assert "earlier messages" in text
    assert view.message_ids() == [m.id for m in messages]
    qtbot.waitUntil(lambda: view.earlier_pending() == 0, timeout=60_000)
    assert view.document().toHtml() == _one_shot(reference, messages)


def test_the_view_does_not_move_while_earlier_messages_arrive(
    qtbot: Any, views: tuple[TranscriptView, TranscriptView], idle_loads_all: None
) -> None:
    view, _reference = views
    view.set_messages(_conversation(300))
    bar = view.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)  # the user scrolls up a little
    top = view.cursorForPosition(view.viewport().rect().topLeft()).block().text()
    assert not view.is_following()
    qtbot.waitUntil(lambda: view.earlier_pending() == 0, timeout=60_000)
    assert view.cursorForPosition(view.viewport().rect().topLeft()).block().text() == top


def test_a_message_not_rendered_yet_can_be_scrolled_to(
    views: tuple[TranscriptView, TranscriptView],
) -> None:
    view, _reference = views
    view.set_messages(_conversation(400))
    assert view.earlier_pending() > 10
    assert view.scroll_to_message("a3")
    assert "Answer 3" in view.document().toPlainText()
    assert view.scroll_to_message("u0")
    assert view.earlier_pending() == 0


def test_past_the_idle_limit_scrolling_up_brings_the_earlier_messages(
    qtbot: Any, views: tuple[TranscriptView, TranscriptView], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(opening, "IDLE_DOCUMENT_LIMIT", 0)
    view, _reference = views
    view.set_messages(_conversation(300))
    pending = view.earlier_pending()
    qtbot.wait(100)  # idle time: past the limit nothing loads by itself
    assert view.earlier_pending() == pending
    view.verticalScrollBar().setValue(0)
    assert view.earlier_pending() < pending


def test_a_reply_streams_first_and_earlier_messages_arrive_after_it(
    qtbot: Any, views: tuple[TranscriptView, TranscriptView], idle_loads_all: None
) -> None:
    view, reference = views
    messages = _conversation(300)
    view.set_messages(messages)
    reply = Message(role=Role.ASSISTANT, content="", id="r", state=MessageState.STREAMING)
    view.begin_reply(reply)
    pending = view.earlier_pending()
    for index, word in enumerate(["Streaming", "*while*", "the\n\n-", "history\n-", "loads"]):
        view.append_text("r", word + " ")
        view.flush_pending()
        if index == 2:
            view.verticalScrollBar().setValue(0)  # scrolled to the top: a batch mid-reply
            assert view.earlier_pending() < pending
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum() // 2)
    final = Message(role=Role.ASSISTANT, content=view.reply_text("r"), id="r")
    view.end_reply(final)
    assert pending > 0
    qtbot.waitUntil(lambda: view.earlier_pending() == 0, timeout=60_000)
    assert view.document().toHtml() == _one_shot(reference, [*messages, final])


def test_unfolding_a_reasoning_far_up_keeps_the_view_where_it_was(
    views: tuple[TranscriptView, TranscriptView],
) -> None:
    view, _reference = views
    messages = _conversation(300)
    messages[7] = Message(
        role=Role.ASSISTANT, content="Answer 3", reasoning="thinking hard", id="a3"
    )
    view.set_messages(messages)
    assert view.scroll_to_message("a3")  # far up: rendered on the way
    top = view.cursorForPosition(view.viewport().rect().topLeft()).block().text()
    view.set_reasoning_expanded("a3", True)
    assert "thinking hard" in view.document().toPlainText()
    assert view.cursorForPosition(view.viewport().rect().topLeft()).block().text() == top
