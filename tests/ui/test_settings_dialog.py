"""The settings dialog, driven like a user would, against the fake OpenAI server."""

from __future__ import annotations

import errno
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtWidgets import QLineEdit

from streamchat_desktop.config.keystore import SERVICE_NAME, KeyStore
from streamchat_desktop.config.paths import Profile
from streamchat_desktop.config.settings import ProviderConfig, Settings
from streamchat_desktop.config.settings_service import SettingsService
from streamchat_desktop.ui.settings_dialog import SettingsDialog
from tests.support.fake_openai import FakeOpenAIServer, Script
from tests.support.memory_keyring import LockedKeyring, MemoryKeyring
from tests.support.servers import free_port, raw_server
from tests.support.waiting import wait_until

KEY = "sk-dialog-0123456789abcdef"


@pytest.fixture
def make_dialog(qtbot: Any, profile: Profile) -> Callable[..., SettingsDialog]:
    def make(settings: Settings | None = None, keys: KeyStore | None = None) -> SettingsDialog:
        dialog = SettingsDialog(
            SettingsService(settings if settings is not None else Settings.load(profile), profile),
            keys if keys is not None else KeyStore(MemoryKeyring()),
            confirm=lambda _parent, _question: True,
        )
        qtbot.addWidget(dialog)
        dialog.show()
        return dialog

    return make


def saved_local(profile: Profile, url: str) -> Settings:
    settings = Settings(
        providers=[ProviderConfig("local", "Local", url, "custom", "m", True)],
        active_provider_id="local",
    )
    settings.save(profile)
    return settings


def fill(dialog: SettingsDialog, *, provider_id: str, url: str, key: str = "") -> None:
    dialog.add_button.click()
    custom = dialog.preset_box.findData("custom")
    dialog.preset_box.setCurrentIndex(custom)
    dialog.preset_box.activated.emit(custom)
    dialog.id_edit.setText(provider_id)
    dialog.url_edit.setText(url)
    dialog.key_field.edit.setText(key)


def test_add_a_provider_with_a_key(
    make_dialog: Callable[..., SettingsDialog], profile: Profile, memory_keyring: MemoryKeyring,
    qtbot: Any,
) -> None:  # fmt: skip
    dialog = make_dialog(keys=KeyStore(memory_keyring))
    fill(dialog, provider_id="work", url="http://127.0.0.1:8123", key=KEY)
    dialog.model_box.setEditText("qwen")
    with qtbot.waitSignal(dialog.settings_saved, timeout=30_000):
        dialog.save_button.click()
    saved = Settings.load(profile)
    assert saved.provider("work") == ProviderConfig(
        "work", "work", "http://127.0.0.1:8123/v1", "custom", "qwen", True
    )
    assert saved.active_provider_id == "work"
    assert memory_keyring.entries == {(SERVICE_NAME, "work"): KEY}
    assert KEY not in profile.settings_file.read_text(encoding="utf-8")
    assert dialog.provider_list.count() == 1
    assert "Saved" in dialog.message.text()
    # the key is masked, cleared after saving, and the dialog says where it lives
    assert dialog.key_field.edit.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.key_field.edit.text() == ""
    assert dialog.key_field.status.text() == "Stored in memory keyring MemoryKeyring"


def test_preset_fills_the_form(make_dialog: Callable[..., SettingsDialog]) -> None:
    dialog = make_dialog()
    index = dialog.preset_box.findData("ollama")
    dialog.preset_box.setCurrentIndex(index)
    dialog.preset_box.activated.emit(index)
    assert dialog.url_edit.text() == "http://localhost:11434/v1"
    assert dialog.id_edit.text() == "ollama"
    assert dialog.name_edit.text() == "Ollama"
    assert not dialog.needs_key.isChecked()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("localhost:11434", "Base URL: 'localhost:11434' is not an http:// or https:// URL"),
        ("", "Base URL: the base URL is empty"),
        ("https://u:p@example.com/v1", "must not contain a user name or password"),
    ],
)
def test_bad_url_is_refused_and_nothing_saved_changes(
    make_dialog: Callable[..., SettingsDialog], profile: Profile, url: str, message: str
) -> None:
    settings = saved_local(profile, "http://127.0.0.1:9/v1")
    before = profile.settings_file.read_bytes()
    dialog = make_dialog(settings)
    dialog.url_edit.setText(url)  # editing the saved provider
    dialog.save_button.click()
    assert message in dialog.message.text()
    assert profile.settings_file.read_bytes() == before
    assert settings.provider("local").base_url == "http://127.0.0.1:9/v1"  # type: ignore[union-attr]
    fill(dialog, provider_id="local", url="http://127.0.0.1:10/v1")
    dialog.save_button.click()
    assert "a provider 'local' exists already" in dialog.message.text()
    assert profile.settings_file.read_bytes() == before


def test_full_disk_keeps_the_saved_settings(
    make_dialog: Callable[..., SettingsDialog], profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = saved_local(profile, "http://127.0.0.1:9/v1")
    before = profile.settings_file.read_bytes()
    dialog = make_dialog(settings)

    def no_space(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("streamchat_desktop.config.settings.os.replace", no_space)
    fill(dialog, provider_id="other", url="http://127.0.0.1:11/v1")
    dialog.save_button.click()
    assert "No space left on device" in dialog.message.text()
    assert "previous settings are unchanged" in dialog.message.text()
    assert settings.provider_ids() == ["local"]
    assert profile.settings_file.read_bytes() == before


def test_test_connection_lists_models_and_the_round_trip(
    make_dialog: Callable[..., SettingsDialog],
    fake_openai: FakeOpenAIServer,
    run_async: Callable[..., Any],
) -> None:
    dialog = make_dialog()
    fill(dialog, provider_id="fake", url=fake_openai.base_url, key=KEY)
    dialog.model_box.setEditText("")

    async def scenario() -> None:
        dialog.test_button.click()
        assert not dialog.test_button.isEnabled()  # the loop keeps running meanwhile
        await wait_until(dialog.test_button.isEnabled)

    run_async(scenario())
    assert dialog.test_result.text().startswith("✓ Connected (this computer): 3 models · ")
    assert dialog.test_result.text().endswith(" ms")
    items = [dialog.model_box.itemText(i) for i in range(dialog.model_box.count())]
    assert items == ["gpt-4o", "gpt-4o-mini", "m"]
    assert dialog.model_box.currentText() == "gpt-4o"
    dialog.model_box.setEditText("my-own-model")  # free text is allowed too
    dialog.save_button.click()
    assert dialog._settings.provider("fake").default_model == "my-own-model"  # type: ignore[union-attr]
    assert fake_openai.last_request.authorization == f"Bearer {KEY}"
    assert KEY not in dialog.test_result.text() + dialog.message.text()


def _run_test(dialog: SettingsDialog, run_async: Callable[..., Any]) -> str:
    async def scenario() -> None:
        dialog.test_button.click()
        await wait_until(dialog.test_button.isEnabled)

    run_async(scenario())
    return dialog.test_result.text()


def test_test_connection_failures_are_exact_and_save_nothing(
    make_dialog: Callable[..., SettingsDialog],
    profile: Profile,
    fake_openai: FakeOpenAIServer,
    run_async: Callable[..., Any],
) -> None:
    settings = saved_local(profile, fake_openai.base_url)
    before = profile.settings_file.read_bytes()
    dialog = make_dialog(settings)
    fake_openai.models_script = Script(
        status=401,
        error_body={"message": "Incorrect API key provided", "type": "invalid_request_error",
                    "code": "invalid_api_key", "param": None},
    )  # fmt: skip
    dialog.key_field.edit.setText("sk-wrong-00000000")
    text = _run_test(dialog, run_async)
    assert text == "✗ The server rejected the API key (HTTP 401): Incorrect API key provided."
    fake_openai.models_script = Script(status=404)
    assert _run_test(dialog, run_async).startswith(
        "✗ The model or endpoint was not found (HTTP 404)"
    )
    dialog.url_edit.setText(f"http://127.0.0.1:{free_port()}/v1")
    assert _run_test(dialog, run_async).startswith("✗ Could not reach the server")
    dialog.url_edit.setText("not a url")
    assert _run_test(dialog, run_async).startswith("✗ Base URL: 'not a url' is not an http")

    async def html() -> str:
        async with raw_server("html") as port:
            dialog.url_edit.setText(f"http://127.0.0.1:{port}")
            dialog.test_button.click()
            await wait_until(dialog.test_button.isEnabled)
            return dialog.test_result.text()

    assert run_async(html()).startswith("✗ The server sent data that is not a valid")
    assert profile.settings_file.read_bytes() == before


def test_stored_key_is_tested_only_against_its_own_host(
    make_dialog: Callable[..., SettingsDialog],
    profile: Profile,
    fake_openai: FakeOpenAIServer,
    run_async: Callable[..., Any],
) -> None:
    keys = KeyStore(MemoryKeyring())
    MemoryKeyring.entries.clear()
    keys.set("local", KEY)
    dialog = make_dialog(saved_local(profile, fake_openai.base_url), keys)
    assert dialog.key_field.status.text().startswith("Stored in ")
    assert _run_test(dialog, run_async).startswith("✓")
    assert fake_openai.last_request.authorization == f"Bearer {KEY}"
    with FakeOpenAIServer() as other:
        dialog.url_edit.setText(other.base_url)  # another port: another host
        assert _run_test(dialog, run_async).startswith("✓")
        assert other.last_request.authorization != f"Bearer {KEY}"
    MemoryKeyring.entries.clear()


def test_session_only_key_when_the_keychain_is_locked(
    make_dialog: Callable[..., SettingsDialog], profile: Profile
) -> None:
    keys = KeyStore(LockedKeyring())
    dialog = make_dialog(keys=keys)
    assert "No keychain available" in dialog.key_field.status.text()
    assert "unlock" in dialog.key_field.status.text()
    fill(dialog, provider_id="work", url="https://llm.example.com/v1", key=KEY)
    assert dialog.key_field.session_only.isVisible()
    dialog.save_button.click()
    assert "The key was not saved" in dialog.message.text()
    assert not profile.settings_file.exists()  # nothing half-saved
    dialog.key_field.session_only.setChecked(True)
    dialog.save_button.click()
    assert Settings.load(profile).provider_ids() == ["work"]
    assert keys.get("work") == KEY  # in memory for this run
    assert KEY not in profile.settings_file.read_text(encoding="utf-8")


def test_remove_a_provider_and_its_key(
    make_dialog: Callable[..., SettingsDialog], profile: Profile, memory_keyring: MemoryKeyring
) -> None:
    keys = KeyStore(memory_keyring)
    keys.set("local", KEY)
    dialog = make_dialog(saved_local(profile, "http://127.0.0.1:9/v1"), keys)
    dialog.remove_button.click()
    assert Settings.load(profile).providers == []
    assert memory_keyring.entries == {}
    assert dialog.provider_list.count() == 0
    assert dialog.id_edit.text() == "openai"  # back to a new-provider form
