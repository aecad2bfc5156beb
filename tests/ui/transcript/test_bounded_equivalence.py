"""Folded lines, cut blocks, table pieces and sliced flushes still equal a one-shot render.

The limits are made tiny here so that short texts fold, cut and slice everywhere: a streamed
answer, split and flushed any way, must give the document a one-shot render of the same text
gives (same text, same structure, same formats), folds and cuts included.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QTextTable

from streamchat_desktop.ui.transcript import fold, segments, tables, view
from streamchat_desktop.ui.transcript.view import TranscriptView
from tests.support.formulas import formulas
from tests.support.transcript_streams import one_shot_html, stream

LINES = [
    "",
    "",
    "Plain words *em* **strong** `code` and [a link](https://example.com).",
    "averyveryverylongwordwithoutanyspaceatallthatgoesonandon",
    "# Heading",
    "- item",
    "- item two",
    "  - nested",
    "    - deeper",
    "      - deepest",
    "1. first",
    "2. second",
    "> quoted",
    "> > deeper quote",
    "```python",
    "```",
    "def f(x): return x",
    "    indented code",
    "| a | b |",
    "|---|:-:|",
    "| 1 | 2 |",
    "| 3 | 4 |",
    "[ref]: https://example.com/ref",
    "see [ref]",
    "text\u202egnp.exe\u202c after",
    "$$",
    "\\[",
    "\\]",
    "\\frac{a}{b}",
    "Inline $x^2$, prices $5 and $10 and \\(y\\).",
]

texts = st.lists(st.sampled_from(LINES), min_size=1, max_size=40).map("\n".join)


@st.composite
def splits(draw: st.DrawFn) -> tuple[str, list[str], list[bool]]:
    text = draw(texts)
    cuts = sorted(draw(st.sets(st.integers(0, max(0, len(text))), max_size=30)))
    pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    pieces = [p for p in pieces if p]
    flushes = draw(st.lists(st.booleans(), min_size=len(pieces), max_size=len(pieces)))
    return text, pieces, flushes


@pytest.fixture(scope="module")
def tiny_limits() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fold, "LINE_FOLD", 24)
        patch.setattr(fold, "UNBROKEN_FOLD", 12)
        patch.setattr(fold, "ANSWER_FOLD", 600)
        patch.setattr(segments, "BLOCK_CUT", 40)
        patch.setattr(segments, "BLOCK_CUT_LINES", 5)
        patch.setattr(segments, "WINDOW", 90)
        patch.setattr(tables, "TABLE_PIECE_ROWS", 2)
        patch.setattr(tables, "GRID_AFTER_ROWS", 5)
        patch.setattr(tables, "GRID_BLOCK_ROWS", 3)
        patch.setattr(tables, "TABLE_FOLD_ROWS", 12)
        patch.setattr(view, "SLICE_CHARACTERS", 30)
        yield


@pytest.fixture(scope="module")
def views(qapp: object, tiny_limits: None) -> tuple[TranscriptView, TranscriptView]:
    return TranscriptView(open_links=False, frame_ms=60_000), TranscriptView(open_links=False)


@settings(
    max_examples=int(os.environ.get("TRANSCRIPT_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=splits())
def test_folded_and_cut_answers_equal_their_one_shot_render(
    views: tuple[TranscriptView, TranscriptView], case: tuple[str, list[str], list[bool]]
) -> None:
    text, pieces, flushes = case
    streamed, reference = views
    stream(streamed, pieces, flushes)
    assert streamed.reply_text("reply-1") == text  # the text stays whole
    assert streamed.document().toHtml() == one_shot_html(reference, text)
    assert formulas(streamed.document()) == formulas(reference.document())


SHAPES = {
    "long line without spaces": "x" * 200 + "\nafter",
    "many short lines": "\n".join(f"line {i}" for i in range(120)),
    "long list": "\n".join(f"- item {i}" for i in range(60)),
    "nested list": "\n".join("  " * i + f"- level {i}" for i in range(40)),
    "big table": "| a | b |\n|---|---|\n" + "\n".join(f"| {i} | {i * i} |" for i in range(30)),
    "big table, then text": "| a | b |\n|---|---|\n"
    + "".join(f"| {i} | **{i}** |\n" for i in range(20))
    + "\nafter the table\n",
    "long paragraph, then a heading": "word\n" * 20 + "\n# Heading\n",
    "long list, then a paragraph": "\n".join(f"- item {i}" for i in range(20)) + "\n\nend",
    "long answer": "\n\n".join(f"Paragraph {i} with words." for i in range(80)),
}


@pytest.mark.parametrize("text", SHAPES.values(), ids=SHAPES.keys())
@pytest.mark.parametrize("size", [1, 7, 64, 100_000])
def test_pathological_shapes_equal_their_one_shot_render(
    views: tuple[TranscriptView, TranscriptView], text: str, size: int
) -> None:
    streamed, reference = views
    pieces = [text[i : i + size] for i in range(0, len(text), size)]
    stream(streamed, pieces, [True] * len(pieces))
    assert streamed.reply_text("reply-1") == text
    assert streamed.document().toHtml() == one_shot_html(reference, text)
    assert formulas(streamed.document()) == formulas(reference.document())


def test_shapes_are_folded_and_cut_at_these_limits(
    views: tuple[TranscriptView, TranscriptView],
) -> None:
    """The shapes above do exercise folding, cutting and table pieces (not vacuous)."""
    _streamed, reference = views
    one_shot_html(reference, SHAPES["long line without spaces"])
    assert "long line folded — show all" in reference.document().toPlainText()
    one_shot_html(reference, SHAPES["long answer"])
    assert "the rest of this answer is folded" in reference.document().toPlainText()
    one_shot_html(reference, SHAPES["many short lines"])
    assert reference.document().blockCount() > 4  # one paragraph became several
    one_shot_html(reference, SHAPES["big table"])
    tables = [
        f for f in reference.document().rootFrame().childFrames() if isinstance(f, QTextTable)
    ]
    assert len(tables) == 3  # rows 0-4, 2 to a piece
    shown = reference.document().toPlainText()
    assert "│ 11  │ 121 │" in shown  # then lines of text, three to a block
    assert "│ 12 " not in shown and "table folded after 12 rows — show all" in shown
    block = reference.document().find("│ 5 ").block()
    assert block.text().count("\u2028") == 2  # rows 5, 6 and 7 share one block
