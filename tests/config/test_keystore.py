"""KeyStore logic on an in-memory keychain (the real Secret Service: test_real_keychain.py)."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import ClassVar

import pytest

from streamchat_desktop.config.keystore import (
    SERVICE_NAME,
    KeychainProblem,
    KeychainUnavailable,
    KeyStore,
)
from tests.support.memory_keyring import LockedKeyring, MemoryKeyring, PlaintextLookalike

KEY = "sk-unit-0123456789abcdef"


def test_set_get_has_delete(keys: KeyStore, memory_keyring: MemoryKeyring) -> None:
    assert keys.get("openai") is None
    assert not keys.has("openai")
    keys.set("openai", KEY)
    assert memory_keyring.entries == {(SERVICE_NAME, "openai"): KEY}  # one entry per provider
    assert keys.get("openai") == KEY
    assert keys.has("openai")
    assert not keys.has("groq")
    assert keys.delete("openai") is True
    assert keys.delete("openai") is False
    assert keys.get("openai") is None


@pytest.mark.parametrize(
    ("bad", "message"),
    [("", "empty"), ("sk-abc\n", "line breaks"), ("sk abc", "spaces"), ("sk-é", "HTTP header")],
)
def test_bad_keys_are_refused(keys: KeyStore, bad: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        keys.set("openai", bad)
    assert not keys.has("openai")


def test_session_only_keeps_keys_in_memory(memory_keyring: MemoryKeyring) -> None:
    keys = KeyStore(memory_keyring, session_only=True)
    keys.set("openai", KEY)
    assert keys.get("openai") == KEY
    assert memory_keyring.entries == {}
    assert keys.backend_name() == "memory, this session only"
    assert KeyStore(memory_keyring).get("openai") is None  # gone with the run


def test_use_session_only_after_the_keychain_failed() -> None:
    keys = KeyStore(LockedKeyring())
    with pytest.raises(KeychainUnavailable) as caught:
        keys.set("openai", KEY)
    assert caught.value.problem is KeychainProblem.LOCKED
    assert "unlock" in caught.value.message
    keys.use_session_only()
    keys.set("openai", KEY)
    assert keys.get("openai") == KEY
    keys.check()  # no keychain needed any more


def test_set_for_session_is_looked_up_first(keys: KeyStore, memory_keyring: MemoryKeyring) -> None:
    keys.set("openai", "sk-stored-0000")
    keys.set_for_session("openai", KEY)
    assert keys.get("openai") == KEY
    assert memory_keyring.entries[(SERVICE_NAME, "openai")] == "sk-stored-0000"


def test_locked_keychain_is_a_clear_error() -> None:
    keys = KeyStore(LockedKeyring())
    with pytest.raises(KeychainUnavailable) as caught:
        keys.get("openai")
    assert caught.value.problem is KeychainProblem.LOCKED
    assert "gnome-keyring-daemon --unlock" in str(caught.value)
    with pytest.raises(KeychainUnavailable):
        keys.check()


def test_plaintext_backends_are_refused_even_when_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(KeychainUnavailable) as caught:
        KeyStore(PlaintextLookalike())
    assert caught.value.problem is KeychainProblem.INSECURE
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.support.memory_keyring.PlaintextLookalike")
    keys = KeyStore()  # lazy: constructing never fails
    with pytest.raises(KeychainUnavailable) as caught:
        keys.get("openai")
    assert caught.value.problem is KeychainProblem.INSECURE
    assert "PYTHON_KEYRING_BACKEND" in caught.value.message
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    with pytest.raises(KeychainUnavailable, match="in a file or nowhere"):
        KeyStore().set("openai", KEY)


def test_no_dbus_session_names_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", "/nonexistent-streamchat-test")  # no keyringrc.cfg
    keys = KeyStore()
    with pytest.raises(KeychainUnavailable) as caught:
        keys.set("openai", KEY)
    assert caught.value.problem is KeychainProblem.NO_DBUS
    assert "dbus-run-session" in caught.value.message
    assert "gnome-keyring" in caught.value.message
    with pytest.raises(KeychainUnavailable):
        keys.backend_name()


def test_dead_dbus_address_is_no_service(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", "/nonexistent-streamchat-test")
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-such-socket")
    with pytest.raises(KeychainUnavailable) as caught:
        KeyStore().get("openai")
    assert caught.value.problem is KeychainProblem.NO_SERVICE
    assert "gnome-keyring" in caught.value.message


def test_keys_never_reach_logs(keys: KeyStore, caplog: pytest.LogCaptureFixture) -> None:
    from streamchat_desktop.config.logging_setup import SecretScrubber

    keys.set("openai", KEY)
    logger = logging.getLogger("streamchat_desktop.test")
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Collect()
    handler.addFilter(SecretScrubber())
    logger.addHandler(handler)
    try:
        logger.warning("request failed with %s", keys.get("openai"))
    finally:
        logger.removeHandler(handler)
    assert KEY not in records[0].getMessage()


class HeldKeyring(MemoryKeyring):
    """Answers ``get_password`` only once the test releases it (a slow Secret Service)."""

    entries: ClassVar[dict[tuple[str, str], str]] = {}  # its own, not the shared one

    def __init__(self) -> None:
        super().__init__()
        self.asked = threading.Event()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        answer = super().get_password(service, username)  # read before the change...
        self.asked.set()
        self.release.wait(timeout=60)  # ...answered after it
        return answer


def test_a_load_racing_a_new_key_does_not_cache_the_old_one() -> None:
    backend = HeldKeyring()
    keys = KeyStore(backend)
    backend.set_password(SERVICE_NAME, "openai", "sk-old-key-123456")

    async def race() -> None:
        loading = asyncio.ensure_future(keys.load("openai"))
        await asyncio.to_thread(backend.asked.wait, 60)
        backend.release.set()  # set() below reads nothing; the held read answers "old"
        keys.set("openai", "sk-new-key-654321")
        await loading

    asyncio.run(race())
    assert keys.get("openai") == "sk-new-key-654321"
