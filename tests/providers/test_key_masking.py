"""The streaming key masker on its own: every way a key can be cut into pieces."""

from __future__ import annotations

import pytest

from streamchat_desktop.providers.key_masking import MASK, KeyMasker

KEY = "sk-sk-sk-0123456789abcdef"  # starts with repeats of itself: the hard case


def _masked(pieces: list[str]) -> tuple[str, bool]:
    masker = KeyMasker(KEY)
    shown = "".join(masker.feed(piece) for piece in pieces) + masker.flush()
    return shown, masker.masked


@pytest.mark.parametrize(
    "text",
    [
        f"a{KEY}b",
        f"sk-sk-{KEY}",  # the key begins after a false start that looks like its own start
        f"{KEY}{KEY}",
        f"sk-sk-sk-012{KEY}sk-",
    ],
)
def test_every_cut_is_masked(text: str) -> None:
    expected = text.replace(KEY, MASK)
    for first in range(len(text) + 1):
        for second in range(first, len(text) + 1, 5):
            pieces = [text[:first], text[first:second], text[second:]]
            assert _masked(pieces) == (expected, True), pieces


def test_text_that_only_begins_like_the_key_comes_back_whole() -> None:
    text = "sk-sk-sk-0123456789abcde"  # one character short
    assert _masked(list(text)) == (text, False)


def test_at_most_len_key_minus_one_characters_are_held_back() -> None:
    masker = KeyMasker(KEY)
    shown = masker.feed("hello " + KEY[:-1])
    assert shown == "hello "
    assert masker.feed("!") == KEY[:-1] + "!"
