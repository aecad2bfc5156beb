"""Cost follows the open tail: finished blocks are not parsed again, code streams by line."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtGui import QColor, QPalette

import streamchat_desktop.ui.transcript.stream as stream_module
from streamchat_desktop.core.models import MessageState
from streamchat_desktop.ui.transcript.view import TranscriptView
from tests.ui.transcript.conftest import REPLY_ID, assistant, one_shot_html, stream_into


def _record(monkeypatch: pytest.MonkeyPatch, name: str) -> list[int]:
    sizes: list[int] = []
    original: Callable[..., Any] = getattr(stream_module, name)

    def recording(text: str, *args: Any) -> Any:
        sizes.append(len(text))
        return original(text, *args)

    monkeypatch.setattr(stream_module, name, recording)
    return sizes


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def test_finished_blocks_are_not_parsed_again(
    qapp: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = _record(monkeypatch, "parse_blocks")
    text = "".join(f"Paragraph {i} " + "word " * 18 + "\n\n" for i in range(300))
    pieces = _pieces(text, 10)
    stream_into(TranscriptView(open_links=False, frame_ms=60_000), pieces, [True] * len(pieces))
    naive = sum(len(text[: i * 10]) for i in range(len(pieces)))
    assert max(parsed) < 3 * 110  # at most the open paragraph and the one before it...
    assert sum(parsed) < naive / 30  # ...never the whole answer


def test_an_open_code_block_is_highlighted_line_by_line(
    qapp: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    lexed = _record(monkeypatch, "highlight_lines")
    parsed = _record(monkeypatch, "parse_blocks")
    code = "".join(f"    value_{i} = compute({i}, 'text')  # note\n" for i in range(500))
    text = f"Intro.\n\n```python\ndef f():\n{code}```\n\nAfter."
    pieces = _pieces(text, 40)
    view = TranscriptView(open_links=False, frame_ms=60_000)
    stream_into(view, pieces, [True] * len(pieces))
    assert sum(lexed) < 2.5 * len(code)  # new lines once, plus one check when it closes
    assert sum(parsed) < 5 * len(text)
    assert view.document().toHtml() == one_shot_html(TranscriptView(open_links=False), text)


def test_a_growing_table_appends_rows(qapp: object, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = _record(monkeypatch, "parse_blocks")
    rows = "".join(f"| row {i} | {i * 7} | **note** |\n" for i in range(200))
    text = f"| name | n | note |\n|---|--:|---|\n{rows}\nAfter."
    pieces = _pieces(text, 15)
    view = TranscriptView(open_links=False, frame_ms=60_000)
    stream_into(view, pieces, [True] * len(pieces))
    assert sum(parsed) < 8 * len(text)
    assert view.document().toHtml() == one_shot_html(TranscriptView(open_links=False), text)


def test_reasoning_and_answer_equal_a_one_shot_render(qapp: object) -> None:
    view = TranscriptView(open_links=False, frame_ms=60_000)
    view.set_messages([])
    view.begin_reply(assistant(state=MessageState.STREAMING))
    reasoning = "First I look.\n\nThen I *think* harder\nand decide."
    answer = "# Result\n\n- one\n- two\n\n```py\nx = 1\n```\n"
    pairs = itertools.zip_longest(_pieces(reasoning, 5), _pieces(answer, 4), fillvalue="")
    for index, (thought, text) in enumerate(pairs):
        view.append_reasoning(REPLY_ID, thought)
        view.append_text(REPLY_ID, text)
        if index % 2:
            view.flush_pending()
    final = assistant(answer, reasoning=reasoning)
    view.end_reply(final)
    reference = TranscriptView(open_links=False)
    reference.set_reasoning_expanded(REPLY_ID, True)
    assert view.document().toHtml() == one_shot_html(reference, answer, final)


def test_dark_palette_switches_code_colours(qapp: object) -> None:
    view = TranscriptView(open_links=False)
    text = "```python\ndef f():\n    return 'x'\n```"
    light = one_shot_html(view, text)
    palette = QPalette(view.palette())
    palette.setColor(QPalette.ColorRole.Base, QColor("#101317"))
    palette.setColor(QPalette.ColorRole.Window, QColor("#101317"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#e6e6e6"))
    view.setPalette(palette)
    dark = view.document().toHtml()
    assert dark != light
    assert dark == one_shot_html(view, text)
