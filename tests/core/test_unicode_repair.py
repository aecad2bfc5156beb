"""Lone surrogates are repaired into U+FFFD; valid text passes unchanged."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from streamchat_desktop.core.unicode_repair import (
    REPLACEMENT,
    StreamRepair,
    is_encodable,
    repair_text,
)


def test_a_lone_surrogate_from_json_becomes_the_replacement_character() -> None:
    text = json.loads('"abc\\ud800def"')
    assert not is_encodable(text)
    assert repair_text(text) == f"abc{REPLACEMENT}def"
    assert repair_text(json.loads('"\\udfff"')) == REPLACEMENT


def test_a_pair_given_as_two_code_points_is_joined() -> None:
    assert repair_text("\ud83d\ude00") == "😀"


def test_valid_text_is_returned_as_is() -> None:
    text = "plain, ünïcödé, 😀, 中文"
    assert repair_text(text) is text


def test_a_pair_split_across_two_deltas_survives_streaming() -> None:
    repair = StreamRepair()
    assert repair.feed("smile \ud83d") == "smile "
    assert repair.feed("\ude00!") == "😀!"
    assert repair.flush() == ""


def test_a_high_surrogate_left_at_the_end_is_flushed_as_a_replacement() -> None:
    repair = StreamRepair()
    assert repair.feed("end\ud800") == "end"
    assert repair.flush() == REPLACEMENT


@given(st.lists(st.text(alphabet=st.characters(codec=None, min_codepoint=0)), max_size=8))
def test_streamed_repair_is_always_encodable_and_equals_repairing_the_whole(
    pieces: list[str],
) -> None:
    repair = StreamRepair()
    streamed = "".join(repair.feed(p) for p in pieces) + repair.flush()
    assert is_encodable(streamed)
    assert streamed == repair_text("".join(pieces))
