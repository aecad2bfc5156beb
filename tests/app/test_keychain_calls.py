"""The keychain is asked once per provider and session, off the Qt thread: switching
conversations and sending make no keychain call after the first. A key changed behind
the app's back is read again when the server refuses the cached one."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from streamchat_desktop.app.endpoint_coordinator import EndpointCoordinator
from streamchat_desktop.config.keystore import SERVICE_NAME, KeyStore
from streamchat_desktop.config.paths import Profile
from streamchat_desktop.config.settings import ProviderConfig, Settings
from streamchat_desktop.config.settings_service import SettingsService
from streamchat_desktop.controllers.chat_controller import ChatController
from streamchat_desktop.core.chat_service import ChatService
from streamchat_desktop.core.models import Message, MessageState
from streamchat_desktop.core.store import MemoryStore
from streamchat_desktop.routing.connections import Connections, LaunchChoice
from streamchat_desktop.ui.main_window import MainWindow
from tests.support.fake_openai import FakeOpenAIServer, Script, invalid_api_key
from tests.support.memory_keyring import MemoryKeyring
from tests.support.waiting import wait_until


class CountingKeyring(MemoryKeyring):
    """The in-memory keychain, noting the thread of every lookup."""

    lookups: ClassVar[list[int]] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.lookups.append(threading.get_ident())
        return super().get_password(service, username)


def test_switching_and_sending_ask_the_keychain_once_and_not_on_the_qt_thread(
    qtbot: Any,
    tmp_path: Path,
    fake_openai: FakeOpenAIServer,
    run_async: Callable[..., Any],
) -> None:
    CountingKeyring.lookups = []
    CountingKeyring.entries = {(SERVICE_NAME, "lab"): "sk-first"}
    settings = Settings(
        providers=[ProviderConfig("lab", "Lab", fake_openai.base_url, needs_key=True)],
        active_provider_id="lab",
        active_model="m",
    )
    keys = KeyStore(CountingKeyring())
    connections = Connections(settings, keys, LaunchChoice(), environ={})
    controller = ChatController(ChatService(MemoryStore(), connections.target))
    window = MainWindow(controller)
    qtbot.addWidget(window)
    profile = Profile.at(str(tmp_path / "profile")).ensure()
    service = SettingsService(settings, profile)
    endpoints = EndpointCoordinator(
        connections, controller, window.endpoint_picker, service, window
    )
    ended: list[Message] = []
    controller.reply_ended.connect(lambda _cid, message, _stats: ended.append(message))

    def answered(count: int) -> Callable[[], bool]:
        return lambda: len(ended) == count

    first = controller.new_conversation(provider_id="lab")  # the picker wants its key
    run_async(wait_until(lambda: keys.is_known("lab")))
    assert len(CountingKeyring.lookups) == 1
    assert CountingKeyring.lookups[0] != threading.get_ident()  # a worker thread
    second = controller.new_conversation(provider_id="lab")
    for conversation_id in (first, second, first, second):
        controller.open_conversation(conversation_id)
        assert controller.send(f"hello from {conversation_id}")
        run_async(wait_until(answered(len(ended) + 1), timeout=10))
    assert [m.state for m in ended] == [MessageState.COMPLETE] * 4
    assert {r.authorization for r in fake_openai.chat_requests} == {"Bearer sk-first"}
    assert len(CountingKeyring.lookups) == 1  # switching and sending asked nothing

    # `streamchat keys set lab` in a terminal: the server refuses the cached key once,
    # the keychain is read again, and the reply goes through with the new key.
    CountingKeyring.entries[(SERVICE_NAME, "lab")] = "sk-second"
    fake_openai.enqueue(invalid_api_key(), Script(deltas=["fresh"]))
    assert controller.send("again")
    run_async(wait_until(answered(5), timeout=10))
    assert (ended[-1].state, ended[-1].content) == (MessageState.COMPLETE, "fresh")
    assert [r.authorization for r in fake_openai.chat_requests[-2:]] == [
        "Bearer sk-first",
        "Bearer sk-second",
    ]
    assert len(CountingKeyring.lookups) == 2

    # A saved settings change reaches the picker through the settings service.
    service.update(
        lambda s: s.upsert_provider(
            ProviderConfig("other", "Other", fake_openai.base_url, needs_key=False)
        )
    )
    picker = window.endpoint_picker.providers
    assert "Other" in [picker.itemText(i) for i in range(picker.count())]

    # Keys changed in this process are known at once; the settings dialog asks afresh.
    keys.set("lab", "sk-third")
    assert keys.get("lab") == "sk-third" and len(CountingKeyring.lookups) == 2
    endpoints.show_settings()
    assert len(CountingKeyring.lookups) == 3  # it shows whether a key is stored
    controller.detach()
    run_async(controller.service.stop_all())
    run_async(connections.aclose())
