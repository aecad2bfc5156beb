"""First-run onboarding: an OpenAI key, a probed local server, or a custom URL."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QTimer

from streamchat_desktop.config.keystore import SERVICE_NAME, KeyStore
from streamchat_desktop.config.paths import Profile
from streamchat_desktop.config.settings import ProviderConfig, Settings
from streamchat_desktop.config.settings_service import SettingsService
from streamchat_desktop.providers.probe import probe_local_servers
from streamchat_desktop.ui.onboarding import OnboardingDialog
from tests.support.fake_openai import FakeOpenAIServer
from tests.support.memory_keyring import LockedKeyring, MemoryKeyring
from tests.support.servers import free_port, raw_server
from tests.support.waiting import wait_until

KEY = "sk-onboarding-0123456789"
MakeDialog = Callable[..., OnboardingDialog]


@pytest.fixture
def make_dialog(qtbot: Any, profile: Profile, qloop: asyncio.AbstractEventLoop) -> MakeDialog:
    def make(ports: list[int], keys: KeyStore | None = None) -> OnboardingDialog:
        dialog = OnboardingDialog(
            SettingsService(Settings.load(profile), profile),
            keys if keys is not None else KeyStore(MemoryKeyring()),
            probe=lambda: probe_local_servers(ports, timeout=30),  # patient: a busy machine
        )
        qtbot.addWidget(dialog)
        return dialog

    return make


def show_and_probe(dialog: OnboardingDialog, run_async: Callable[..., Any]) -> None:
    finished: list[int] = []
    dialog.probe_finished.connect(finished.append)

    async def scenario() -> None:
        dialog.show()
        await wait_until(lambda: bool(finished))

    run_async(scenario())


def test_local_server_found_by_the_probe(
    make_dialog: MakeDialog, profile: Profile, fake_openai: FakeOpenAIServer,
    run_async: Callable[..., Any], memory_keyring: MemoryKeyring,
) -> None:  # fmt: skip
    dialog = make_dialog([free_port(), fake_openai.port])
    show_and_probe(dialog, run_async)
    assert dialog.local_list.count() == 1
    assert fake_openai.base_url in dialog.local_list.item(0).text()
    assert "3 models" in dialog.local_list.item(0).text()
    assert dialog.local_choice.isChecked()
    chosen: list[str] = []
    dialog.provider_chosen.connect(chosen.append)
    dialog.continue_button.click()
    provider_id = f"local-{fake_openai.port}"
    assert chosen == [provider_id] and dialog.chosen_provider_id == provider_id
    assert dialog.result() == dialog.DialogCode.Accepted
    saved = Settings.load(profile)
    assert saved.providers == [
        ProviderConfig(provider_id, f"Local :{fake_openai.port}", fake_openai.base_url,
                       "custom", "gpt-4o", False),
    ]  # fmt: skip
    assert (saved.active_provider_id, saved.active_model) == (provider_id, "gpt-4o")
    assert memory_keyring.entries == {}


def test_probe_does_not_freeze_the_window(
    qtbot: Any, profile: Profile, run_async: Callable[..., Any]
) -> None:
    """While the probe waits on a server that never answers, the window's events are
    handled: the probe is a task on the loop, not a call inside ``show``."""
    answer_allowed = asyncio.Event()

    async def scenario() -> None:
        async with raw_server("stall") as stall:

            async def probe() -> list[Any]:
                await answer_allowed.wait()  # pending until the test has seen the window work
                return await probe_local_servers([stall, free_port()])

            dialog = OnboardingDialog(
                SettingsService(Settings.load(profile), profile),
                KeyStore(MemoryKeyring()),
                probe=probe,
            )
            qtbot.addWidget(dialog)
            finished: list[int] = []
            dialog.probe_finished.connect(finished.append)
            dialog.show()
            assert not finished  # show() returned while the probe is pending
            QTimer.singleShot(0, lambda: dialog.openai_key.edit.setText("typed meanwhile"))
            await wait_until(lambda: dialog.openai_key.edit.text() == "typed meanwhile")
            assert not finished
            answer_allowed.set()
            await wait_until(lambda: bool(finished), timeout=30)
            assert finished == [0] and dialog.local_list.count() == 0

    run_async(scenario(), timeout=60)


def test_no_local_server(
    make_dialog: MakeDialog, run_async: Callable[..., Any], profile: Profile
) -> None:
    dialog = make_dialog([free_port()])
    show_and_probe(dialog, run_async)
    assert "No server answered on ports 11434, 1234, 8000 or 8080" in dialog.local_status.text()
    dialog.local_choice.setChecked(True)
    dialog.continue_button.click()
    assert "No local server is selected" in dialog.message.text()
    assert not profile.settings_file.exists()


def test_openai_key(
    make_dialog: MakeDialog, run_async: Callable[..., Any], profile: Profile,
    memory_keyring: MemoryKeyring,
) -> None:  # fmt: skip
    dialog = make_dialog([free_port()], KeyStore(memory_keyring))
    show_and_probe(dialog, run_async)
    assert dialog.openai_choice.isChecked()
    dialog.continue_button.click()
    assert "Paste your OpenAI API key" in dialog.message.text()
    assert not profile.settings_file.exists()
    dialog.openai_key.edit.setText(KEY)
    dialog.continue_button.click()
    assert dialog.chosen_provider_id == "openai"
    saved = Settings.load(profile)
    assert saved.provider("openai") == ProviderConfig(
        "openai", "OpenAI", "https://api.openai.com/v1", "openai", "gpt-4o-mini", True
    )
    assert saved.active_provider_id == "openai"
    assert memory_keyring.entries == {(SERVICE_NAME, "openai"): KEY}
    assert KEY not in profile.settings_file.read_text(encoding="utf-8")
    assert dialog.openai_key.status.text() == "Will be stored in memory keyring MemoryKeyring"


def test_custom_url(
    make_dialog: MakeDialog, run_async: Callable[..., Any], profile: Profile,
    memory_keyring: MemoryKeyring,
) -> None:  # fmt: skip
    dialog = make_dialog([free_port()], KeyStore(memory_keyring))
    show_and_probe(dialog, run_async)
    dialog.custom_choice.setChecked(True)
    dialog.custom_url.setText("llm.example.com")
    dialog.continue_button.click()
    assert "Server URL: 'llm.example.com' is not an http" in dialog.message.text()
    assert not profile.settings_file.exists()
    dialog.custom_url.setText("https://llm.example.com")
    dialog.custom_model.setText("qwen")
    dialog.custom_key.edit.setText(KEY)
    dialog.continue_button.click()
    saved = Settings.load(profile)
    assert saved.providers == [
        ProviderConfig("custom", "llm.example.com", "https://llm.example.com/v1", "custom",
                       "qwen", True)
    ]  # fmt: skip
    assert memory_keyring.entries == {(SERVICE_NAME, "custom"): KEY}


def test_no_keychain_offers_this_session_only(
    make_dialog: MakeDialog, run_async: Callable[..., Any], profile: Profile
) -> None:
    keys = KeyStore(LockedKeyring())
    dialog = make_dialog([free_port()], keys)
    show_and_probe(dialog, run_async)
    assert "No keychain available" in dialog.openai_key.status.text()
    assert "unlock" in dialog.openai_key.status.text()
    assert dialog.openai_key.session_only.isVisible()
    dialog.openai_key.edit.setText(KEY)
    dialog.continue_button.click()
    assert "The key was not saved" in dialog.message.text()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert not profile.settings_file.exists()
    dialog.openai_key.session_only.setChecked(True)
    dialog.continue_button.click()
    assert dialog.chosen_provider_id == "openai"
    assert keys.get("openai") == KEY  # for this run only
    assert Settings.load(profile).active_provider_id == "openai"
    assert KEY not in profile.settings_file.read_text(encoding="utf-8")
