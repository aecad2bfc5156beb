"""The settings schema, saved as JSON in the profile. It holds no secret, ever.

Writes are atomic (temp file + ``os.replace``): a crash or a full disk leaves the old
file whole. A file that cannot be read is moved aside (never deleted) with a warning
the UI can show, and the app starts from defaults.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import tempfile
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from streamchat_desktop.config.paths import Profile
from streamchat_desktop.config.tool_settings import (
    DEFAULT_TOOL_TIMEOUT,
    ToolServerConfig,
    tool_servers_from,
    tool_servers_to,
)

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
THEMES = ("system", "light", "dark")
TEXT_ZOOM_RANGE = (-5, 10)  # steps of a tenth of the normal text size
PROVIDER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class SettingsError(Exception):
    """Settings could not be saved; the message says where and why, the old file is intact."""


def check_provider_id(provider_id: str) -> str:
    """The id itself, or a ValueError: ids are keychain user names and CLI arguments."""
    if not PROVIDER_ID.match(provider_id):
        raise ValueError(
            f"{provider_id!r} is not a valid provider id: use 1–64 letters, digits, '.', '_' "
            "or '-', starting with a letter or digit"
        )
    return provider_id


@dataclass(slots=True)
class ProviderConfig:
    """One configured server. Its key, if any, is in the keychain under ``id``."""

    id: str
    display_name: str
    base_url: str
    preset: str = "custom"
    default_model: str = ""
    needs_key: bool = True


@dataclass(slots=True)
class Settings:
    """Everything the user chose, minus secrets. ``warnings`` is not saved."""

    providers: list[ProviderConfig] = field(default_factory=list)
    active_provider_id: str | None = None
    active_model: str | None = None
    theme: str = "system"
    companion_enabled: bool = False
    companion_port: int = 0  # 0: pick a free port
    # MCP servers (no secrets: those are in the keychain) and the user's tool choices
    tool_servers: list[ToolServerConfig] = field(default_factory=list)
    always_allowed_tools: list[str] = field(default_factory=list)  # "server/tool"
    tool_timeout: float = DEFAULT_TOOL_TIMEOUT
    text_zoom: int = 0  # the window's text size, in steps from the normal size
    warnings: list[str] = field(default_factory=list, compare=False)
    # Set when an unreadable file could not be moved aside: saving would destroy it.
    blocked_save: str | None = field(default=None, compare=False, repr=False)

    # -- providers ---------------------------------------------------------------

    def provider(self, provider_id: str) -> ProviderConfig | None:
        return next((p for p in self.providers if p.id == provider_id), None)

    def provider_ids(self) -> list[str]:
        return [p.id for p in self.providers]

    def unused_provider_id(self, base: str) -> str:
        """``base``, or ``base-2``, ``base-3``… : the first no provider has yet."""
        taken = set(self.provider_ids())
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}-{n}", n + 1
        return candidate

    def upsert_provider(self, config: ProviderConfig) -> None:
        """Add the provider, or replace the one with the same id in place."""
        check_provider_id(config.id)
        for index, existing in enumerate(self.providers):
            if existing.id == config.id:
                self.providers[index] = config
                return
        self.providers.append(config)

    def remove_provider(self, provider_id: str) -> ProviderConfig:
        """Remove and return it (KeyError if unknown); an active provider stops being active."""
        config = self.provider(provider_id)
        if config is None:
            raise KeyError(provider_id)
        self.providers.remove(config)
        if self.active_provider_id == provider_id:
            self.active_provider_id = None
            self.active_model = None
        return config

    # -- tool servers ------------------------------------------------------------

    def tool_server(self, name: str) -> ToolServerConfig | None:
        return next((s for s in self.tool_servers if s.name == name), None)

    def upsert_tool_server(self, config: ToolServerConfig) -> None:
        """Add the server, or replace the one with the same name in place."""
        for index, existing in enumerate(self.tool_servers):
            if existing.name == config.name:
                self.tool_servers[index] = config
                return
        self.tool_servers.append(config)

    def remove_tool_server(self, name: str) -> ToolServerConfig:
        """Remove and return it (KeyError if unknown), with its "always allow" choices."""
        config = self.tool_server(name)
        if config is None:
            raise KeyError(name)
        self.tool_servers.remove(config)
        prefix = f"{name}/"
        self.always_allowed_tools = [
            key for key in self.always_allowed_tools if not key.startswith(prefix)
        ]
        return config

    # -- files -------------------------------------------------------------------

    @classmethod
    def load(cls, profile: Profile) -> Settings:
        """The saved settings, or defaults (with a warning) when the file is unreadable."""
        path = profile.settings_file
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls()
        except (OSError, UnicodeDecodeError) as exc:
            if isinstance(exc, UnicodeDecodeError):
                return cls._quarantine(path, exc)
            settings = cls()
            settings.blocked_save = f"could not read {path}: {exc.strerror}; using defaults"
            settings.warnings.append(settings.blocked_save)
            log.warning("%s", settings.blocked_save)
            return settings
        try:
            return cls.from_dict(json.loads(raw))
        except (ValueError, TypeError, KeyError) as exc:
            return cls._quarantine(path, exc)

    @classmethod
    def _quarantine(cls, path: Path, reason: Exception) -> Settings:
        aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        settings = cls()
        try:
            os.replace(path, aside)
        except OSError as exc:
            message = (
                f"{path} is not valid settings ({reason}) and could not be moved aside "
                f"({exc.strerror}); using defaults without overwriting it"
            )
            settings.warnings.append(message)
            settings.blocked_save = message
            log.warning("%s", message)
            return settings
        message = f"{path} was not valid settings ({reason}); kept it as {aside} and started fresh"
        settings.warnings.append(message)
        log.warning("%s", message)
        return settings

    def save(self, profile: Profile) -> None:
        """Write atomically; on any OS error raise SettingsError and keep the old file."""
        path = profile.settings_file
        if self.blocked_save:
            raise SettingsError(f"not saving over an unreadable file: {self.blocked_save}")
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        tmp_name: str | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=".settings-", suffix=".tmp", dir=path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_name, path)
            tmp_name = None
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise SettingsError(
                f"could not save settings to {path}: {reason}; the previous settings are unchanged"
            ) from exc
        finally:
            if tmp_name is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp_name)

    # -- JSON --------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": SCHEMA_VERSION,
            "providers": [asdict(p) for p in self.providers],
            "active_provider_id": self.active_provider_id,
            "active_model": self.active_model,
            "theme": self.theme,
            "companion_enabled": self.companion_enabled,
            "companion_port": self.companion_port,
            "tool_servers": tool_servers_to(self.tool_servers),
            "always_allowed_tools": list(self.always_allowed_tools),
            "tool_timeout": self.tool_timeout,
            "text_zoom": self.text_zoom,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Settings:
        """Strict: a value of the wrong type is an error (the file is then moved aside)."""
        if not isinstance(data, dict):
            raise TypeError("the top level is not a JSON object")
        version = data.get("version", SCHEMA_VERSION)
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise ValueError(f"unsupported settings version {version!r}")
        providers = [_provider(item) for item in _typed(data, "providers", list, [])]
        ids = [p.id for p in providers]
        if len(set(ids)) != len(ids):
            raise ValueError("two providers share one id")
        theme = _typed(data, "theme", str, "system")
        if theme not in THEMES:
            raise ValueError(f"unknown theme {theme!r}")
        port = _typed(data, "companion_port", int, 0)
        if not 0 <= port <= 65535:
            raise ValueError(f"companion_port {port} is out of range")
        return cls(
            providers=providers,
            active_provider_id=_optional_str(data, "active_provider_id"),
            active_model=_optional_str(data, "active_model"),
            theme=theme,
            companion_enabled=_typed(data, "companion_enabled", bool, False),
            companion_port=port,
            tool_servers=tool_servers_from(_typed(data, "tool_servers", list, [])),
            always_allowed_tools=_strings(data, "always_allowed_tools"),
            tool_timeout=_timeout(data),
            text_zoom=_text_zoom(data),
        )


def _typed(data: dict[str, Any], name: str, kind: type, default: Any) -> Any:
    value = data.get(name, default)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"{name!r} should be {kind.__name__}, not {type(value).__name__}")
    return value


def _strings(data: dict[str, Any], name: str) -> list[str]:
    value = _typed(data, name, list, [])
    if not all(isinstance(item, str) for item in value):
        raise TypeError(f"{name!r} should be a list of strings")
    return list(value)


def _timeout(data: dict[str, Any]) -> float:
    value = data.get("tool_timeout", DEFAULT_TOOL_TIMEOUT)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise TypeError("'tool_timeout' should be a positive number of seconds")
    return float(value)


def _text_zoom(data: dict[str, Any]) -> int:
    """A zoom beyond the range is brought into it: not worth losing the file over."""
    low, high = TEXT_ZOOM_RANGE
    step: int = _typed(data, "text_zoom", int, 0)
    return max(low, min(high, step))


def _optional_str(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name!r} should be a string or null")
    return value


_PROVIDER_FIELDS = {f.name: f for f in fields(ProviderConfig)}


def _provider(item: Any) -> ProviderConfig:
    if not isinstance(item, dict):
        raise TypeError("a provider entry is not an object")
    for required in ("id", "display_name", "base_url"):
        if not isinstance(item.get(required), str):
            raise TypeError(f"a provider has no string {required!r}")
    if not isinstance(item.get("needs_key", True), bool):
        raise TypeError("'needs_key' should be true or false")
    for name in ("preset", "default_model"):
        if not isinstance(item.get(name, ""), str):
            raise TypeError(f"provider {name!r} should be a string")
    known = {k: v for k, v in item.items() if k in _PROVIDER_FIELDS}
    config = ProviderConfig(**known)
    check_provider_id(config.id)
    return config
