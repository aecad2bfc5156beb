"""The streamed document equals a one-shot render, whatever the split and the flush timing."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streamchat_desktop.ui.transcript.view import TranscriptView
from tests.support.formulas import formulas
from tests.ui.transcript.conftest import one_shot_html, stream_into

# Lines chosen to hit the cases that break naive incremental renderers.
LINES = [
    "",
    "",
    "Plain words *em* **strong** ~~gone~~ `code` and [a link](https://example.com).",
    "# Heading",
    "Setext title",
    "===",
    "---",
    "- item",
    "- item two",
    "  - nested",
    "    continued item text",
    "1. first",
    "2. second",
    "3) other list",
    "> quoted",
    "> > deeper",
    "#x lazy line after a quote",
    "lazy continuation",
    "```python",
    "```",
    "~~~",
    "````",
    "def f(x):",
    '    """doc',
    '    string"""',
    "    return x  # indented",
    "| a | b |",
    "|---|:-:|",
    "| 1 | 2 |",
    "| only one cell",
    "[ref]: https://example.com/ref",
    "see [ref] and [text][ref]",
    "<script>alert(1)</script> <img src=http://evil/x.png>",
    "***",
    "text with a hard break  ",
    "tab\tinside",
    "\\* escaped",
    "$$",
    "\\[",
    "\\]",
    "\\sum_{i=1}^n x_i",
    "Inline $x^2$, prices $5 and $10, \\(y\\) and $$z$$ too.",
    "$$ a+b $$",
    "- $$",
]

texts = st.lists(st.sampled_from(LINES), min_size=1, max_size=25).map("\n".join)
texts |= st.text(alphabet="ab -*#>`|[]():=~\n1.\t$\\", max_size=120)


@st.composite
def splits(draw: st.DrawFn) -> tuple[str, list[str], list[bool]]:
    text = draw(texts)
    cuts = sorted(draw(st.sets(st.integers(0, max(0, len(text))), max_size=40)))
    pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    pieces = [p for p in pieces if p]
    flushes = draw(st.lists(st.booleans(), min_size=len(pieces), max_size=len(pieces)))
    return text, pieces, flushes


@pytest.fixture(scope="module")
def views(qapp: object) -> tuple[TranscriptView, TranscriptView]:
    return TranscriptView(open_links=False, frame_ms=60_000), TranscriptView(open_links=False)


@settings(
    max_examples=int(os.environ.get("TRANSCRIPT_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=splits())
def test_any_split_and_flush_timing_gives_the_one_shot_document(
    views: tuple[TranscriptView, TranscriptView], case: tuple[str, list[str], list[bool]]
) -> None:
    text, pieces, flushes = case
    streamed, reference = views
    stream_into(streamed, pieces, flushes)
    assert streamed.reply_text("reply-1") == text.replace("\r\n", "\n")
    assert streamed.document().toHtml() == one_shot_html(reference, text)
    assert formulas(streamed.document()) == formulas(reference.document())


EDGE_CASES = {
    "fence open across flushes": "Intro\n\n```python\nx = 1\n\ny = '''a\nb'''\n```\nafter\n",
    "fence never closed": "```js\nlet a = 1;\nlet b",
    "list turns loose": "- a\n- b\n\n- c\n",
    "table header before divider": "x\n| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n\nend",
    "quote with lazy line": "> quote\n#x lazy\n> more\n",
    "reference after use": "see [r] here\n\n- and [r]\n\n[r]: https://example.com\n",
    "setext after paragraph": "Title\nmore\n---\n\npara",
    "nested fence in list": "- item\n\n  ```\n  code\n  ```\n- next",
    "tilde fence with backticks": "~~~\n```\n~~~\nok",
    "crlf line ends": "a\r\n\r\n- b\r\n- c\r\n",
}


@pytest.mark.parametrize("text", EDGE_CASES.values(), ids=EDGE_CASES.keys())
@pytest.mark.parametrize("size", [1, 2, 3, 7])
def test_edge_cases_char_by_char_equal_one_shot(
    views: tuple[TranscriptView, TranscriptView], text: str, size: int
) -> None:
    streamed, reference = views
    pieces = [text[i : i + size] for i in range(0, len(text), size)]
    stream_into(streamed, pieces, [True] * len(pieces))
    assert streamed.document().toHtml() == one_shot_html(reference, text.replace("\r\n", "\n"))
    assert formulas(streamed.document()) == formulas(reference.document())
