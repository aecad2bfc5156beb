"""ThinkTagSplitter: however the answer is cut into deltas, the result is the same."""

from __future__ import annotations

import itertools

from hypothesis import example, given, settings
from hypothesis import strategies as st

from streamchat_desktop.core.events import ReasoningDelta, TextDelta
from streamchat_desktop.core.think_tags import ThinkTagSplitter


def split(deltas: list[str]) -> tuple[str, str]:
    """(text, reasoning) after feeding ``deltas`` one by one and flushing."""
    splitter = ThinkTagSplitter()
    events = [event for delta in deltas for event in splitter.feed(delta)]
    events += splitter.flush()
    assert all(event.text for event in events), "no empty deltas"
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    reasoning = "".join(e.text for e in events if isinstance(e, ReasoningDelta))
    return text, reasoning


def cut(text: str, points: list[int]) -> list[str]:
    bounds = [0, *sorted({p % (len(text) + 1) for p in points}), len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds)]


# answers built from pieces that make tags likely: whole and broken tags, newlines, text
PIECES = st.sampled_from(
    ["<think>", "</think>", "<", "</", "<th", "think>", "nk>", "\n", " ", "a", "b c", "<b>", "é🙂"]
)
ANSWERS = st.lists(PIECES, max_size=12).map("".join) | st.text(max_size=40)


@settings(max_examples=400, deadline=None)
@given(text=ANSWERS, points=st.lists(st.integers(min_value=0, max_value=10_000), max_size=12))
@example(text="<think>plan</think>\n\nAnswer", points=[15, 19, 20])
@example(text="  <think>x</think>y", points=[1, 3])
def test_any_split_gives_the_same_result_as_the_whole(text: str, points: list[int]) -> None:
    assert split(cut(text, points)) == split([text])


@given(text=ANSWERS)
def test_one_character_at_a_time(text: str) -> None:
    assert split(list(text)) == split([text])


@given(text=ANSWERS)
def test_nothing_is_lost(text: str) -> None:
    answer, reasoning = split([text])
    if not text.lstrip().startswith("<think>"):
        assert (answer, reasoning) == (text, "")


def test_reasoning_at_the_start_is_separated() -> None:
    assert split(["<think>", "Let me think.", "</think>", "\n\n", "The answer."]) == (
        "The answer.",
        "Let me think.",
    )


def test_tags_split_across_deltas() -> None:
    assert split(["<th", "ink>ste", "p 1</thi", "nk>Done"]) == ("Done", "step 1")


def test_a_later_mention_of_the_tag_is_left_untouched() -> None:
    answer = "Use <think>…</think> to mark reasoning."
    assert split(["Use <th", "ink>…</think> to mark reasoning."]) == (answer, "")


def test_a_later_tag_after_reasoning_stays_in_the_answer() -> None:
    assert split(["<think>r</think>", "Then <think>x</think>"]) == ("Then <think>x</think>", "r")


def test_unclosed_reasoning_is_kept_as_reasoning() -> None:
    assert split(["<think>still thinking</thi"]) == ("", "still thinking</thi")


def test_a_lone_prefix_of_the_tag_is_text() -> None:
    assert split(["<thi"]) == ("<thi", "")
    assert split(["  "]) == ("  ", "")
