"""Tool blocks in the transcript: placed where the call was made, folded like Thinking,
the user's choices under a waiting call, results cut with "show all", images shown."""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterator
from pathlib import Path

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
    document = view.document()
    view.update_tool_call("r1", ToolCallRecord(CALL, "meteo", ToolStatus.PENDING))
    assert view.document() is document  # only the live reply was rendered again

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
    # the clock rewrites the running call's time in place; the stream after it goes on
    view._tools.started["c1"] -= 12.0  # as if it had run for 12 s
    view._on_tool_clock()
    assert "— running · 12." in text(view)
    view.append_text("r1", "Still ")
    view.flush_pending()
    view._tools.started["c1"] -= 100.0
    view._on_tool_clock()  # one character longer: what follows moves with it
    assert "— running · 112." in text(view) and text(view).endswith("Still")
    done = ToolCallRecord(
        CALL,
        "meteo",
        ToolStatus.DONE,
        "Snow",
        (ToolImage("image/png", base64.b64encode(PIXEL).decode()),),
    )
    view.update_tool_call("r1", done)
    view.append_text("r1", "it snows.")
    final = reply(
        "Checking the weather. Still it snows.",
        ToolCallRecord(CALL, "meteo", ToolStatus.DONE, "Snow", done.images, offset=22),
    )
    view.end_reply(final)

    shown = text(view)
    assert (
        shown.index("Checking the weather.")
        < shown.index("Tool: weather")
        < shown.index("Still it snows.")
    )
    assert "— done · " in shown  # with its elapsed time
    assert view.reply_text("r1") == "Checking the weather. Still it snows."
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


def test_screenshot_of_a_tool_call(view: TranscriptView, tmp_path: Path) -> None:
    """The README's picture (retaken only with STREAMCHAT_SCREENSHOTS=1)."""
    view.resize(760, 460)
    view.show()
    prompt = Message(role=Role.USER, content="What's the weather in Oslo tomorrow?", id="u1")
    waiting = ToolCallRecord(
        ToolCall("c2", "forecast", '{"city": "Oslo", "days": 1, "units": "metric"}'),
        "meteo",
        ToolStatus.PENDING,
        offset=len("I'll check the forecast. "),
    )
    done = ToolCallRecord(
        ToolCall("c1", "geocode", '{"query": "Oslo"}'),
        "maps",
        ToolStatus.DONE,
        '{"lat": 59.91, "lon": 10.75}',
        offset=len("I'll check the forecast. "),
    )
    live = reply(
        "I'll check the forecast. ", done, waiting, state=MessageState.STREAMING, model="gpt-4o"
    )
    view.set_messages([prompt, live])
    click(view, "tool:fold:c1")
    docs = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
    folder = docs if os.environ.get("STREAMCHAT_SCREENSHOTS") == "1" else tmp_path
    assert view.grab().save(str(folder / "tool-call.png"))
    shown = text(view)
    assert "Tool: geocode (maps) — done" in shown and "Allow once" in shown


def test_a_streamed_reply_with_calls_ends_as_a_one_shot_render_shows_it(
    view: TranscriptView, qtbot: object
) -> None:
    prompt = Message(role=Role.USER, content="Weather and a sum?", id="u1")
    view.set_messages([prompt])
    view.begin_reply(reply("", state=MessageState.STREAMING))
    view.append_text("r1", "First the **weather**:\n\n- Oslo")
    add = ToolCall("c2", "add", '{"a": 1, "b": 2}')
    for status in (ToolStatus.PENDING, ToolStatus.RUNNING):
        view.update_tool_call("r1", ToolCallRecord(CALL, "meteo", status))
        view.update_tool_call("r1", ToolCallRecord(add, "calc", status))
    view.update_tool_call("r1", ToolCallRecord(CALL, "meteo", ToolStatus.DONE, "Snow"))
    view.update_tool_call("r1", ToolCallRecord(add, "calc", ToolStatus.FAILED, "Error: x"))
    view.append_text("r1", "\n\nIt snows; the sum failed.")
    offset = len("First the **weather**:\n\n- Oslo")
    final = reply(
        "First the **weather**:\n\n- Oslo\n\nIt snows; the sum failed.",
        ToolCallRecord(CALL, "meteo", ToolStatus.DONE, "Snow", offset=offset),
        ToolCallRecord(add, "calc", ToolStatus.FAILED, "Error: x", offset=offset),
    )
    view.end_reply(final)
    streamed = re.sub(r" · \d+\.\d s", "", text(view))

    fresh = TranscriptView(open_links=False)
    qtbot.addWidget(fresh)  # type: ignore[attr-defined]
    fresh.set_messages([prompt, final])
    assert streamed == text(fresh)
    assert "Tool: weather (meteo) — done" in streamed and "Tool: add (calc) — failed" in streamed
