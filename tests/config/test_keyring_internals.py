"""The keyring adapter is pinned to the keyring it was written against, and works there."""

from __future__ import annotations

from importlib.metadata import version

from streamchat_desktop.config.keyring_internals import (
    FALLBACK_NAME,
    PINNED,
    keyring_config_path,
)


def test_pinned_to_the_installed_keyring() -> None:
    """A new keyring may have moved ``keyring.core._config_path``: check the adapter,
    then move this pin (and pyproject.toml's) together."""
    assert {name: version(name) for name in PINNED} == PINNED


def test_it_names_keyrings_own_config_file() -> None:
    path = keyring_config_path()
    assert path.is_absolute() and path.name == FALLBACK_NAME
