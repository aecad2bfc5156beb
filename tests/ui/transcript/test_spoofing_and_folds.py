"""Bidi controls are shown, not obeyed; folded text says so and offers the whole; big deltas
are rendered in slices."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication, QTextCursor

from streamchat_desktop.core.models import Message, MessageState, Role
from streamchat_desktop.ui.transcript import view as view_module
from streamchat_desktop.ui.transcript.fold import LINE_FOLD
from streamchat_desktop.ui.transcript.folded_view import FoldedTextDialog
from streamchat_desktop.ui.transcript.tables import TABLE_FOLD_ROWS
from streamchat_desktop.ui.transcript.view import TranscriptView
from tests.support.transcript_streams import REPLY, answer, one_shot_html, stream

SPOOF = "abc\u202egnp.exe\u202c"


def _view(qtbot: Any) -> TranscriptView:
    view = TranscriptView(open_links=False)
    qtbot.addWidget(view)
    return view


def test_bidi_overrides_are_shown_as_labels_and_not_obeyed(qtbot: Any) -> None:
    view = _view(qtbot)
    view.set_messages([answer(f"Download {SPOOF} now")])
    shown = view.document().toPlainText()
    assert "abc⟨RLO⟩gnp.exe⟨PDF⟩" in shown
    assert "\u202e" not in shown and "\u202c" not in shown
    assert view.reply_text(REPLY) == f"Download {SPOOF} now"  # the text itself is unchanged


def test_every_bidi_control_gets_a_label(qtbot: Any) -> None:
    view = _view(qtbot)
    controls = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    view.set_messages([answer(f"x{controls}y")])
    shown = view.document().toPlainText()
    for label in ("ALM", "LRM", "RLM", "LRE", "RLE", "PDF", "LRO", "RLO", "LRI", "RLI", "FSI"):
        assert f"⟨{label}⟩" in shown
    assert not any(char in shown for char in controls)


def test_streamed_bidi_labels_equal_the_one_shot_render(qtbot: Any) -> None:
    streamed, reference = _view(qtbot), _view(qtbot)
    text = f"1. {SPOOF}\n\n```\ncode {SPOOF}\n```\n| {SPOOF} |\n|---|\n| {SPOOF}{SPOOF} |\n"
    stream(streamed, list(text), [True] * len(text))
    assert streamed.document().toHtml() == one_shot_html(reference, text)


def test_copying_a_selection_gives_the_original_characters(qtbot: Any) -> None:
    view = _view(qtbot)
    view.set_messages([answer(f"see {SPOOF}\u202e\u202e end")])
    cursor = QTextCursor(view.document())
    cursor.movePosition(QTextCursor.MoveOperation.End)
    cursor.movePosition(QTextCursor.MoveOperation.StartOfBlock, QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    view.copy()
    assert QGuiApplication.clipboard().text() == f"see {SPOOF}\u202e\u202e end"


def test_a_folded_line_says_so_and_shows_the_whole(qtbot: Any) -> None:
    view = _view(qtbot)
    line = "".join(chr(0x61 + i % 26) for i in range(LINE_FOLD * 3))
    view.set_messages([answer(f"before\n{line}\nafter")])
    shown = view.document().toPlainText()
    assert "long line folded — show all" in shown and "after" in shown
    assert line not in shown
    with qtbot.waitSignal(view.anchorClicked):
        view.anchorClicked.emit(_fold_href(view))
    dialog = view.folded_dialog
    assert isinstance(dialog, FoldedTextDialog)
    qtbot.waitUntil(dialog.is_filled)
    assert dialog.editor.toPlainText().replace("\n", "") == line
    dialog._on_copy_clicked()
    assert QGuiApplication.clipboard().text() == line
    dialog.close()


def _fold_href(view: TranscriptView) -> Any:
    from PySide6.QtCore import QUrl

    html = view.document().toHtml()
    start = html.index('href="fold:') + len('href="')
    return QUrl(html[start : html.index('"', start)])


def test_a_huge_delta_is_rendered_in_slices_and_ends_whole(qtbot: Any) -> None:
    view = _view(qtbot)
    text = "\n\n".join(f"Paragraph {i} with **some** words in it." for i in range(20_000))
    view.set_messages([])
    view.begin_reply(answer(state=MessageState.STREAMING))
    view.append_text(REPLY, text)  # one delta of about 800 KB
    view.flush_pending()
    assert 0 < view.pending_characters() < len(text)  # one frame rendered only a slice
    view.end_reply(answer(text))
    qtbot.waitUntil(lambda: view.pending_characters() == 0, timeout=60_000)
    reference = _view(qtbot)
    assert view.document().toHtml() == one_shot_html(reference, text)
    assert view.reply_text(REPLY) == text


def test_a_reply_ended_during_its_backlog_keeps_how_it_ended(qtbot: Any) -> None:
    view = _view(qtbot)
    text = "\n\n".join(f"Paragraph {i}." for i in range(20_000))
    view.set_messages([])
    view.begin_reply(answer(state=MessageState.STREAMING))
    view.append_text(REPLY, text)
    view.end_reply(answer(text))  # it finished: the backlog is still rendered in slices
    assert view.pending_characters() > 0
    view.begin_reply(
        Message(role=Role.ASSISTANT, content="", id="next", state=MessageState.STREAMING)
    )
    assert view.pending_characters() == 0
    assert view.reply_text(REPLY) == text


def test_a_reply_stopped_during_its_backlog_ends_at_once_with_the_rest_folded(
    qtbot: Any,
) -> None:
    view = _view(qtbot)
    text = "\n\n".join(f"Paragraph {i}." for i in range(20_000))
    view.set_messages([])
    view.begin_reply(answer(state=MessageState.STREAMING))
    view.append_text(REPLY, text)
    view.flush_pending()
    view.end_reply(answer(text, state=MessageState.STOPPED))
    assert view.pending_characters() == 0  # Stop does not wait for the backlog
    shown = view.document().toPlainText()
    assert "Stopped" in shown
    assert "the rest of this answer is folded — show all" in shown
    assert "Paragraph 19999." not in shown
    assert view.reply_text(REPLY) == text  # the text stays whole
    view.anchorClicked.emit(_fold_href(view))
    dialog = view.folded_dialog
    assert isinstance(dialog, FoldedTextDialog)
    qtbot.waitUntil(dialog.is_filled)
    assert dialog.editor.toPlainText() == text
    dialog.close()


def test_a_folded_table_says_so_and_shows_the_whole_table(qtbot: Any) -> None:
    view = _view(qtbot)
    rows = "".join(f"| {i} | {i * i} |\n" for i in range(TABLE_FOLD_ROWS + 40))
    table = "| n | square |\n|---|---|\n" + rows
    view.set_messages([answer(f"Squares:\n\n{table}\nafter")])
    shown = view.document().toPlainText()
    assert f"table folded after {TABLE_FOLD_ROWS:,} rows — show all" in shown
    assert f"│ {TABLE_FOLD_ROWS - 1} " in shown and f"│ {TABLE_FOLD_ROWS} " not in shown
    assert "after" in shown
    view.anchorClicked.emit(_fold_href(view))
    dialog = view.folded_dialog
    assert isinstance(dialog, FoldedTextDialog)
    qtbot.waitUntil(dialog.is_filled)
    assert dialog.editor.toPlainText() == table.rstrip("\n")
    dialog.close()


BACKLOGS = {
    "in a table": "| a | b |\n|---|---|\n" + "".join(f"| {i} | x |\n" for i in range(3_000)),
    "in a code block": "```python\n" + "".join(f"x_{i} = {i}\n" for i in range(5_000)),
    "mid-paragraph": "".join(f"words and words {i}\n" for i in range(4_000)) + "unfinished",
}


@pytest.mark.parametrize("text", BACKLOGS.values(), ids=BACKLOGS.keys())
def test_a_reply_stopped_mid_block_ends_with_the_fold_link_and_keeps_its_text(
    qtbot: Any, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One step per flush, whatever the machine's speed: the stop comes mid-backlog, before
    # the table's own fold (500 rows) is reached.
    monkeypatch.setattr(view_module, "SLICE_SECONDS", 0.0)
    view = _view(qtbot)
    view.set_messages([])
    view.begin_reply(answer(state=MessageState.STREAMING))
    view.append_text(REPLY, text)
    view.flush_pending()
    assert view.pending_characters() > 0
    view.end_reply(answer(text, state=MessageState.STOPPED))
    assert view.pending_characters() == 0
    shown = view.document().toPlainText()
    assert "the rest of this answer is folded — show all" in shown
    assert shown.rstrip().endswith("Stopped  Continue")
    assert view.reply_text(REPLY) == text
