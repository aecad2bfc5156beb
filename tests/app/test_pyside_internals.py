"""The PySide6 adapter is pinned to the PySide6 it was written against, and works there."""

from __future__ import annotations

import sys
from importlib.metadata import version

from streamchat_desktop.app.pyside_internals import PINNED


def test_pinned_to_the_installed_pyside() -> None:
    """A new PySide6 may rename its import hook: check the adapter, then move this pin
    (and pyproject.toml's) together."""
    assert {name: version(name) for name in PINNED} == PINNED


def test_the_private_hook_it_replaces_is_there() -> None:
    import PySide6.QtCore  # noqa: F401  (installs the hook)

    feature = sys.modules.get("shibokensupport.feature")
    assert feature is not None and callable(getattr(feature, "_mod_uses_pyside", None))
