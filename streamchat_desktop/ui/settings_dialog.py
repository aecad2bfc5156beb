"""Settings: add, edit and remove providers, store their keys, test a connection.

Changes go through the SettingsService (copied, saved, and only then applied to the
shared ``Settings`` object), so a bad URL, a failed test or a full disk never loses or
overwrites what was saved. "Test connection" runs on the qasync loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from streamchat_desktop.config.keystore import KeychainUnavailable, KeyStore
from streamchat_desktop.config.settings import (
    ProviderConfig,
    Settings,
    SettingsError,
    check_provider_id,
)
from streamchat_desktop.config.settings_service import SettingsChange, SettingsService
from streamchat_desktop.core.errors import ChatError
from streamchat_desktop.routing.endpoints import (
    PRESETS,
    ConnectionCheck,
    check_server,
    is_loopback,
    normalize_base_url,
    origin,
    preset,
)
from streamchat_desktop.ui.key_field import KeyField

log = logging.getLogger(__name__)

CheckServer = Callable[[str, str | None], Awaitable[ConnectionCheck]]
Confirm = Callable[[QWidget, str], bool]
ERROR_STYLE = "color: #b00020;"


def _ask(parent: QWidget, question: str) -> bool:
    answer = QMessageBox.question(parent, "StreamChat", question)
    return answer == QMessageBox.StandardButton.Yes


class SettingsDialog(QDialog):
    """Providers and their keys. Use ``open()``/``show()`` (not ``exec()``) under qasync.

    Signals:
        settings_saved(): settings (and possibly a key) were saved; re-resolve endpoints.
        connection_checked(bool): a "Test connection" ended, successfully or not.
    """

    settings_saved = Signal()
    connection_checked = Signal(bool)

    def __init__(
        self,
        settings: SettingsService,
        keys: KeyStore,
        parent: QWidget | None = None,
        *,
        check: CheckServer | None = None,
        confirm: Confirm = _ask,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings — Providers")
        self.resize(760, 480)
        self._service = settings
        self._keys = keys
        self._check: CheckServer = check or check_server
        self._confirm = confirm
        self._editing: str | None = None  # id of the saved provider in the form; None: new
        self._task: asyncio.Future[None] | None = None
        self._build()
        self._connect()
        self._reload_list(select=settings.current.active_provider_id)
        for warning in settings.current.warnings:
            self._show_error(warning)

    # -- layout ------------------------------------------------------------------

    def _build(self) -> None:
        self.provider_list = QListWidget(self)
        self.add_button = QPushButton("Add", self)
        self.remove_button = QPushButton("Remove", self)
        self.preset_box = QComboBox(self)
        for item in PRESETS:
            self.preset_box.addItem(item.display_name, item.kind)
        self.id_edit = QLineEdit(self)
        self.name_edit = QLineEdit(self)
        self.url_edit = QLineEdit(self)
        self.url_edit.setPlaceholderText("http://localhost:11434/v1")
        self.needs_key = QCheckBox("This server needs an API key", self)
        self.key_field = KeyField(self._keys, self)
        self.model_box = QComboBox(self)
        self.model_box.setEditable(True)  # the list from the server, or free text
        self.model_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.test_button = QPushButton("Test connection", self)
        self.test_result = QLabel(self)
        self.test_result.setWordWrap(True)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.save_button = QPushButton("Save", self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self._build_layout()

    def _build_layout(self) -> None:
        left = QVBoxLayout()
        left.addWidget(self.provider_list, 1)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        left.addLayout(row)
        form = QFormLayout()
        form.addRow("Kind", self.preset_box)
        form.addRow("ID", self.id_edit)
        form.addRow("Name", self.name_edit)
        form.addRow("Base URL", self.url_edit)
        form.addRow("", self.needs_key)
        form.addRow("API key", self.key_field)
        form.addRow("Model", self.model_box)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)
        form.addRow("", test_row)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(self.message)
        right.addStretch(1)
        right.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignRight)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 2)
        outer = QVBoxLayout(self)
        outer.addLayout(columns)
        outer.addWidget(self.buttons)

    def _connect(self) -> None:
        self.provider_list.currentItemChanged.connect(self._on_selection_changed)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.preset_box.activated.connect(self._on_preset_activated)
        self.test_button.clicked.connect(self._on_test_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.buttons.rejected.connect(self.reject)

    # -- the form ----------------------------------------------------------------

    def _reload_list(self, select: str | None = None) -> None:
        self.provider_list.blockSignals(True)
        self.provider_list.clear()
        for config in self._settings.providers:
            item = QListWidgetItem(f"{config.display_name}  ({config.id})")
            item.setData(Qt.ItemDataRole.UserRole, config.id)
            self.provider_list.addItem(item)
        self.provider_list.blockSignals(False)
        ids = self._settings.provider_ids()
        if select in ids:
            self.provider_list.setCurrentRow(ids.index(select))
        elif ids:
            self.provider_list.setCurrentRow(0)
        else:
            self._on_add_clicked()

    def _on_selection_changed(self, item: QListWidgetItem | None) -> None:
        config = self._settings.provider(item.data(Qt.ItemDataRole.UserRole)) if item else None
        if config is not None:
            self._load(config)

    def _load(self, config: ProviderConfig) -> None:
        self._editing = config.id
        index = self.preset_box.findData(config.preset)
        self.preset_box.setCurrentIndex(index if index >= 0 else self.preset_box.count() - 1)
        self.id_edit.setText(config.id)
        self.id_edit.setReadOnly(True)  # the key is stored under the id
        self.name_edit.setText(config.display_name)
        self.url_edit.setText(config.base_url)
        self.needs_key.setChecked(config.needs_key)
        self.model_box.clear()
        self.model_box.setEditText(self._model_for(config))
        self.key_field.refresh(config.id)
        self.remove_button.setEnabled(True)
        self._clear_messages()

    def _model_for(self, config: ProviderConfig) -> str:
        if self._settings.active_provider_id == config.id and self._settings.active_model:
            return self._settings.active_model
        return config.default_model

    def _on_add_clicked(self) -> None:
        self._editing = None
        self.provider_list.clearSelection()
        self.id_edit.setReadOnly(False)
        for edit in (self.id_edit, self.name_edit, self.url_edit):
            edit.clear()
        self.model_box.clear()
        self.preset_box.setCurrentIndex(0)
        self._on_preset_activated(0)
        self.key_field.refresh(None)
        self.remove_button.setEnabled(False)
        self._clear_messages()

    def _on_preset_activated(self, index: int) -> None:
        chosen = preset(str(self.preset_box.itemData(index)))
        self.url_edit.setText(chosen.base_url)
        self.needs_key.setChecked(chosen.needs_key)
        self.model_box.setEditText(chosen.default_model)
        auto_named = self.name_edit.text() in {"", *(p.display_name for p in PRESETS)}
        if auto_named:  # never overwrite a name the user typed
            self.name_edit.setText(chosen.display_name if chosen.kind != "custom" else "")
        if self._editing is None:
            self.id_edit.setText(self._settings.unused_provider_id(chosen.kind))

    # -- validation and saving ---------------------------------------------------

    def _form_config(self) -> ProviderConfig:
        """The provider in the form, or ValueError naming the field that is wrong."""
        provider_id = self.id_edit.text().strip()
        try:
            check_provider_id(provider_id)
        except ValueError as exc:
            raise ValueError(f"ID: {exc}") from exc
        if self._editing is None and self._settings.provider(provider_id) is not None:
            raise ValueError(f"ID: a provider {provider_id!r} exists already")
        try:
            url = normalize_base_url(self.url_edit.text())
        except ValueError as exc:
            raise ValueError(f"Base URL: {exc}") from exc
        key_error = self.key_field.validate()
        if key_error:
            raise ValueError(key_error)
        return ProviderConfig(
            id=provider_id,
            display_name=self.name_edit.text().strip() or provider_id,
            base_url=url,
            preset=str(self.preset_box.currentData()),
            default_model=self.model_box.currentText().strip(),
            needs_key=self.needs_key.isChecked(),
        )

    def _on_save_clicked(self) -> None:
        try:
            config = self._form_config()
        except ValueError as exc:
            self._show_error(str(exc))
            return

        def change(candidate: Settings) -> None:
            candidate.upsert_provider(config)
            if candidate.active_provider_id in (None, config.id):
                candidate.active_provider_id = config.id
                candidate.active_model = config.default_model or None

        key_error = self.key_field.store(config.id)
        if key_error:
            self._show_error(key_error)
            return
        if self._apply(change):
            self._reload_list(select=config.id)
            self._show_info(f"Saved {config.display_name}.")

    def _on_remove_clicked(self) -> None:
        provider_id = self._editing
        if provider_id is None or not self._confirm(
            self, f"Remove the provider {provider_id!r} and its stored key?"
        ):
            return
        if not self._apply(lambda candidate: candidate.remove_provider(provider_id)):
            return
        note = ""
        try:
            self._keys.delete(provider_id)
        except KeychainUnavailable as exc:
            note = f" Its key could not be deleted from the keychain: {exc.message}"
        self._reload_list()
        if note:
            self._show_error(f"Removed {provider_id}.{note}")
        else:
            self._show_info(f"Removed {provider_id}.")

    def _apply(self, change: SettingsChange) -> bool:
        """Have the settings service save the change; False (and why, shown) if it did not."""
        try:
            self._service.update(change)
        except SettingsError as exc:
            self._show_error(str(exc))
            return False
        self.settings_saved.emit()
        return True

    @property
    def _settings(self) -> Settings:
        return self._service.current

    # -- test connection ---------------------------------------------------------

    def _on_test_clicked(self) -> None:
        try:
            url = normalize_base_url(self.url_edit.text())
        except ValueError as exc:
            self._show_test_result(False, f"Base URL: {exc}")
            return
        key, note = self._key_for_test(url)
        self.test_button.setEnabled(False)
        self.test_result.setStyleSheet("")
        self.test_result.setText(f"Connecting to {url} …{note}")
        if self._task is not None:
            self._task.cancel()
        self._task = asyncio.ensure_future(self._run_test(url, key, note))

    def _key_for_test(self, url: str) -> tuple[str | None, str]:
        """The typed key, else the stored one — only if the URL keeps the saved host."""
        if self.key_field.key():
            return self.key_field.key(), ""
        saved = self._settings.provider(self._editing) if self._editing else None
        if saved is None or origin(saved.base_url) != origin(url):
            return None, ""
        try:
            return self._keys.get(saved.id), ""
        except KeychainUnavailable:
            return None, " (without a key: the keychain is unavailable)"

    async def _run_test(self, url: str, key: str | None, note: str) -> None:
        try:
            result = await self._check(url, key)
        except asyncio.CancelledError:
            raise
        except ChatError as exc:
            self._show_test_result(False, exc.message + note)
            return
        except Exception as exc:  # a bug: logged with its traceback, shown, dialog lives on
            log.exception("connection test failed unexpectedly")
            self._show_test_result(False, f"Unexpected error: {type(exc).__name__}: {exc}")
            return
        elapsed = result.elapsed
        self._fill_models(result.models)
        count = f"{len(result.models)} model{'s' if len(result.models) != 1 else ''}"
        local = " (this computer)" if is_loopback(url) else ""
        self._show_test_result(True, f"Connected{local}: {count} · {elapsed * 1000:.0f} ms{note}")

    def _fill_models(self, models: tuple[str, ...]) -> None:
        current = self.model_box.currentText().strip()
        self.model_box.clear()
        self.model_box.addItems(list(models))
        self.model_box.setEditText(current or (models[0] if models else ""))

    def _show_test_result(self, ok: bool, text: str) -> None:
        self.test_button.setEnabled(True)
        self.test_result.setStyleSheet("" if ok else ERROR_STYLE)
        self.test_result.setText(("✓ " if ok else "✗ ") + text)
        self.connection_checked.emit(ok)

    # -- messages and life cycle -------------------------------------------------

    def _show_error(self, text: str) -> None:
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(text)

    def _show_info(self, text: str) -> None:
        self.message.setStyleSheet("")
        self.message.setText(text)

    def _clear_messages(self) -> None:
        self.message.clear()
        self.test_result.clear()

    def done(self, result: int) -> None:
        """Closing (any way) cancels a connection test still running."""
        if self._task is not None:
            self._task.cancel()
        super().done(result)
