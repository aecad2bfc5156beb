"""FirstFrame: what exists when the window first shows; the Runtime builds the services
around it. Kept apart from both so the launch and the runtime need not import each other."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from streamchat_desktop.app.single_instance import SingleInstance
    from streamchat_desktop.config.paths import Profile
    from streamchat_desktop.config.settings import Settings
    from streamchat_desktop.ui.app_theme import ThemeSwitcher
    from streamchat_desktop.ui.main_window import MainWindow


@dataclass(frozen=True, slots=True)
class FirstFrame:
    """What exists when the window first shows: the services are built around it."""

    profile: Profile
    instance: SingleInstance
    settings: Settings
    window: MainWindow
    themes: ThemeSwitcher
    notices: tuple[str, ...] = ()  # problems to tell the user once the window is up
