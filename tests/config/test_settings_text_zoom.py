"""The text zoom is saved with the settings; files written before it existed still load."""

from __future__ import annotations

import json

import pytest

from streamchat_desktop.config.paths import Profile
from streamchat_desktop.config.settings import TEXT_ZOOM_RANGE, Settings


def write(profile: Profile, data: object) -> None:
    profile.settings_file.parent.mkdir(parents=True, exist_ok=True)
    profile.settings_file.write_text(json.dumps(data), encoding="utf-8")


def test_a_file_from_before_the_zoom_loads_at_the_normal_size(profile: Profile) -> None:
    old = {"version": 1, "providers": [], "theme": "dark", "companion_port": 0}
    write(profile, old)
    settings = Settings.load(profile)
    assert settings.warnings == []
    assert settings.theme == "dark" and settings.text_zoom == 0


def test_the_zoom_round_trips(profile: Profile) -> None:
    Settings(text_zoom=3).save(profile)
    assert Settings.load(profile).text_zoom == 3


@pytest.mark.parametrize(("saved", "loaded"), [(99, TEXT_ZOOM_RANGE[1]), (-99, TEXT_ZOOM_RANGE[0])])
def test_a_zoom_beyond_the_range_is_brought_into_it(
    profile: Profile, saved: int, loaded: int
) -> None:
    write(profile, {"text_zoom": saved})
    settings = Settings.load(profile)
    assert settings.text_zoom == loaded and settings.warnings == []


def test_a_zoom_that_is_not_a_number_is_refused_and_the_file_kept_aside(
    profile: Profile,
) -> None:
    write(profile, {"text_zoom": "big"})
    settings = Settings.load(profile)
    assert settings.text_zoom == 0
    assert "text_zoom" in settings.warnings[0]
    assert list(profile.settings_file.parent.glob("settings.json.corrupt-*"))
