"""The transcript widget: live streaming, scrolling, selection, links and reply endings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPoint, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication, QTextCursor, QTextDocument

from streamchat_desktop.core.models import Message, MessageState, Role
from streamchat_desktop.ui.transcript.view import TranscriptView
from tests.support.qt_events import PATIENCE_MS, wait_past
from tests.ui.transcript.conftest import REPLY_ID, assistant

ViewFactory = Callable[..., TranscriptView]


def _start(view: TranscriptView) -> None:
    view.set_messages([Message(role=Role.USER, content="Hello <b>there</b>", id="u1")])
    view.begin_reply(assistant(state=MessageState.STREAMING))


def _on_screen(make_view: ViewFactory) -> TranscriptView:
    """A view shown at a readable size, so its links can be clicked."""
    view = make_view()
    view.resize(600, 400)
    view.show()
    return view


def _click_anchor(qtbot: object, view: TranscriptView, text: str) -> None:
    """Click the middle of the first occurrence of ``text`` in the view, like a user."""
    found = view.document().find(text)
    assert not found.isNull(), f"{text!r} not in the transcript"
    cursor = QTextCursor(found)
    cursor.setPosition(found.selectionStart() + len(text) // 2)
    bar = view.verticalScrollBar()
    bar.setValue(view.cursorRect(cursor).top() + bar.value() - 20)  # bring it into view
    rect = view.cursorRect(cursor)
    point = QPoint(rect.center().x(), rect.center().y())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)  # type: ignore[attr-defined]


def test_text_appears_while_streaming_not_only_at_the_end(
    qtbot: object, make_view: ViewFactory
) -> None:
    view = make_view()
    view.resize(500, 400)
    view.show()
    _start(view)
    words = [f"word{i} " for i in range(300)]
    for start in range(0, 300, 100):  # each third is on screen before the next arrives
        for index in range(start, start + 100):
            view.append_text(REPLY_ID, words[index] + ("\n\n" if index % 40 == 39 else ""))
        last = f"word{start + 99}"
        qtbot.waitUntil(  # type: ignore[attr-defined]
            lambda last=last: last in view.document().toPlainText(), timeout=PATIENCE_MS
        )
        assert f"word{start + 100}" not in view.document().toPlainText()
    view.end_reply(assistant("".join(words)))


def test_bursts_are_coalesced_into_one_trailing_flush(
    qtbot: object, make_view: ViewFactory
) -> None:
    """3,000 deltas with no turn of the loop between them: at most the first renders at
    once, all the others in one flush (how many flushes per second: bench/render.py)."""
    view = make_view()
    _start(view)
    after_flush: list[bool] = []  # whether a backlog was left
    view.flushed.connect(lambda _seconds: after_flush.append(view.pending_characters() > 0))
    for i in range(3_000):
        view.append_text(REPLY_ID, f"t{i} ")
    qtbot.waitUntil(  # type: ignore[attr-defined]
        lambda: "t2999" in view.document().toPlainText() and not view.pending_characters(),
        timeout=PATIENCE_MS,
    )
    # a burst is one flush; a flush that leaves a backlog is followed by its next slice
    assert 1 <= sum(not backlog for backlog in after_flush) <= 2


def test_view_follows_the_bottom_only_while_the_user_is_there(
    qtbot: object, make_view: ViewFactory
) -> None:
    view = make_view()
    view.resize(400, 300)
    view.show()
    _start(view)
    bar = view.verticalScrollBar()
    for i in range(60):
        view.append_text(REPLY_ID, f"Paragraph {i} with some words in it.\n\n")
    view.flush_pending()
    qtbot.waitUntil(lambda: bar.maximum() > 0)  # type: ignore[attr-defined]
    assert bar.value() == bar.maximum()

    bar.setValue(bar.maximum() // 3)  # the user scrolls up to read
    held = bar.value()
    assert not view.is_following()
    for i in range(60):
        view.append_text(REPLY_ID, f"More {i}.\n\n")
        view.flush_pending()
    wait_past(qtbot)  # whatever the appends queued (layout, scrolling) has been handled
    assert bar.value() == held

    bar.setValue(bar.maximum())  # back at the bottom: following resumes
    view.append_text(REPLY_ID, "Tail text\n\n" * 20)
    view.flush_pending()
    wait_past(qtbot)
    assert bar.value() == bar.maximum()


def test_a_selection_survives_streaming(qtbot: object, make_view: ViewFactory) -> None:
    view = make_view()
    view.show()
    _start(view)
    view.append_text(REPLY_ID, "First paragraph to select.\n\nSecond")
    view.flush_pending()
    found = view.document().find("paragraph to")
    view.setTextCursor(found)
    for i in range(200):
        view.append_text(REPLY_ID, f" more{i}")
        if i % 20 == 0:
            view.append_text(REPLY_ID, "\n\n- item\n\n```\ncode\n```\n\n")
            view.flush_pending()
    wait_past(qtbot)
    assert view.textCursor().selectedText() == "paragraph to"


def test_user_text_is_plain_and_escaped(make_view: ViewFactory) -> None:
    view = make_view()
    view.set_messages([Message(role=Role.USER, content="# not a heading\n<b>hi</b> *x*", id="u")])
    assert "# not a heading\n<b>hi</b> *x*" in view.document().toPlainText()


class _UrlRecorder(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def record(self, url: QUrl) -> None:
        self.urls.append(url.toString())


@pytest.fixture
def url_recorder() -> object:
    recorder = _UrlRecorder()
    schemes = ("http", "https", "mailto", "file", "javascript", "ftp")
    for scheme in schemes:
        QDesktopServices.setUrlHandler(scheme, recorder, "record")  # type: ignore[arg-type]
    yield recorder
    for scheme in schemes:
        QDesktopServices.unsetUrlHandler(scheme)


def test_links_open_in_the_system_browser_only_on_click(
    qtbot: object, url_recorder: _UrlRecorder
) -> None:
    view = TranscriptView(open_links=True)
    qtbot.addWidget(view)  # type: ignore[attr-defined]
    view.resize(600, 400)
    view.show()
    _start(view)
    view.append_text(REPLY_ID, "Go to [the site](https://example.com/page) now.")
    view.end_reply(assistant("Go to [the site](https://example.com/page) now."))
    assert url_recorder.urls == []  # nothing opens by itself
    with qtbot.waitSignal(view.link_activated) as signal:  # type: ignore[attr-defined]
        _click_anchor(qtbot, view, "the site")
    assert signal.args[0].toString() == "https://example.com/page"
    assert url_recorder.urls == ["https://example.com/page"]


@pytest.mark.parametrize(
    "url, opened",
    [
        ("https://example.com", True),
        ("http://example.com", True),
        ("mailto:a@example.com", True),
        ("file:///etc/passwd", False),
        ("javascript:alert(1)", False),
        ("ftp://example.com", False),
    ],
)
def test_link_policy(qtbot: object, url_recorder: _UrlRecorder, url: str, opened: bool) -> None:
    view = TranscriptView(open_links=True)
    qtbot.addWidget(view)  # type: ignore[attr-defined]
    view.anchorClicked.emit(QUrl(url))
    assert url_recorder.urls == ([url] if opened else [])


def _ended(view: TranscriptView, **fields: Any) -> None:
    _start(view)
    view.append_text(REPLY_ID, "Partial answer")
    view.end_reply(assistant("Partial answer", **fields))


def test_failed_reply_keeps_text_and_retry_link_emits(
    qtbot: object, make_view: ViewFactory
) -> None:
    view = _on_screen(make_view)
    _ended(view, state=MessageState.FAILED, error_message="Rate limited: try again in 20 s")
    text = view.document().toPlainText()
    assert "Partial answer" in text and "Rate limited: try again in 20 s" in text
    with qtbot.waitSignal(view.retry_requested) as signal:  # type: ignore[attr-defined]
        _click_anchor(qtbot, view, "Retry")
    assert signal.args == [REPLY_ID]


def test_length_cut_offers_continue(qtbot: object, make_view: ViewFactory) -> None:
    view = _on_screen(make_view)
    _ended(view, finish_reason="length")
    assert "Cut at the token limit" in view.document().toPlainText()
    with qtbot.waitSignal(view.continue_requested) as signal:  # type: ignore[attr-defined]
        _click_anchor(qtbot, view, "Continue")
    assert signal.args == [REPLY_ID]


def test_an_interrupted_answer_offers_retry_and_continue(
    qtbot: object, make_view: ViewFactory
) -> None:
    view = _on_screen(make_view)
    _ended(view, state=MessageState.INTERRUPTED)
    with qtbot.waitSignal(view.continue_requested) as signal:  # type: ignore[attr-defined]
        _click_anchor(qtbot, view, "Continue")
    assert signal.args == [REPLY_ID]
    with qtbot.waitSignal(view.retry_requested) as signal:  # type: ignore[attr-defined]
        _click_anchor(qtbot, view, "Retry")
    assert signal.args == [REPLY_ID]


@pytest.mark.parametrize(
    "fields, note",
    [
        ({"state": MessageState.STOPPED}, "Stopped  Continue"),
        ({"finish_reason": "content_filter"}, "Blocked by the content filter"),
        ({"state": MessageState.INTERRUPTED}, "Interrupted before the end  Retry  Continue"),
        ({"finish_reason": "stop"}, None),
    ],
)
def test_status_notes(make_view: ViewFactory, fields: dict[str, Any], note: str | None) -> None:
    view = make_view()
    _ended(view, **fields)
    text = view.document().toPlainText()
    assert text.rstrip().endswith(note if note else "Partial answer")


def test_copy_link_puts_the_code_on_the_clipboard(qtbot: object, make_view: ViewFactory) -> None:
    view = _on_screen(make_view)
    _start(view)
    code = "def f(x):\n    return x * 2\n"
    text = f"Here:\n\n```python\n{code}```\n\nDone."
    for ch in text:
        view.append_text(REPLY_ID, ch)
    view.flush_pending()
    assert "python" in view.document().toPlainText()
    _click_anchor(qtbot, view, "Copy")
    assert QGuiApplication.clipboard().text() == code


def test_reasoning_is_shown_dimmed_above_the_answer_and_folds(
    qtbot: object, make_view: ViewFactory
) -> None:
    view = _on_screen(make_view)
    _start(view)
    view.append_reasoning(REPLY_ID, "Let me think")
    view.append_text(REPLY_ID, "The answer.")
    view.flush_pending()
    view.append_reasoning(REPLY_ID, " harder.\nSecond thought.")
    view.append_text(REPLY_ID, " More.")
    view.end_reply(
        assistant("The answer. More.", reasoning="Let me think harder.\nSecond thought.")
    )
    text = view.document().toPlainText()
    assert text.index("Let me think harder.\nSecond thought.") < text.index("The answer. More.")
    _click_anchor(qtbot, view, "Thinking")
    assert "Let me think" not in view.document().toPlainText()
    assert "The answer. More." in view.document().toPlainText()
    _click_anchor(qtbot, view, "Thinking")
    assert "Let me think harder." in view.document().toPlainText()


def test_folding_the_reasoning_mid_reply_keeps_the_answer_streaming(
    qtbot: object, make_view: ViewFactory
) -> None:
    view = _on_screen(make_view)
    _start(view)
    view.append_reasoning(REPLY_ID, "Pondering")
    view.append_text(REPLY_ID, "First half")
    view.flush_pending()
    _click_anchor(qtbot, view, "Thinking")  # rebuilds the document around the live reply
    assert "Pondering" not in view.document().toPlainText()
    view.append_reasoning(REPLY_ID, " on.")  # arrives folded
    view.append_text(REPLY_ID, ", second half.")
    view.flush_pending()
    text = view.document().toPlainText()
    assert "First half, second half." in text and "Pondering" not in text
    _click_anchor(qtbot, view, "Thinking")
    assert "Pondering on." in view.document().toPlainText()
    view.end_reply(assistant("First half, second half.", reasoning="Pondering on."))
    assert view.document().toPlainText().count("First half, second half.") == 1


def test_a_thousand_messages_are_all_shown(make_view: ViewFactory) -> None:
    view = make_view()
    messages: list[Message] = []
    for i in range(500):
        messages.append(Message(role=Role.USER, content=f"Question {i}?", id=f"u{i}"))
        messages.append(
            Message(
                role=Role.ASSISTANT,
                content=f"## Answer {i}\n\nSome *text*, `code`.\n\n- a\n- b\n\n```py\nx = {i}\n```",
                id=f"a{i}",
            )
        )
    view.set_messages(messages)  # its speed: bench/history.py, transcript_1000_ms
    assert view.message_ids() == [m.id for m in messages]
    assert "Answer 499" in view.document().toPlainText()


def test_replaced_documents_are_freed(make_view: ViewFactory) -> None:
    view = make_view()
    for i in range(5):
        view.set_messages([Message(role=Role.ASSISTANT, content=f"answer {i}", id=f"a{i}")])
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    assert len(view.findChildren(QTextDocument)) == 1


def test_appending_the_sent_prompt_renders_like_the_whole_conversation(
    make_view: ViewFactory,
) -> None:
    first = Message(role=Role.USER, content="What is *this*?", id="u1")
    answer = Message(role=Role.ASSISTANT, content="A **test** with\n\n- a list", id="a1")
    prompt = Message(role=Role.USER, content="And <b>that</b>?", id="u2")
    view = make_view()
    view.set_messages([first, answer])
    view.append_message(prompt)
    assert view.message_ids() == ["u1", "a1", "u2"]
    whole = make_view()
    whole.set_messages([first, answer, prompt])
    assert view.document().toHtml() == whole.document().toHtml()
