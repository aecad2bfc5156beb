"""First run: connect to a model in one step — an OpenAI key, a local server, or a URL.

Local servers are probed as the dialog opens (on the qasync loop, well under a second,
the window stays live). Accepting saves the provider, stores the key in the keychain
(or, by the user's explicit choice, in memory for this session) and makes it active.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from streamchat_desktop.config.keystore import KeyStore
from streamchat_desktop.config.settings import ProviderConfig, Settings, SettingsError
from streamchat_desktop.config.settings_service import SettingsService
from streamchat_desktop.routing.endpoints import (
    LocalServer,
    is_loopback,
    normalize_base_url,
    origin,
    preset,
    probe_local_servers,
)
from streamchat_desktop.ui.key_field import KeyField

log = logging.getLogger(__name__)

Probe = Callable[[], Awaitable[list[LocalServer]]]
ERROR_STYLE = "color: #b00020;"


class OnboardingDialog(QDialog):
    """Shown when nothing is configured. Use ``open()``/``show()`` (not ``exec()``).

    Signals:
        provider_chosen(str): the provider was saved and made active; the dialog accepts.
        probe_finished(int): the local-server probe ended with this many servers found.
    """

    provider_chosen = Signal(str)
    probe_finished = Signal(int)

    def __init__(
        self,
        settings: SettingsService,
        keys: KeyStore,
        parent: QWidget | None = None,
        *,
        probe: Probe | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to StreamChat")
        self.resize(560, 520)
        self._service = settings
        self._settings = settings.current
        self._keys = keys
        self._probe: Probe = probe or probe_local_servers
        self._task: asyncio.Future[None] | None = None
        self._probed = False
        self.chosen_provider_id: str | None = None
        self._build()
        self.openai_key.refresh(None)
        self.custom_key.refresh(None)
        self.custom_key.edit.setPlaceholderText("API key (leave empty if the server needs none)")

    def _build(self) -> None:
        intro = QLabel("Connect to a model. You can add more providers later in Settings.", self)
        intro.setWordWrap(True)
        self.openai_choice = QRadioButton("Use OpenAI with my API key", self)
        self.openai_key = KeyField(self._keys, self)
        self.local_choice = QRadioButton("Use a server on this computer", self)
        self.local_list = QListWidget(self)
        self.local_list.setMaximumHeight(110)
        self.local_status = QLabel(self)
        self.rescan_button = QPushButton("Search again", self)
        self.custom_choice = QRadioButton("Another OpenAI-compatible server", self)
        self.custom_url = QLineEdit(self)
        self.custom_url.setPlaceholderText("https://my-server.example.com/v1")
        self.custom_model = QLineEdit(self)
        self.custom_model.setPlaceholderText("model name (optional)")
        self.custom_key = KeyField(self._keys, self)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.continue_button = self.buttons.addButton(
            "Continue", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton("Skip", QDialogButtonBox.ButtonRole.RejectRole)
        self.group = QButtonGroup(self)
        for button in (self.openai_choice, self.local_choice, self.custom_choice):
            self.group.addButton(button)
        self.openai_choice.setChecked(True)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.openai_choice)
        layout.addWidget(self.openai_key)
        layout.addWidget(self.local_choice)
        layout.addWidget(self.local_list)
        row = QHBoxLayout()
        row.addWidget(self.local_status, 1)
        row.addWidget(self.rescan_button)
        layout.addLayout(row)
        layout.addWidget(self.custom_choice)
        layout.addWidget(self.custom_url)
        layout.addWidget(self.custom_model)
        layout.addWidget(self.custom_key)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        self.buttons.accepted.connect(self._on_continue_clicked)
        self.buttons.rejected.connect(self.reject)
        self.rescan_button.clicked.connect(self.start_probe)
        self.openai_key.edit.textEdited.connect(lambda _t: self.openai_choice.setChecked(True))
        self.custom_url.textEdited.connect(lambda _t: self.custom_choice.setChecked(True))
        self.local_list.itemClicked.connect(lambda _i: self.local_choice.setChecked(True))

    # -- probing -----------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._probed:
            self._probed = True
            self.start_probe()

    def start_probe(self) -> None:
        if self._task is not None and not self._task.done():
            return
        self.rescan_button.setEnabled(False)
        self.local_status.setText("Looking for servers on this computer…")
        self._task = asyncio.ensure_future(self._run_probe())

    async def _run_probe(self) -> None:
        try:
            servers = await self._probe()
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug: logged; the other two choices still work
            log.exception("probing local servers failed")
            servers = []
        self.local_list.clear()
        for server in servers:
            name = preset(server.preset).display_name if server.preset != "custom" else "Server"
            count = len(server.models)
            item = QListWidgetItem(
                f"{name} — {server.base_url} ({count} model{'s' if count != 1 else ''})"
            )
            item.setData(Qt.ItemDataRole.UserRole, server)
            self.local_list.addItem(item)
        if servers:
            self.local_list.setCurrentRow(0)
            self.local_status.setText(f"Found {len(servers)} local server(s).")
            if not self.openai_key.key():
                self.local_choice.setChecked(True)
        else:
            self.local_status.setText(
                "No server answered on ports 11434, 1234, 8000 or 8080 "
                "(Ollama, LM Studio, vLLM, llama.cpp)."
            )
        self.rescan_button.setEnabled(True)
        self.probe_finished.emit(len(servers))

    # -- accepting ---------------------------------------------------------------

    def _chosen_config(self) -> tuple[ProviderConfig, KeyField | None]:
        """The provider the user picked, or ValueError saying what is missing."""
        if self.openai_choice.isChecked():
            if not self.openai_key.key():
                raise ValueError("Paste your OpenAI API key (it is stored in the keychain).")
            openai = preset("openai")
            config = ProviderConfig(
                self._settings.unused_provider_id("openai"), openai.display_name, openai.base_url,
                "openai", openai.default_model, True,
            )  # fmt: skip
            return config, self.openai_key
        if self.local_choice.isChecked():
            item = self.local_list.currentItem()
            if item is None:
                raise ValueError("No local server is selected (none was found).")
            server: LocalServer = item.data(Qt.ItemDataRole.UserRole)
            kind = server.preset
            name = preset(kind).display_name if kind != "custom" else f"Local :{server.port}"
            base = kind if kind != "custom" else f"local-{server.port}"
            model = server.models[0] if server.models else ""
            config = ProviderConfig(
                self._settings.unused_provider_id(base), name, server.base_url, kind, model, False
            )
            return config, None
        try:
            url = normalize_base_url(self.custom_url.text())
        except ValueError as exc:
            raise ValueError(f"Server URL: {exc}") from exc
        host = origin(url)[1]
        has_key = bool(self.custom_key.key())
        config = ProviderConfig(
            self._settings.unused_provider_id("custom"), host, url, "custom",
            self.custom_model.text().strip(), has_key and not is_loopback(url),
        )  # fmt: skip
        return config, self.custom_key if has_key else None

    def _on_continue_clicked(self) -> None:
        try:
            config, key_field = self._chosen_config()
            error = key_field.validate() if key_field else None
            if error:
                raise ValueError(error)
        except ValueError as exc:
            self._show_error(str(exc))
            return
        if key_field is not None:
            error = key_field.store(config.id)
            if error:
                self._show_error(error)
                return

        def change(candidate: Settings) -> None:
            candidate.upsert_provider(config)
            candidate.active_provider_id = config.id
            candidate.active_model = config.default_model or None

        try:
            self._service.update(change)
        except SettingsError as exc:
            self._show_error(str(exc))
            return
        self.chosen_provider_id = config.id
        self.provider_chosen.emit(config.id)
        self.accept()

    def _show_error(self, text: str) -> None:
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(text)

    def done(self, result: int) -> None:
        """Closing (any way) cancels a probe still running."""
        if self._task is not None:
            self._task.cancel()
        super().done(result)
