"""Keyring backends for unit tests: an in-memory keychain and a few broken ones.

``PYTHON_KEYRING_BACKEND=tests.support.memory_keyring.MemoryKeyring`` makes every
``KeyStore()`` in the process (the CLI commands too) use the shared in-memory store.
"""

from __future__ import annotations

from typing import ClassVar

from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """A keychain in a class-level dict: every instance sees the same entries."""

    # Below keyring's null backend (-1): keyring's own auto-detection (e.g. the selftest's
    # report) never picks it; KeyStore uses it only when named in PYTHON_KEYRING_BACKEND.
    priority = -2
    entries: ClassVar[dict[tuple[str, str], str]] = {}

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError("No such password!")


class LockedKeyring(MemoryKeyring):
    """What Secret Service does when the user dismisses the unlock prompt."""

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")


class PlaintextLookalike(MemoryKeyring):
    """Stands for keyrings.alt's file backends, which must never be used."""


PlaintextLookalike.__module__ = "keyrings.alt.file"
