"""Tool blocks in the transcript: placed where the call was made, folded like Thinking,
the user's choices under a waiting call, results cut with "show all", images shown."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument

from streamchat_desktop.core.models import Message, MessageState, Role
from streamchat_desktop.core.tools import ToolCall, ToolCallRecord, ToolImage, ToolStatus
from streamchat_desktop.ui.transcript.tool_blocks import RESULT_PREVIEW
from streamchat_desktop.ui.transcript.view import TranscriptView
from tests.support.mcp_server import PIXEL

CALL = ToolCall("c1", "weather", '{"city":"Oslo","days":2}')


@pytest.fixture
def view(qtbot: object) -> Iterator[TranscriptView]:
    made = TranscriptView(open_links=False)
    qtbot.addWidget(made)  # type: ignore[attr-defined]
    made.resize(600, 400)
    yield made


def reply(content: str, *records: ToolCallRecord, **changes: object) -> Message:
    return Message(
        role=Role.ASSISTANT,
        content=content,
        id="r1",
        tool_calls=records,
        **changes,  # type: ignore[arg-type]
    )


def text(view: TranscriptView) -> str:
    return view.document().toPlainText()


def click(view: TranscriptView, href: str) -> None:
    view.anchorClicked.emit(QUrl(href))


def test_a_stored_reply_shows_its_call_where_it_was_made_and_unfolds(
    view: TranscriptView,
) -> None:
    long_result = "sunny " * 1000
    record = ToolCallRecord(
        CALL, "meteo", ToolStatus.DONE, long_result, offset=len("Let me look. ")
    )
    view.set_messages([reply("Let me look. It will be sunny.", record)])

    shown = text(view)
    assert "▸ Tool: weather (meteo) — done" in shown
    assert shown.index("Let me look.") < shown.index("Tool: weather") < shown.index("sunny.")
    assert '"city": "Oslo"' not in shown  # folded

    click(view, "tool:fold:c1")
    shown = text(view)
    assert "▾ Tool: weather" in shown and '  "city": "Oslo",' in shown
    assert shown.count("sunny") < 1000 // 2 and "show all" in shown
    assert len(long_result) > RESULT_PREVIEW
    click(view, "tool:all:c1")
    assert text(view).count("sunny") == 1001 and "show all" not in text(view)


def test_a_waiting_call_shows_its_arguments_and_the_choices(
    view: TranscriptView, qtbot: object
) -> None:
    view.set_messages([])
    view.begin_reply(reply("", state=MessageState.STREAMING))
    view.append_text("r1", "Checking the weather. ")
    view.update_tool_call("r1", ToolCallRecord(CALL, "meteo", ToolStatus.PENDING))

    shown = text(view)
    assert "Tool: weather (meteo) — waiting for your decision" in shown
    assert '"days": 2' in shown
    assert "Allow once   Always allow this tool   Deny" in shown
    decisions: list[tuple[str, str]] = []
    view.tool_decision_requested.connect(lambda c, d: decisions.append((c, d)))
    click(view, "tool:always_allow:c1")
    assert decisions == [("c1", "always_allow")]

    view.update_tool_call("r1", ToolCallRecord(CALL, "meteo", ToolStatus.RUNNING))
    assert "— running" in text(view) and "Allow once" not in text(view)
    done = ToolCallRecord(
        CALL,
        "meteo",
        ToolStatus.DONE,
        "Snow",
        (ToolImage("image/png", base64.b64encode(PIXEL).decode()),),
    )
    view.update_tool_call("r1", done)
    view.append_text("r1", "It snows.")
    final = reply(
        "Checking the weather. It snows.",
        ToolCallRecord(CALL, "meteo", ToolStatus.DONE, "Snow", done.images, offset=22),
    )
    view.end_reply(final)

    shown = text(view)
    assert (
        shown.index("Checking the weather.")
        < shown.index("Tool: weather")
        < shown.index("It snows.")
    )
    assert "— done · " in shown  # with its elapsed time
    assert view.reply_text("r1") == "Checking the weather. It snows."
    click(view, "tool:fold:c1")
    image = view.document().resource(
        QTextDocument.ResourceType.ImageResource, QUrl("toolimage:c1/0")
    )
    assert image is not None and not image.isNull()


def test_arguments_nested_too_deeply_to_pretty_print_are_shown_as_sent(
    view: TranscriptView,
) -> None:
    deep = ToolCall("c2", "weather", "[" * 5_000)
    pending = ToolCallRecord(deep, "meteo", ToolStatus.PENDING)  # arguments always shown
    view.set_messages([reply("", pending, state=MessageState.STREAMING)])

    assert "[[[[" in text(view)


def test_a_reply_stopped_while_a_call_waits_takes_its_choices_away(
    view: TranscriptView,
) -> None:
    from streamchat_desktop.core.tool_history import close_unfinished

    live = reply("", state=MessageState.STREAMING)
    view.begin_reply(live)
    view.append_text("r1", "Let me look. ")
    view.update_tool_call("r1", ToolCallRecord(CALL, "meteo", ToolStatus.PENDING))
    assert "Allow once" in text(view)

    waiting = ToolCallRecord(CALL, "meteo", ToolStatus.PENDING, offset=len("Let me look. "))
    stopped = reply("Let me look. ", *close_unfinished((waiting,)), state=MessageState.STOPPED)
    view.end_reply(stopped)

    shown = text(view)
    assert "Allow once" not in shown and "waiting for your decision" not in shown
    assert "Tool: weather (meteo) — failed" in shown
    assert "Let me look." in shown and "Stopped" in shown
