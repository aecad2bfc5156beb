"""Keeps the window's provider/model picker, its label, the settings dialog and the
first-run onboarding in step with the settings and the active conversation."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from streamchat_desktop.config.keystore import KeychainUnavailable
from streamchat_desktop.config.paths import Profile
from streamchat_desktop.config.settings import SettingsError
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
        profile: Profile,
        parent: QWidget,
    ) -> None:
        self._connections = connections
        self._controller = controller
        self._picker = picker
        self._profile = profile
        self._parent = parent
        self.on_tools_requested: Callable[[], None] | None = None  # the settings' Tools page
        self._tasks: set[asyncio.Task[None]] = set()
        picker.target_chosen.connect(self._on_target_chosen)
        picker.models_wanted.connect(self._on_models_wanted)
        controller.conversation_changed.connect(lambda _cid: self.refresh())

    def refresh(self) -> None:
        """Show the active conversation's provider and model (or why there is none)."""
        settings = self._connections.settings
        choices = [(p.id, p.display_name) for p in settings.providers]
        conversation = self._controller.conversation()
        launch = self._connections.launch
        provider_id = (conversation.provider_id if conversation else None) or launch.provider_id
        try:
            resolved = self._connections.resolve(conversation)
            model = resolved.model
            if resolved.provider_id is None:
                choices.insert(0, (AD_HOC, resolved.display_name))
            provider_id = resolved.provider_id or AD_HOC
            self._picker.setToolTip(f"Answers come from {resolved.base_url}")
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
            environ=os.environ,
        )

    def show_onboarding(self) -> None:
        from streamchat_desktop.ui.onboarding import OnboardingDialog

        dialog = OnboardingDialog(
            self._connections.settings, self._connections.keys, self._profile, self._parent
        )
        dialog.provider_chosen.connect(self._on_provider_chosen)
        dialog.open()

    def show_settings(self) -> None:
        from streamchat_desktop.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(
            self._connections.settings, self._connections.keys, self._profile, self._parent
        )
        dialog.settings_saved.connect(self.refresh)
        if self.on_tools_requested is not None:
            dialog.tools_requested.connect(self.on_tools_requested)
        dialog.open()

    def _on_provider_chosen(self, provider_id: str) -> None:
        self._controller.set_target(provider_id, None)
        self.refresh()

    def _on_target_chosen(self, provider_id: str, model: str) -> None:
        chosen = provider_id or None
        self._controller.set_target(chosen, model or None)
        settings = self._connections.settings
        if chosen is not None and (settings.active_provider_id, settings.active_model) != (
            chosen,
            model or None,
        ):
            settings.active_provider_id = chosen
            settings.active_model = model or None
            try:
                settings.save(self._profile)
            except SettingsError as exc:
                log.warning("could not remember the chosen provider: %s", exc)
        if not model:
            self.refresh()  # show the provider's default model

    def _on_models_wanted(self, provider_id: str) -> None:
        task = asyncio.ensure_future(self._fetch_models(provider_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _fetch_models(self, provider_id: str) -> None:
        probe = Conversation(provider_id=provider_id or None)
        try:
            resolved = self._connections.resolve(probe)
            check = await check_server(resolved.base_url, resolved.api_key, timeout=5.0)
        except (ChatError, KeychainUnavailable, ValueError) as exc:
            # the picker still takes a typed model name; the reply will show the error
            log.info("model list of %r unavailable: %s", provider_id, exc)
            return
        self._picker.set_models(provider_id, check.models)
