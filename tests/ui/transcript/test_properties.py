"""Each custom text-format property has its own number (Qt keys them by number only)."""

from __future__ import annotations

from streamchat_desktop.ui.transcript import properties


def test_no_two_properties_share_a_number() -> None:
    numbers = {
        name: int(value) for name, value in vars(properties).items() if name.endswith("_PROPERTY")
    }
    assert len(numbers) >= 13
    assert len(set(numbers.values())) == len(numbers), numbers
