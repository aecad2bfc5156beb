"""Fixtures for config-level tests: a temp profile and an in-memory keychain."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from streamchat_desktop.config.keystore import KeyStore
from streamchat_desktop.config.paths import Profile
from tests.support.memory_keyring import MemoryKeyring

MEMORY_BACKEND = "tests.support.memory_keyring.MemoryKeyring"


@pytest.fixture
def profile(tmp_path: Path) -> Profile:
    return Profile(tmp_path / "profile")


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """An empty in-memory keychain, also what ``KeyStore()`` picks in this test."""
    MemoryKeyring.entries.clear()
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", MEMORY_BACKEND)
    yield MemoryKeyring()
    MemoryKeyring.entries.clear()


@pytest.fixture
def keys(memory_keyring: MemoryKeyring) -> KeyStore:
    return KeyStore(memory_keyring)
