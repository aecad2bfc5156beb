"""The app's real ``Runtime`` built in the test process, for tests of the composition root."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from streamchat_desktop.cli.main import build_parser
from streamchat_desktop.config.paths import Profile
from tests.support.waiting import wait_until


@pytest.fixture
def runtime_on(qapp: Any, run_async: Callable[..., Any]) -> Iterator[Callable[..., Any]]:
    """Build the app's real Runtime in this process (as ``run_app`` does, minus the loop)."""
    from streamchat_desktop.app.launch import FirstFrame
    from streamchat_desktop.app.runtime import Runtime
    from streamchat_desktop.app.single_instance import SingleInstance
    from streamchat_desktop.config.settings import Settings
    from streamchat_desktop.ui.app_theme import ThemeSwitcher
    from streamchat_desktop.ui.main_window import MainWindow

    built: list[Runtime] = []

    def build(profile: Path, *argv: str) -> Runtime:
        """Built and shown; returns once the first paint opened the first conversation."""
        args = build_parser().parse_args(list(argv))
        args.profile = str(profile)
        claimed = Profile.at(args.profile).ensure()
        instance = SingleInstance(claimed.root)
        assert instance.claim()
        settings = Settings.load(claimed)
        shown = FirstFrame(claimed, instance, settings, MainWindow(), ThemeSwitcher(qapp))
        runtime = Runtime(args, shown)
        assert runtime.build() is None
        built.append(runtime)
        runtime.window.show()
        runtime.start()
        run_async(wait_until(lambda: runtime.controller.conversation_id is not None))
        return runtime

    yield build
    for runtime in built:
        run_async(runtime.shutdown())
        runtime.instance.release()
        runtime.window.close()
        runtime.window.deleteLater()
