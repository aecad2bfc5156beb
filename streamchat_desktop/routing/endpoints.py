"""Where a reply goes, and with which key: the one place that decides.

Rules (a key is never sent to a host it was not stored or given for):

- ``provider_id`` names a configured provider → its base URL (``base_url`` overrides it)
  and the key stored in the keychain for that id, sent only while the URL keeps the
  provider's own host. ``OPENAI_API_KEY`` is used for it only when it points at OpenAI's
  API itself. ``OPENAI_BASE_URL`` is ignored.
- no provider named → ``base_url``, else ``OPENAI_BASE_URL``, with ``OPENAI_API_KEY``, as
  the openai SDK does; with neither, the active (or first) configured provider; with no
  provider configured either, OpenAI's API with ``OPENAI_API_KEY``.
- a configured provider marked ``needs_key`` with no key raises ``ChatError(NO_KEY)``
  before anything is sent. Loopback servers need no key: the local presets, and custom
  providers on this machine, default to ``needs_key=False``, and an ad-hoc URL never
  requires one. Unknown provider ids and bad URLs raise ``ValueError``.

No Qt here. The UI reaches presets and connection checks through this module too.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from streamchat_desktop.config.keystore import KeychainUnavailable, KeyStore
from streamchat_desktop.config.settings import ProviderConfig, Settings
from streamchat_desktop.core.errors import ChatError, ErrorKind
from streamchat_desktop.providers.base import Endpoint
from streamchat_desktop.providers.presets import (
    PRESETS,
    Preset,
    is_loopback,
    is_openai,
    normalize_base_url,
    origin,
    preset,
)
from streamchat_desktop.providers.probe import (
    ConnectionCheck,
    LocalServer,
    check_connection,
    probe_local_servers,
)

__all__ = [
    "PRESETS",
    "ConnectionCheck",
    "LocalServer",
    "Preset",
    "ResolvedEndpoint",
    "Route",
    "check_connection",
    "check_server",
    "is_loopback",
    "needs_onboarding",
    "normalize_base_url",
    "origin",
    "preset",
    "probe_local_servers",
    "resolve_endpoint",
    "route_endpoint",
]

log = logging.getLogger(__name__)

OPENAI_DEFAULT = preset("openai")


@dataclass(frozen=True, slots=True, repr=False)
class ResolvedEndpoint:
    """A decided destination. ``api_key`` is ``None`` when no key may or need be sent."""

    provider_id: str | None
    display_name: str
    base_url: str
    model: str  # "" when nothing chose one: the UI asks for a model
    api_key: str | None

    def __repr__(self) -> str:  # never show the key, even in a traceback
        return (
            f"ResolvedEndpoint(provider_id={self.provider_id!r}, "
            f"display_name={self.display_name!r}, base_url={self.base_url!r}, "
            f"model={self.model!r}, api_key={'***' if self.api_key else None})"
        )

    def to_endpoint(self, *, timeout: float = 60.0, connect_timeout: float = 10.0) -> Endpoint:
        return Endpoint(self.base_url, self.api_key, timeout, connect_timeout)


@dataclass(frozen=True, slots=True, repr=False)
class Route:
    """A destination decided before its key: ``key_id`` names the provider whose stored
    key goes with it (``None``: no stored key may be sent there)."""

    provider_id: str | None
    display_name: str
    base_url: str
    model: str
    key_id: str | None = None
    env_key: str | None = None  # OPENAI_API_KEY, where it was meant to go
    config: ProviderConfig | None = None
    same_host: bool = True

    def __repr__(self) -> str:  # never show the key, even in a traceback
        return f"Route({self.provider_id!r}, {self.base_url!r}, {self.model!r})"

    def with_key(
        self, stored: str | None, problem: KeychainUnavailable | None = None
    ) -> ResolvedEndpoint:
        """The endpoint with the key the keychain gave for ``key_id`` (``stored``), or
        ChatError(NO_KEY) when the provider needs one and there is none."""
        key = stored if self.key_id is not None else None
        config = self.config
        if config is None:
            key = self.env_key
        elif key is None and self.same_host and is_openai(self.base_url):
            key = self.env_key  # the OpenAI provider itself: where OPENAI_API_KEY was meant to go
        if config is not None and key is None and config.needs_key:  # loopback too
            detail = _no_key_detail(config, self.base_url, self.same_host, problem)
            raise ChatError(ErrorKind.NO_KEY, detail)
        if problem is not None and config is not None:
            log.warning(
                "keychain unavailable, %s gets no key: %s", config.id, problem.problem.value
            )
        return ResolvedEndpoint(self.provider_id, self.display_name, self.base_url, self.model, key)


def resolve_endpoint(
    settings: Settings,
    keys: KeyStore,
    *,
    provider_id: str | None,
    base_url: str | None,
    model: str | None,
    environ: Mapping[str, str],
) -> ResolvedEndpoint:
    """Decide base URL, model and key; see the module docstring for the rules."""
    route = route_endpoint(
        settings, provider_id=provider_id, base_url=base_url, model=model, environ=environ
    )
    if route.key_id is None:
        return route.with_key(None)
    try:
        return route.with_key(keys.get(route.key_id))
    except KeychainUnavailable as problem:
        return route.with_key(None, problem)


def route_endpoint(
    settings: Settings,
    *,
    provider_id: str | None,
    base_url: str | None,
    model: str | None,
    environ: Mapping[str, str],
) -> Route:
    """Decide base URL and model, and whose key goes with them (no keychain call)."""
    env_key = environ.get("OPENAI_API_KEY") or None
    if provider_id is not None:
        config = settings.provider(provider_id)
        if config is None:
            known = ", ".join(settings.provider_ids()) or "none configured yet"
            raise ValueError(
                f"unknown provider {provider_id!r} (known: {known}); add it with "
                "`streamchat providers add ID --base-url URL`"
            )
        return _from_provider(config, base_url, model or _active_model(settings, config), env_key)
    adhoc = base_url or environ.get("OPENAI_BASE_URL") or None
    if adhoc is not None:
        url = _checked(adhoc, "--base-url" if base_url else "OPENAI_BASE_URL")
        return Route(None, _host_label(url), url, model or "", env_key=env_key)
    config = settings.provider(settings.active_provider_id or "") or next(
        iter(settings.providers), None
    )
    if config is not None:
        return _from_provider(config, None, model or _active_model(settings, config), env_key)
    if env_key is None:
        raise ChatError(
            ErrorKind.NO_KEY,
            "no key found — set OPENAI_API_KEY, or add a provider in Settings "
            "(or `streamchat providers add openai` then `streamchat keys set openai`)",
        )
    return Route(
        None,
        OPENAI_DEFAULT.display_name,
        OPENAI_DEFAULT.base_url,
        model or OPENAI_DEFAULT.default_model,
        env_key=env_key,
    )


def _from_provider(
    config: ProviderConfig, override: str | None, model: str, env_key: str | None
) -> Route:
    stored = _checked(config.base_url, f"provider {config.id!r}")
    url = _checked(override, "--base-url") if override else stored
    same_host = origin(url) == origin(stored)
    return Route(
        config.id,
        config.display_name,
        url,
        model,
        key_id=config.id if same_host else None,
        env_key=env_key,
        config=config,
        same_host=same_host,
    )


def _no_key_detail(
    config: ProviderConfig, url: str, same_host: bool, problem: KeychainUnavailable | None
) -> str:
    if not same_host:
        return (
            f"the key stored for {config.id!r} is only sent to {_host_label(config.base_url)}, "
            f"not to {_host_label(url)}; add a provider for that server with its own key"
        )
    if problem is not None:
        return f"no key found — the keychain is unavailable: {problem.message}"
    return f"no key found — add one with `streamchat keys set {config.id}` or in Settings"


def _active_model(settings: Settings, config: ProviderConfig) -> str:
    if settings.active_provider_id == config.id and settings.active_model:
        return settings.active_model
    return config.default_model


def _checked(url: str, source: str) -> str:
    try:
        return normalize_base_url(url)
    except ValueError as exc:
        raise ValueError(f"{source}: {exc}") from exc


def _host_label(url: str) -> str:
    if is_openai(url):
        return OPENAI_DEFAULT.display_name
    scheme, host, port = origin(url)
    default = 443 if scheme == "https" else 80
    return host if port == default else f"{host}:{port}"


async def check_server(
    base_url: str, api_key: str | None, *, timeout: float = 15.0
) -> ConnectionCheck:
    """ "Test connection": the server's models and the round trip, or ChatError saying why not.

    ``base_url`` must already be normalized; the key goes to exactly that URL.
    """
    endpoint = Endpoint(base_url, api_key, timeout=timeout, connect_timeout=min(timeout, 10.0))
    return await check_connection(endpoint, timeout=timeout)


def needs_onboarding(
    settings: Settings, *, provider_id: str | None, base_url: str | None, environ: Mapping[str, str]
) -> bool:
    """First run: nothing configured, nothing named on the command line or in the environment."""
    return not (
        settings.providers
        or provider_id
        or base_url
        or environ.get("OPENAI_BASE_URL")
        or environ.get("OPENAI_API_KEY")
    )
