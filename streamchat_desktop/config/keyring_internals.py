"""The one place that calls keyring's private helpers (pinned: keyring 25.7.0;
``tests/config/test_keyring_internals.py`` fails on another version).

keyring has no public way to say where its configuration file lives, and StreamChat
names that file when it refuses a configured backend that keeps keys in plain text.
"""

from __future__ import annotations

from pathlib import Path

PINNED = {"keyring": "25.7.0"}
FALLBACK_NAME = "keyringrc.cfg"


def keyring_config_path() -> Path:
    """keyring's configuration file (``keyringrc.cfg`` in its config folder); only its
    name when keyring cannot say (it then only decorates a message)."""
    try:
        import keyring.core

        return Path(keyring.core._config_path())  # type: ignore[no-untyped-call]
    except Exception:  # platform quirks, a keyring without the helper
        return Path(FALLBACK_NAME)
