"""SettingsService.update: a change is saved before anyone sees it, and then everyone does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from streamchat_desktop.config.paths import Profile
from streamchat_desktop.config.settings import ProviderConfig, Settings, SettingsError
from streamchat_desktop.config.settings_service import SettingsService


@pytest.fixture
def profile(tmp_path: Path) -> Profile:
    return Profile.at(str(tmp_path / "profile")).ensure()


def test_a_change_is_saved_applied_to_the_shared_settings_and_announced(
    profile: Profile,
) -> None:
    shared = Settings()
    service = SettingsService(shared, profile)
    heard: list[tuple[str | None, str]] = []
    service.add_listener(lambda s: heard.append((s.active_provider_id, s.theme)))

    def add_lab(settings: Settings) -> None:
        settings.upsert_provider(ProviderConfig("lab", "Lab", "http://127.0.0.1:9/v1"))
        settings.active_provider_id = "lab"
        settings.theme = "dark"

    assert service.update(add_lab) is shared
    assert (shared.active_provider_id, shared.theme) == ("lab", "dark")
    assert heard == [("lab", "dark")]
    assert Settings.load(profile) == shared  # on disk as in memory


def test_a_change_that_cannot_be_saved_changes_nothing(profile: Profile) -> None:
    if os.geteuid() == 0:
        blocked = Settings(blocked_save="settings.json is unreadable")  # root writes anyway
        service = SettingsService(blocked, profile)
    else:
        profile.root.chmod(0o500)
        blocked = Settings()
        service = SettingsService(blocked, profile)
    heard: list[Settings] = []
    service.add_listener(heard.append)
    try:
        with pytest.raises(SettingsError):
            service.update(lambda s: setattr(s, "theme", "dark"))
        with pytest.raises(KeyError):
            service.update(lambda s: s.remove_provider("nope"))
    finally:
        profile.root.chmod(0o700)
    assert blocked.theme == "system" and heard == []
