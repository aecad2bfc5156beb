"""Turns a conversation into a ChatTarget: which endpoint, which key, which model.

Providers are created lazily (the openai SDK takes ~0.8 s to import) and reused
per endpoint, so every conversation talking to the same server shares one
connection pool. A provider's key is read from the keychain once per session, off the
Qt thread (``KeyStore.load``), when its first reply starts; a 401 answer to a key read
earlier reads the keychain once more (another process may have changed it) and, if
the key changed, asks again with the new one.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Mapping, MutableMapping
from dataclasses import dataclass

from streamchat_desktop.config.keystore import KeychainUnavailable, KeyStore
from streamchat_desktop.config.logging_setup import register_secret
from streamchat_desktop.config.settings import Settings
from streamchat_desktop.core.chat_service import ChatTarget
from streamchat_desktop.core.errors import ChatError, ErrorKind
from streamchat_desktop.core.events import StreamEvent
from streamchat_desktop.core.models import ChatRequest, Conversation
from streamchat_desktop.core.session import StreamOpener
from streamchat_desktop.providers.base import Endpoint, Provider
from streamchat_desktop.routing.endpoints import ResolvedEndpoint, Route, route_endpoint

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

    def route(self, conversation: Conversation | None = None) -> Route:
        """Where the conversation's replies go, decided without the keychain; raises
        ChatError(NO_KEY) or ValueError with a message a person can act on."""
        provider_id = (
            conversation.provider_id if conversation else None
        ) or self.launch.provider_id
        model = (conversation.model if conversation else None) or self.launch.model
        return route_endpoint(
            self.settings,
            provider_id=provider_id,
            base_url=self.launch.base_url if provider_id == self.launch.provider_id else None,
            model=model,
            environ=self._environ,
        )

    def key_is_known(self, route: Route) -> bool:
        """Whether the route's key can be had without asking the keychain."""
        return route.key_id is None or self.keys.is_known(route.key_id)

    def resolve(self, conversation: Conversation | None = None) -> ResolvedEndpoint:
        """The route with its key (asking the keychain on this thread if it has not yet
        answered this session); raises like ``route``."""
        return self._with_key(self.route(conversation))

    async def resolve_async(self, conversation: Conversation | None = None) -> ResolvedEndpoint:
        """As ``resolve``, with a first keychain lookup run off the event loop's thread."""
        route = self.route(conversation)
        if route.key_id is not None:
            try:
                await self.keys.load(route.key_id)
            except KeychainUnavailable as problem:
                return route.with_key(None, problem)
        return self._with_key(route)

    def _with_key(self, route: Route) -> ResolvedEndpoint:
        if route.key_id is None:
            return route.with_key(None)
        try:
            resolved = route.with_key(self.keys.get(route.key_id))
        except KeychainUnavailable as problem:
            resolved = route.with_key(None, problem)
        register_secret(resolved.api_key)
        return resolved

    def target(self, conversation: Conversation) -> ChatTarget:
        """The ChatService's resolver: every fault is a ``ChatError``, so a conversation
        whose provider was removed (or whose URL is bad) gets a failed reply, not a bug.
        No keychain call here: the key is looked up as the stream opens."""
        try:
            route = self.route(conversation)
        except ValueError as exc:
            raise ChatError(ErrorKind.NOT_FOUND, str(exc)) from exc
        if self.key_is_known(route):
            self._with_key(route)  # a missing key fails the reply at once, as before
        return ChatTarget(self._opener(conversation), route.model)

    def _opener(self, conversation: Conversation) -> StreamOpener:
        async def open_stream(request: ChatRequest) -> AsyncIterator[StreamEvent]:
            resolved = await self.resolve_async(conversation)
            started = False
            try:
                async for event in self.provider(resolved).stream(request):
                    started = True
                    yield event
                return
            except ChatError as error:
                route = self.route(conversation)
                if started or error.kind is not ErrorKind.AUTH or route.key_id is None:
                    raise
                self.keys.forget_cached(route.key_id)  # changed in another process?
                fresh = await self.resolve_async(conversation)
                if fresh.api_key == resolved.api_key:
                    raise
            async for event in self.provider(fresh).stream(request):
                yield event

        return open_stream

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
