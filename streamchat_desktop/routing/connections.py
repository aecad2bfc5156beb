"""Turns a conversation into a ChatTarget: which endpoint, which key, which model.

Providers are created lazily (the openai SDK takes ~0.8 s to import) and reused
per endpoint, so every conversation talking to the same server shares one
connection pool.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass

from streamchat_desktop.config.keystore import KeyStore
from streamchat_desktop.config.logging_setup import register_secret
from streamchat_desktop.config.settings import Settings
from streamchat_desktop.core.chat_service import ChatTarget
from streamchat_desktop.core.errors import ChatError, ErrorKind
from streamchat_desktop.core.models import Conversation
from streamchat_desktop.providers.base import Endpoint, Provider
from streamchat_desktop.routing.endpoints import ResolvedEndpoint, resolve_endpoint

log = logging.getLogger(__name__)

# The secrets the app reads from its environment (the openai SDK's own variable).
SECRET_VARIABLES = ("OPENAI_API_KEY",)


def claim_environment(environ: MutableMapping[str, str] | None = None) -> dict[str, str]:
    """A copy of the environment for ``Connections``, taking the secrets out of the
    process's own: every child inherits it (``QDesktopServices.openUrl`` runs
    ``xdg-open`` with it, FACTS.md), and a key must never reach a child. Called once,
    at start, before anything can launch one."""
    live = os.environ if environ is None else environ
    copy = dict(live)
    for name in SECRET_VARIABLES:
        live.pop(name, None)
    return copy


@dataclass(frozen=True, slots=True)
class LaunchChoice:
    """What the command line asked for; applies to conversations that name nothing else."""

    provider_id: str | None = None
    base_url: str | None = None
    model: str | None = None


class Connections:
    """Resolves endpoints for conversations and keeps one provider per endpoint."""

    def __init__(
        self,
        settings: Settings,
        keys: KeyStore,
        launch: LaunchChoice,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.settings = settings
        self.keys = keys
        self.launch = launch
        self._environ = dict(os.environ if environ is None else environ)
        self._providers: dict[tuple[str, str | None], Provider] = {}

    @property
    def environ(self) -> Mapping[str, str]:
        """The environment endpoints are resolved from (with the secrets ``claim_environment``
        took out of the process's own)."""
        return self._environ

    def resolve(self, conversation: Conversation | None = None) -> ResolvedEndpoint:
        """Raises ChatError(NO_KEY) or ValueError with a message a person can act on."""
        provider_id = (
            conversation.provider_id if conversation else None
        ) or self.launch.provider_id
        model = (conversation.model if conversation else None) or self.launch.model
        resolved = resolve_endpoint(
            self.settings,
            self.keys,
            provider_id=provider_id,
            base_url=self.launch.base_url if provider_id == self.launch.provider_id else None,
            model=model,
            environ=self._environ,
        )
        register_secret(resolved.api_key)
        return resolved

    def target(self, conversation: Conversation) -> ChatTarget:
        """The ChatService's resolver: every fault is a ``ChatError``, so a conversation
        whose provider was removed (or whose URL is bad) gets a failed reply, not a bug."""
        try:
            resolved = self.resolve(conversation)
        except ValueError as exc:
            raise ChatError(ErrorKind.NOT_FOUND, str(exc)) from exc
        return ChatTarget(self.provider(resolved).stream, resolved.model)

    def provider(self, resolved: ResolvedEndpoint) -> Provider:
        cache_key = (resolved.base_url, resolved.api_key)
        provider = self._providers.get(cache_key)
        if provider is None:
            from streamchat_desktop.providers.openai_compat import OpenAICompatibleProvider

            provider = OpenAICompatibleProvider(
                Endpoint(base_url=resolved.base_url, api_key=resolved.api_key)
            )
            self._providers[cache_key] = provider
        return provider

    async def aclose(self) -> None:
        for provider in self._providers.values():
            try:
                await provider.aclose()
            except Exception:
                log.exception("closing a provider failed")
        self._providers.clear()
