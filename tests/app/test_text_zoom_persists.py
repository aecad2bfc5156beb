"""The text zoom chosen in the window is saved through the settings service and the
next start shows text at that size (the app's real Runtime)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from streamchat_desktop.config.paths import Profile
from streamchat_desktop.config.settings import Settings
from tests.support.fake_openai import FakeOpenAIServer


def test_a_zoom_is_saved_and_a_saved_zoom_is_shown(
    tmp_path: Path, runtime_on: Callable[..., Any], fake_openai: FakeOpenAIServer
) -> None:
    base = "--base-url", fake_openai.base_url, "--model", "m"
    runtime = runtime_on(tmp_path / "zooming", *base)
    runtime.window.menus.zoom_in_action.trigger()
    runtime.window.menus.zoom_in_action.trigger()
    assert Settings.load(Profile.at(str(tmp_path / "zooming"))).text_zoom == 2
    assert runtime.settings.text_zoom == 2

    saved = Profile.at(str(tmp_path / "zoomed")).ensure()
    saved.settings_file.write_text(json.dumps({"text_zoom": 3}), encoding="utf-8")
    again = runtime_on(tmp_path / "zoomed", *base)
    assert again.window.zoom.step == 3
    normal = runtime.window.composer.font().pointSizeF() / 1.2
    assert again.window.composer.font().pointSizeF() == pytest.approx(normal * 1.3)
