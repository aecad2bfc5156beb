"""SettingsService: the one way settings change — copied, saved, then applied and told.

Every part of the app shares one ``Settings`` object (the routing reads it on each
reply). A change is made to a copy, the copy is saved, and only a saved change reaches
the shared object and the listeners, so a disk that refuses the file never leaves the
app believing in settings it does not have. No Qt here: listeners are callables.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
from collections.abc import Callable

from streamchat_desktop.config.paths import Profile
from streamchat_desktop.config.settings import Settings

log = logging.getLogger(__name__)

SettingsChange = Callable[[Settings], object]
SettingsListener = Callable[[Settings], None]
# Not part of what the user chose: they stay as loaded.
_NOT_CHANGED = {"warnings", "blocked_save"}


class SettingsService:
    """Owns the shared Settings of one profile."""

    def __init__(self, settings: Settings, profile: Profile) -> None:
        self._settings = settings
        self._profile = profile
        self._listeners: list[SettingsListener] = []

    @property
    def current(self) -> Settings:
        """The shared settings: read them here, change them with ``update``."""
        return self._settings

    def add_listener(self, listener: SettingsListener) -> None:
        """Be told of every saved change, with the settings as they now are."""
        self._listeners.append(listener)

    def update(self, change: SettingsChange) -> Settings:
        """Apply ``change`` to a copy, save it, then make it the shared settings and say
        so. Raises SettingsError (the file could not be written: nothing changed) or
        whatever ``change`` raises (ValueError for a bad provider: nothing changed)."""
        candidate = copy.deepcopy(self._settings)
        change(candidate)
        candidate.save(self._profile)
        for field in dataclasses.fields(Settings):
            if field.name not in _NOT_CHANGED:
                setattr(self._settings, field.name, getattr(candidate, field.name))
        for listener in list(self._listeners):
            try:
                listener(self._settings)
            except Exception:
                log.exception("settings listener %r failed", listener)
        return self._settings
