"""A code block's Wrap survives the transcript rendering again (theme, reasoning fold, older
messages opened above, streaming), stays with its conversation, and its wrapped lines keep
the block's inner padding."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextBlock
from PySide6.QtWidgets import QApplication

from streamchat_desktop.core.models import Message, MessageState, Role
from streamchat_desktop.core.tools import ToolCall, ToolCallRecord, ToolStatus
from streamchat_desktop.ui.app_theme import dark_palette
from streamchat_desktop.ui.transcript.document import CODE_PADDING
from streamchat_desktop.ui.transcript.opening import OPEN_CHARACTERS
from streamchat_desktop.ui.transcript.properties import CODE_HEADER_PROPERTY, CODE_LINE_PROPERTY
from streamchat_desktop.ui.transcript.view import TranscriptView

LONG = "x = 1  # " + "long " * 80
TWO_BLOCKS = f"First:\n\n```python\n{LONG}\n{LONG}\n```\n\nSecond:\n\n```\n{LONG}\n```\n"


def _shown_view(qtbot: Any) -> TranscriptView:
    view = TranscriptView(open_links=False)
    qtbot.addWidget(view)
    view.resize(700, 600)
    view.show()
    qtbot.waitExposed(view)
    return view


def _reply(text: str, **fields: Any) -> Message:
    fields.setdefault("id", "reply-1")
    return Message(Role.ASSISTANT, text, **fields)


def _code_blocks(view: TranscriptView) -> list[list[QTextBlock]]:
    """The lines of each code block in the document, in order."""
    found: list[list[QTextBlock]] = []
    block = view.document().begin()
    while block.isValid():
        fmt = block.blockFormat()
        if fmt.boolProperty(CODE_HEADER_PROPERTY):
            found.append([])
        elif fmt.boolProperty(CODE_LINE_PROPERTY):
            found[-1].append(block)
        block = block.next()
    return found


def _wrapped(view: TranscriptView) -> list[bool | None]:
    """For each code block: all its lines wrap (True), none does (False), mixed (None)."""
    states = []
    for lines in _code_blocks(view):
        wraps = {not line.blockFormat().nonBreakableLines() for line in lines}
        states.append(wraps.pop() if len(wraps) == 1 else None)
    return states


def _wrap_links(view: TranscriptView) -> list[str]:
    document, links = view.document(), []
    cursor = document.find("Wrap")
    while not cursor.isNull():
        href = cursor.charFormat().anchorHref()
        if href.startswith("wrap:"):
            links.append(href)
        cursor = document.find("Wrap", cursor)
    return links


def _click_wrap(view: TranscriptView, index: int) -> None:
    view._on_anchor_clicked(QUrl(_wrap_links(view)[index]))


def test_a_wrapped_block_stays_wrapped_after_a_theme_change_and_unwraps_after(
    qtbot: Any,
) -> None:
    view = _shown_view(qtbot)
    view.setPalette(QApplication.style().standardPalette())
    view.set_messages([Message(Role.USER, "show me", id="p"), _reply(TWO_BLOCKS)])
    _click_wrap(view, 1)
    assert _wrapped(view) == [False, True]
    before = view.document()
    view.setPalette(dark_palette())
    assert view.document() is not before  # rendered again
    assert view._theme is not None and view._theme.dark
    assert _wrapped(view) == [False, True]
    _click_wrap(view, 1)  # Unwrap works on the re-rendered block
    assert _wrapped(view) == [False, False]
    view.setPalette(QApplication.style().standardPalette())
    assert _wrapped(view) == [False, False]  # and stays unwrapped


def test_a_wrapped_block_stays_wrapped_when_the_reasoning_folds_and_unfolds(
    qtbot: Any,
) -> None:
    view = _shown_view(qtbot)
    view.set_messages([_reply(TWO_BLOCKS, reasoning="Let me think.\nAbout code.")])
    _click_wrap(view, 0)
    assert _wrapped(view) == [True, False]
    view.set_reasoning_expanded("reply-1", True)
    assert "About code." in view.toPlainText()
    assert _wrapped(view) == [True, False]
    view.set_reasoning_expanded("reply-1", False)
    assert "About code." not in view.toPlainText()
    assert _wrapped(view) == [True, False]


def test_a_block_is_wrapped_again_when_its_conversation_is_opened_again(qtbot: Any) -> None:
    view = _shown_view(qtbot)
    view.set_messages([_reply(TWO_BLOCKS, id="in-a")])
    _click_wrap(view, 0)
    assert _wrapped(view) == [True, False]
    view.set_messages([_reply(TWO_BLOCKS, id="in-b")])  # another conversation's reply
    assert _wrapped(view) == [False, False]
    view.set_messages([_reply(TWO_BLOCKS, id="in-a")])  # back
    assert _wrapped(view) == [True, False]


def test_a_block_opened_later_above_is_written_wrapped(qtbot: Any) -> None:
    old = _reply(TWO_BLOCKS, id="old")
    filler = [Message(Role.USER, "y" * (OPEN_CHARACTERS // 4), id=f"f{i}") for i in range(8)]
    view = _shown_view(qtbot)
    view.set_messages([old, *filler])
    view._earlier.load_to(0)
    assert view.earlier_pending() == 0
    _click_wrap(view, 1)
    view.setPalette(dark_palette())  # rendered again: only the last screen at first
    assert view.earlier_pending() > 0 and _code_blocks(view) == []
    view._earlier.load_to(0)
    assert _wrapped(view) == [False, True]


def _streaming_wrapped(qtbot: Any, first: str) -> TranscriptView:
    """A view streaming a reply that starts with ``first``, its first code block wrapped."""
    view = _shown_view(qtbot)
    view.set_messages([])
    view.begin_reply(_reply("", state=MessageState.STREAMING))
    view.append_text("reply-1", first)
    view.flush_pending()
    _click_wrap(view, 0)
    return view


def test_a_streaming_reply_keeps_an_earlier_wrapped_block_as_text_arrives(
    qtbot: Any,
) -> None:
    first = f"Intro.\n\n```\n{LONG}\n```\n\nThen"
    pieces = (" more text.\n\n", f"```\n{LONG}\n", f"{LONG}\n```\n", "The end.")
    view = _streaming_wrapped(qtbot, first)
    for piece in pieces:
        view.append_text("reply-1", piece)
        view.flush_pending()
        assert _wrapped(view)[0] is True
    assert _wrapped(view) == [True, False]
    view.end_reply(_reply(first + "".join(pieces)))
    view.setPalette(dark_palette())  # the one-shot render knows the streamed block
    assert _wrapped(view) == [True, False]


def test_lines_arriving_in_a_wrapped_open_block_wrap_too(qtbot: Any) -> None:
    view = _streaming_wrapped(qtbot, f"```python\n{LONG}\n")
    for piece in (f"{LONG[:30]}", f"{LONG[30:]}\n{LONG}\n", "```\n\nAfter."):
        view.append_text("reply-1", piece)
        view.flush_pending()
        assert _wrapped(view) == [True]
    assert len(_code_blocks(view)[0]) == 3


PART = f"Running:\n\n```bash\n{LONG}\n```\n"  # a code block at its third line


def _with_a_tool_call(**fields: Any) -> Message:
    call = ToolCallRecord(
        ToolCall("c1", "shell", "{}"), "box", ToolStatus.DONE, "ok", offset=len(PART)
    )
    return _reply(PART + PART.replace(LONG, LONG.upper()), tool_calls=(call,), **fields)


def test_blocks_on_both_sides_of_a_tool_call_wrap_apart(qtbot: Any) -> None:
    view = _shown_view(qtbot)
    view.set_messages([_with_a_tool_call()])
    assert len(set(_wrap_links(view))) == 2  # each part's block names its line in the reply
    _click_wrap(view, 1)
    assert _wrapped(view) == [False, True]
    view.setPalette(dark_palette())
    assert _wrapped(view) == [False, True]
    view._on_anchor_clicked(QUrl(_wrap_links(view)[1].replace("wrap:", "copy:")))
    assert QApplication.clipboard().text() == f"{LONG.upper()}\n"  # Copy finds the second block too
    view.set_messages([_with_a_tool_call(state=MessageState.STREAMING)])  # streamed after it
    assert _wrapped(view) == [False, True]


def test_wrapped_continuation_lines_keep_the_blocks_inner_padding(qtbot: Any) -> None:
    view = _shown_view(qtbot)
    view.set_messages([_reply(TWO_BLOCKS)])
    _click_wrap(view, 0)
    line = _code_blocks(view)[0][0]
    layout = line.layout()
    assert layout.lineCount() > 1  # the long line wraps
    first = layout.lineAt(0)
    for index in range(1, layout.lineCount()):
        assert layout.lineAt(index).x() == first.x()
    assert first.x() >= CODE_PADDING  # inside the painted box (it starts at the layout)
    frame = view.document().rootFrame().frameFormat()
    column = view.document().pageSize().width() - frame.leftMargin() - frame.rightMargin()
    assert first.x() + first.width() <= column - CODE_PADDING  # and as much on the right
