"""A Copy link gives the whole code block, found without parsing a huge answer whole."""

from __future__ import annotations

import pytest

from streamchat_desktop.ui.transcript import code_copy
from streamchat_desktop.ui.transcript.code_copy import code_at_line

CODE = "def f(x):\n    return x  # `ticks`\n\n\n"


def test_a_fence_in_a_huge_answer_is_copied_from_its_own_lines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parsed: list[int] = []
    original = code_copy._code_in
    monkeypatch.setattr(code_copy, "_code_in", lambda t, n: parsed.append(len(t)) or original(t, n))
    text = "intro\n\n" + "word " * 200_000 + "\n\n```python\n" + CODE + "```\n" + "tail\n" * 1000
    line = text[: text.index("```python")].count("\n")
    assert code_at_line(text, line) == CODE
    assert parsed == [len("```python\n" + CODE + "```\n")]


@pytest.mark.parametrize(
    "text, line",
    [
        ("- item\n\n  ```\n  nested\n  ```\n", 2),  # inside a list: the whole answer is parsed
        ("    indented code\n", 0),
        ("~~~\nnever closed\n", 0),
    ],
)
def test_other_code_blocks_are_found_too(text: str, line: int) -> None:
    assert code_at_line(text, line) in ("nested\n", "indented code\n", "never closed\n")


def test_no_code_at_that_line_copies_nothing() -> None:
    assert code_at_line("just text\n", 0) is None
