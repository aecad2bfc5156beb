"""The settings file: round trip, no secrets, atomic saves, corrupt files kept aside."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from streamchat_desktop.config.paths import Profile
from streamchat_desktop.config.settings import ProviderConfig, Settings, SettingsError

OLLAMA = ProviderConfig("ollama", "Ollama", "http://localhost:11434/v1", "ollama", "", False)
OPENAI = ProviderConfig("openai", "OpenAI", "https://api.openai.com/v1", "openai", "gpt-4o-mini")


def configured() -> Settings:
    return Settings(
        providers=[OLLAMA, OPENAI],
        active_provider_id="openai",
        active_model="gpt-4o",
        theme="dark",
        companion_enabled=True,
        companion_port=8765,
    )


def test_missing_file_gives_defaults(profile: Profile) -> None:
    settings = Settings.load(profile)
    assert settings == Settings()
    assert settings.warnings == []


def test_round_trip(profile: Profile) -> None:
    configured().save(profile)
    loaded = Settings.load(profile)
    assert loaded == configured()
    assert loaded.warnings == []


def test_file_holds_exactly_the_schema_and_no_secret_field(profile: Profile) -> None:
    configured().save(profile)
    data = json.loads(profile.settings_file.read_text(encoding="utf-8"))
    assert set(data) == {
        "version", "providers", "active_provider_id", "active_model", "theme",
        "companion_enabled", "companion_port", "tool_servers", "always_allowed_tools",
        "tool_timeout", "text_zoom",
    }  # fmt: skip
    assert set(data["providers"][0]) == {
        "id", "display_name", "base_url", "preset", "default_model", "needs_key",
    }  # fmt: skip
    text = profile.settings_file.read_text(encoding="utf-8").lower()
    assert 'key"' not in text.replace("needs_key", "")


def test_save_leaves_no_temp_files(profile: Profile) -> None:
    for _ in range(3):
        configured().save(profile)
    assert [p.name for p in profile.root.iterdir()] == ["settings.json"]


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        '{"providers": "nope"}',
        '{"providers": [{"id": "x"}]}',
        '{"theme": "neon"}',
        '{"companion_port": 70000}',
        '{"version": 99}',
        '{"providers": [{"id": "a b", "display_name": "A", "base_url": "http://x/v1"}]}',
        b"\xff\xfe garbage",
    ],
)
def test_corrupt_file_is_moved_aside_with_a_warning(profile: Profile, content: str | bytes) -> None:
    profile.root.mkdir(parents=True)
    raw = content if isinstance(content, bytes) else content.encode()
    profile.settings_file.write_bytes(raw)
    settings = Settings.load(profile)
    assert settings.providers == []
    assert len(settings.warnings) == 1
    aside = list(profile.root.glob("settings.json.corrupt-*"))
    assert len(aside) == 1
    assert aside[0].read_bytes() == raw  # nothing lost
    assert str(aside[0]) in settings.warnings[0]
    settings.save(profile)  # a fresh file; the old one stays aside
    assert aside[0].read_bytes() == raw


def test_unknown_fields_are_ignored(profile: Profile) -> None:
    profile.root.mkdir(parents=True)
    data = configured().to_dict() | {"future_option": 1}
    data["providers"][0]["future_field"] = "x"
    profile.settings_file.write_text(json.dumps(data), encoding="utf-8")
    assert Settings.load(profile) == configured()


def test_remove_active_provider_clears_the_active_choice() -> None:
    settings = configured()
    assert settings.remove_provider("openai") == OPENAI
    assert settings.active_provider_id is None and settings.active_model is None
    with pytest.raises(KeyError):
        settings.remove_provider("openai")


def test_upsert_replaces_in_place_and_checks_the_id() -> None:
    settings = configured()
    settings.upsert_provider(ProviderConfig("ollama", "Mine", "http://localhost:11434/v1"))
    assert settings.provider_ids() == ["ollama", "openai"]
    assert settings.provider("ollama").display_name == "Mine"  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="not a valid provider id"):
        settings.upsert_provider(ProviderConfig("bad id", "x", "http://x/v1"))


def test_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    """A real write failure: the kernel refuses to grow files past RLIMIT_FSIZE."""
    profile = Profile(tmp_path / "p")
    Settings(providers=[OLLAMA]).save(profile)
    before = profile.settings_file.read_bytes()
    script = f"""
import resource, signal, sys
from streamchat_desktop.config.paths import Profile
from streamchat_desktop.config.settings import Settings, SettingsError
from tests.config.test_settings import configured
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))
try:
    configured().save(Profile.at({str(profile.root)!r}))
except SettingsError as exc:
    print(exc)
    sys.exit(3)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 3, done.stderr
    assert "could not save settings" in done.stdout
    assert "previous settings are unchanged" in done.stdout
    assert profile.settings_file.read_bytes() == before
    assert [p.name for p in profile.root.iterdir()] == ["settings.json"]  # temp file removed


def test_unreadable_file_that_cannot_be_moved_is_never_overwritten(
    profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile.root.mkdir(parents=True)
    profile.settings_file.write_text("{broken", encoding="utf-8")

    def refuse(*_args: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("streamchat_desktop.config.settings.os.replace", refuse)
    settings = Settings.load(profile)
    assert "could not be moved aside" in settings.warnings[0]
    with pytest.raises(SettingsError, match="not saving over an unreadable file"):
        settings.save(profile)
    assert profile.settings_file.read_text(encoding="utf-8") == "{broken"


def test_an_unused_provider_id_counts_up_from_the_base() -> None:
    settings = Settings()
    assert settings.unused_provider_id("ollama") == "ollama"
    for taken in ("ollama", "ollama-2"):
        settings.upsert_provider(ProviderConfig(taken, taken, "http://127.0.0.1:11434/v1"))
    assert settings.unused_provider_id("ollama") == "ollama-3"
    assert settings.unused_provider_id("openai") == "openai"
