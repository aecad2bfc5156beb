"""The one place that touches PySide6's private import hook (pinned: pyside6-essentials
6.11.3; ``tests/app/test_pyside_internals.py`` fails on another version)."""

from __future__ import annotations

import sys

PINNED = {"pyside6-essentials": "6.11.3"}


def quiet_pyside_import_hook() -> None:
    """Stop PySide6 reading the source of every module imported after it.

    For ``from __feature__ import …`` (which nothing here uses) PySide6 replaces
    ``__import__`` and, after each import, calls ``inspect.getsource(module)`` to look for
    "PySide6" (PYSIDE-2029); linecache then keeps every source it read: ≈ 1,000 modules,
    22 MiB of idle memory once the openai SDK is loaded, and ≈ 7 ms before the first frame.
    Answering "no" is what a frozen build gets anyway (it ships no sources). The function
    is private to PySide6 (``shibokensupport.feature._mod_uses_pyside``): if it is gone,
    nothing is changed.
    """
    feature = sys.modules.get("shibokensupport.feature")
    if feature is not None and callable(getattr(feature, "_mod_uses_pyside", None)):
        vars(feature)["_mod_uses_pyside"] = lambda _module: False
