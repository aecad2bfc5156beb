"""The services of one running app, built behind its window and torn down in a fixed order."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import TYPE_CHECKING, TextIO, cast

from streamchat_desktop.cli import exit_codes
from streamchat_desktop.core.errors import ChatError
from streamchat_desktop.storage.errors import StorageError

if TYPE_CHECKING:
    from streamchat_desktop.app.first_frame import FirstFrame
    from streamchat_desktop.config.keystore import KeyStore
    from streamchat_desktop.storage.repository import SqliteStore

log = logging.getLogger(__name__)


class Runtime:
    """Builds store → keys → chat service → controller behind an already shown window
    (its profile claimed, its settings loaded), and stops them in reverse: replies
    cancelled and saved, HTTP clients closed, store closed."""

    def __init__(self, args: argparse.Namespace, shown: FirstFrame) -> None:
        self.args = args
        self.profile = shown.profile
        self.instance = shown.instance
        self.settings = shown.settings
        self.window = shown.window
        self._themes = shown.themes
        self.exit_code = 0
        self.read_only = self.profile.is_read_only()
        self.notices = [*self.settings.warnings, *shown.notices]  # shown once all is up

    def build(self) -> int | None:
        """The services behind the window; an exit code if the app cannot start."""
        from streamchat_desktop.app.companion_coordinator import (
            CompanionCoordinator,
            announce_stream,
        )
        from streamchat_desktop.app.endpoint_coordinator import EndpointCoordinator
        from streamchat_desktop.attachments.outbox import PromptFiles
        from streamchat_desktop.attachments.parts import AttachmentParts
        from streamchat_desktop.config.keystore import KeyStore
        from streamchat_desktop.config.settings_service import SettingsService
        from streamchat_desktop.controllers.chat_controller import ChatController
        from streamchat_desktop.controllers.exchange import ConversationExchange
        from streamchat_desktop.core.chat_service import ChatService
        from streamchat_desktop.routing.connections import (
            Connections,
            LaunchChoice,
            claim_environment,
        )

        args = self.args
        self.instance.listen()
        try:
            self.store = self._open_store()
        except StorageError as exc:  # written by a newer version, not a file, unreadable
            from streamchat_desktop.ui.startup_failure import tell_cannot_start

            tell_cannot_start(exc.message, dialog=not args.exit_after_reply, parent=self.window)
            return exit_codes.FAILED
        self.settings_service = SettingsService(self.settings, self.profile)
        keys = KeyStore()
        self.connections = Connections(
            self.settings,
            keys,
            LaunchChoice(args.provider, args.base_url, args.model),
            environ=claim_environment(),  # no child process (xdg-open for a link) sees a key
        )
        if args.exit_after_reply:
            try:
                self.connections.resolve()
            except (ChatError, ValueError) as exc:  # unknown provider, bad URL, no key
                print(f"streamchat: {exc}", file=sys.stderr)
                return exit_codes.USAGE
        self.service = ChatService(self.store, self.connections.target, AttachmentParts(self.store))
        from streamchat_desktop.imaging.images import prepare_image

        self.files = PromptFiles(self.store, prepare_image)
        self.controller = ChatController(self.service, files=self.files)
        self._build_tools(keys)
        self.window.bind(self.controller, self.store.search, ConversationExchange(self.store))
        self.endpoints = EndpointCoordinator(
            self.connections,
            self.controller,
            self.window.endpoint_picker,
            self.settings_service,
            self.window,
        )
        self.window.settings_requested.connect(self.endpoints.show_settings)
        self.endpoints.on_tools_requested = self._show_tools_dialog
        self.companion = CompanionCoordinator(
            self.service,
            self.controller,
            self.window,
            port=args.companion_port or self.settings.companion_port,
            announce_to=announce_stream(args.exit_after_reply),
            files=self.files,
        )
        self.window.theme_chosen.connect(self._on_theme_chosen)
        self.window.zoom.set_step(self.settings.text_zoom)
        self.window.text_zoom_changed.connect(self._on_text_zoom_changed)
        self.window.menus.companion_at_launch_action.setChecked(self.settings.companion_enabled)
        self.window.menus.companion_at_launch_action.toggled.connect(self._on_companion_at_launch)
        self.instance.activation_requested.connect(self._bring_forward)
        self.service.add_save_error_listener(self._on_save_failed)
        if args.exit_after_reply:
            self._watch_first_reply()
        return None

    def _open_store(self) -> SqliteStore:
        from streamchat_desktop.storage.repository import SqliteStore

        if self.instance.lock_problem:
            log.info("%s", self.instance.lock_problem)
        if self.read_only:  # read, search and export; nothing is written, not even a fix
            self.notices.append(
                f"The profile folder {self.profile.root} is read-only: your conversations "
                "can be read, searched and exported, but nothing new can be saved."
            )
            return SqliteStore.open(self.profile.database_file, read_only=True)
        store = SqliteStore.open(self.profile.database_file)
        if store.recovery is not None:
            self.notices.append(store.recovery.message)
        interrupted = store.recover_interrupted()
        if interrupted:
            log.info("%d reply(ies) were interrupted by the last exit", interrupted)
        purged = store.purge_deleted()  # an Undo lasts one session
        if purged:
            log.info("%d message(s) deleted in the last session were purged", purged)
        return store

    def _open_first_conversation(self) -> None:
        """A launch with a prompt starts fresh; otherwise reopen the newest conversation."""
        args = self.args
        existing = self.store.list_conversations()
        prompted = args.prompt or getattr(args, "attachments", None)
        fresh = prompted or args.provider or args.model or args.base_url
        if existing and (not fresh or self.read_only):
            self.controller.open_conversation(existing[0].id)
        elif not self.read_only:  # a read-only history gets no new conversation
            self.controller.new_conversation(provider_id=args.provider, model=args.model)

    def _watch_first_reply(self) -> None:
        from PySide6.QtCore import QTimer

        from streamchat_desktop.cli.reply_printer import ReplyPrinter
        from streamchat_desktop.cli.stdout_guard import ReaderGoneGuard

        ended: list[int] = []

        def done(code: int) -> None:
            # the first end counts: the reader may go (141) just before the reply ends,
            # and the printer still hears that end before it is removed
            if ended:
                return
            ended.append(code)
            self.exit_code = code
            QTimer.singleShot(0, self.window.close)  # the app quits once the window closes

        def reader_gone() -> None:  # `streamchat … --exit-after-reply | head`: as `yes | head`
            # nothing more to say, not even "stopped"; removed after the event being told
            QTimer.singleShot(0, lambda: self.service.remove_observer(printer))
            done(exit_codes.READER_GONE)

        out = ReaderGoneGuard(sys.stdout, reader_gone)
        printer = ReplyPrinter(cast(TextIO, out), sys.stderr, done)
        self.service.add_observer(printer)

    def start(self) -> None:
        """Once the loop runs: open the first conversation, start what was asked for."""
        self._open_first_conversation()
        for notice in self.notices:
            log.warning("%s", notice)
            if self.args.exit_after_reply:  # a script sees no window: tell it on stderr
                print(f"streamchat: {notice}", file=sys.stderr, flush=True)
            else:
                self.window.show_notice(notice)
        self.endpoints.refresh()
        if self.args.companion or self.settings.companion_enabled:
            self._companion_start = asyncio.ensure_future(self.companion.start())
        files = getattr(self.args, "attachments", [])  # read and checked by cli/attach.py
        if (self.args.prompt or files) and self.read_only:
            self._refuse_prompt()
            return
        if self.args.prompt or files:
            self.files.acknowledge(files)  # any warning about their length went to stderr
            self.controller.send(self.args.prompt or "", files)
            return
        from streamchat_desktop.providers.probe import load_adapter

        # the first Send should not wait for the SDK import (~0.8 s)
        self._preload = asyncio.ensure_future(load_adapter())
        if self.endpoints.needs_onboarding():
            self.endpoints.show_onboarding()

    def _build_tools(self, keys: KeyStore) -> None:
        """MCP servers for the model, each call approved in the window (or by the script's
        ``--allow-tools``), and the Tools page under File and in the settings."""
        from streamchat_desktop.app.tool_coordinator import ToolCoordinator
        from streamchat_desktop.controllers.tool_calls import ToolCallController
        from streamchat_desktop.ui.tools_dialog import install_tools_action

        self.tools = ToolCoordinator(
            self.service,
            self.settings_service,
            keys,
            script_allow=getattr(self.args, "allow_tools", None),
            script=bool(self.args.exit_after_reply),
            on_problem=self.window.show_notice,
        )
        self.tool_calls = ToolCallController(self.service, self.tools.decide)
        self.tool_calls.tool_call_changed.connect(self._on_tool_call_changed)
        self.tool_calls.notice_received.connect(self._on_tool_notice)
        self.window.transcript.tool_decision_requested.connect(self.tool_calls.decide)
        self.tools_action = install_tools_action(self.window.menus.settings_action, self.window)
        self.tools_action.triggered.connect(self._show_tools_dialog)

    def _show_tools_dialog(self) -> None:
        from streamchat_desktop.ui.tools_dialog import ToolsDialog

        dialog = ToolsDialog(
            self.settings,
            self.tools.statuses,
            self.tools.test_servers,
            self.tools.change_settings,
            self.window,
        )
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _refuse_prompt(self) -> None:
        """A prompt that could not be saved is not sent: say so (a script also exits)."""
        message = (
            f"The profile folder {self.profile.root} is read-only, so the prompt was not "
            "sent: nothing could be saved. Choose a writable folder with --profile."
        )
        if not self.args.exit_after_reply:
            self.window.show_notice(message)
            return
        from PySide6.QtCore import QTimer

        print(f"streamchat: {message}", file=sys.stderr, flush=True)
        self.exit_code = exit_codes.FAILED
        QTimer.singleShot(0, self.window.close)

    def _on_tool_call_changed(self, conversation_id: str, message_id: str, record: object) -> None:
        if conversation_id == self.controller.conversation_id:
            self.window.transcript.update_tool_call(message_id, record)  # type: ignore[arg-type]

    def _on_tool_notice(self, conversation_id: str, text: str) -> None:
        if not self.args.exit_after_reply:  # a script gets it on stderr (ReplyPrinter)
            self.window.statusBar().showMessage(text, 30_000)

    def _on_theme_chosen(self, theme: str) -> None:
        self._themes.apply(theme)
        self.window.menus.set_theme_checked(theme)
        self._save_settings(theme=theme)

    def _on_text_zoom_changed(self, step: int) -> None:
        self._save_settings(text_zoom=step)

    def _on_companion_at_launch(self, enabled: bool) -> None:
        """Remember the choice; turning it on starts the companion view right away."""
        self._save_settings(companion_enabled=enabled)
        if enabled:
            self._companion_start = asyncio.ensure_future(self.companion.start())

    def _save_settings(self, **choice: object) -> None:
        """Save a choice made in the window; if that fails, say so (it holds for this run
        in the window, not in the settings file)."""
        from streamchat_desktop.config.settings import Settings, SettingsError

        def change(settings: Settings) -> None:
            for name, value in choice.items():
                setattr(settings, name, value)

        try:
            self.settings_service.update(change)
        except SettingsError as exc:
            self.window.show_notice(str(exc))

    def _bring_forward(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def _on_save_failed(self, message: object, error: Exception) -> None:
        detail = getattr(error, "message", str(error))
        self.window.show_notice(
            f"{detail}\n\nThe answer stays on screen and will be saved as soon as possible."
        )

    async def shutdown(self) -> None:
        # Every quit comes here (SIGTERM never reaches the window's closeEvent), and the
        # process ends with os._exit, which skips the interpreter's own clean-up: the
        # decrypted copies of opened attachments are removed now.
        if self.window.attachments is not None:
            self.window.attachments.discard_opened_files()
        self.controller.detach()
        self.tool_calls.detach()
        await self.service.stop_all()
        await self.tools.aclose()
        await self.companion.stop()
        await self.connections.aclose()
        self.store.close()
        log.info("StreamChat stopped")
