"""Keeps the window's provider/model picker, its label, the settings dialog and the
first-run onboarding in step with the settings and the active conversation."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine

from PySide6.QtWidgets import QWidget

from streamchat_desktop.config.keystore import KeychainUnavailable
from streamchat_desktop.config.settings import Settings, SettingsError
from streamchat_desktop.config.settings_service import SettingsService
from streamchat_desktop.controllers.chat_controller import ChatController
from streamchat_desktop.core.errors import ChatError
from streamchat_desktop.core.models import Conversation
from streamchat_desktop.routing.connections import Connections
from streamchat_desktop.routing.endpoints import check_server, needs_onboarding
from streamchat_desktop.ui.endpoint_picker import AD_HOC, EndpointPicker

log = logging.getLogger(__name__)


class EndpointCoordinator:
    """Glue between settings/keys (no Qt) and the widgets that show and change them."""

    def __init__(
        self,
        connections: Connections,
        controller: ChatController,
        picker: EndpointPicker,
        settings: SettingsService,
        parent: QWidget,
    ) -> None:
        self._connections = connections
        self._controller = controller
        self._picker = picker
        self._settings = settings
        self._parent = parent
        self._tasks: set[asyncio.Task[None]] = set()
        picker.target_chosen.connect(self._on_target_chosen)
        picker.models_wanted.connect(self._on_models_wanted)
        controller.conversation_changed.connect(lambda _cid: self.refresh())
        settings.add_listener(lambda _settings: self.refresh())  # providers may have changed

    def refresh(self, *, look_up_key: bool = True) -> None:
        """Show the active conversation's provider and model (or why there is none).

        The keychain is not asked on the Qt thread: a key it has not given yet this
        session is looked up in the background, and the picker shown again after."""
        settings = self._connections.settings
        choices = [(p.id, p.display_name) for p in settings.providers]
        conversation = self._controller.conversation()
        launch = self._connections.launch
        provider_id = (conversation.provider_id if conversation else None) or launch.provider_id
        try:
            route = self._connections.route(conversation)
            if self._connections.key_is_known(route):
                self._connections.resolve(conversation)  # no key: say so below
            elif look_up_key:
                self._start(self._load_key_then_refresh(conversation))
            model = route.model
            if route.provider_id is None:
                choices.insert(0, (AD_HOC, route.display_name))
            provider_id = route.provider_id or AD_HOC
            self._picker.setToolTip(f"Answers come from {route.base_url}")
        except (ChatError, ValueError) as exc:  # no key, unknown provider, bad URL: say so
            model = (conversation.model if conversation else None) or ""
            self._picker.setToolTip(str(exc))
        self._picker.set_choices(choices, provider_id or AD_HOC, model)

    def needs_onboarding(self) -> bool:
        launch = self._connections.launch
        return needs_onboarding(
            self._connections.settings,
            provider_id=launch.provider_id,
            base_url=launch.base_url,
            environ=self._connections.environ,
        )

    def show_onboarding(self) -> None:
        from streamchat_desktop.ui.onboarding import OnboardingDialog

        dialog = OnboardingDialog(self._settings, self._connections.keys, self._parent)
        dialog.provider_chosen.connect(self._on_provider_chosen)
        dialog.open()

    def show_settings(self) -> None:
        from streamchat_desktop.ui.settings_dialog import SettingsDialog

        self._connections.keys.forget_cached()  # keys set or deleted by another process
        dialog = SettingsDialog(self._settings, self._connections.keys, self._parent)
        dialog.open()

    def _on_provider_chosen(self, provider_id: str) -> None:
        self._controller.set_target(provider_id, None)
        self.refresh()

    def _on_target_chosen(self, provider_id: str, model: str) -> None:
        chosen = provider_id or None
        self._controller.set_target(chosen, model or None)
        current = self._settings.current
        if chosen is not None and (current.active_provider_id, current.active_model) != (
            chosen,
            model or None,
        ):

            def remember(settings: Settings) -> None:
                settings.active_provider_id = chosen
                settings.active_model = model or None

            try:
                self._settings.update(remember)
            except SettingsError as exc:
                log.warning("could not remember the chosen provider: %s", exc)
        if not model:
            self.refresh()  # show the provider's default model

    def _on_models_wanted(self, provider_id: str) -> None:
        self._start(self._fetch_models(provider_id))

    def _start(self, work: Coroutine[object, object, None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _load_key_then_refresh(self, conversation: Conversation | None) -> None:
        """The first keychain lookup of a provider, off the Qt thread; then show it."""
        with contextlib.suppress(ChatError, ValueError):  # refresh shows why
            await self._connections.resolve_async(conversation)
        if self._controller.conversation() == conversation:
            self.refresh(look_up_key=False)

    async def _fetch_models(self, provider_id: str) -> None:
        probe = Conversation(provider_id=provider_id or None)
        try:
            resolved = await self._connections.resolve_async(probe)
            check = await check_server(resolved.base_url, resolved.api_key, timeout=5.0)
        except (ChatError, KeychainUnavailable, ValueError) as exc:
            # the picker still takes a typed model name; the reply will show the error
            log.info("model list of %r unavailable: %s", provider_id, exc)
            return
        self._picker.set_models(provider_id, check.models, check.image_models)
