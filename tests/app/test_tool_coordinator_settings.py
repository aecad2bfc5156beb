"""The tool coordinator changes "always allow" through the settings service: saved, then
applied; a disk that refuses the file leaves the choice as it was and says why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from streamchat_desktop.app.tool_coordinator import ToolCoordinator
from streamchat_desktop.config.keystore import KeyStore
from streamchat_desktop.config.paths import Profile
from streamchat_desktop.config.settings import Settings
from streamchat_desktop.config.settings_service import SettingsService
from streamchat_desktop.core.chat_service import ChatService, ChatTarget
from streamchat_desktop.core.store import MemoryStore
from tests.support.memory_keyring import MemoryKeyring


def coordinator_over(settings: Settings, profile: Profile) -> tuple[ToolCoordinator, list[Any]]:
    service = SettingsService(settings, profile)
    heard: list[Any] = []
    service.add_listener(lambda s: heard.append(list(s.always_allowed_tools)))

    def no_model(_conversation: Any) -> ChatTarget:
        raise AssertionError("no reply in this test")

    chat = ChatService(MemoryStore(), no_model)
    return ToolCoordinator(chat, service, KeyStore(MemoryKeyring())), heard


def test_revoking_always_allow_is_saved_and_announced(tmp_path: Path, qapp: Any) -> None:
    profile = Profile.at(str(tmp_path / "profile")).ensure()
    settings = Settings(always_allowed_tools=["files/read", "web/get"])
    coordinator, heard = coordinator_over(settings, profile)
    coordinator.revoke("files/read")
    assert settings.always_allowed_tools == ["web/get"]
    assert Settings.load(profile).always_allowed_tools == ["web/get"]
    assert heard == [["web/get"]] and coordinator.problems == []


def test_a_refused_save_keeps_the_choice_and_is_reported(tmp_path: Path, qapp: Any) -> None:
    profile = Profile.at(str(tmp_path / "profile")).ensure()
    settings = Settings(always_allowed_tools=["files/read"], blocked_save="unreadable file")
    coordinator, heard = coordinator_over(settings, profile)
    coordinator.revoke("files/read")
    assert settings.always_allowed_tools == ["files/read"] and heard == []
    assert coordinator.problems and "unreadable file" in coordinator.problems[0]
