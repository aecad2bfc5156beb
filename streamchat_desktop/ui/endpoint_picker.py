"""Provider and model in the toolbar: switch both in one step, type any model name."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

IMAGES_TIP = "Takes images (the server says so)"
AD_HOC = ""  # the endpoint named on the command line / in the environment, no provider id


class EndpointPicker(QWidget):
    """Signals:
    target_chosen(provider_id, model): the user picked a provider and/or typed a model.
    models_wanted(provider_id): the model list of that provider should be fetched.
    """

    target_chosen = Signal(str, str)
    models_wanted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.providers = QComboBox(self)
        self.providers.setAccessibleName("Provider")
        self.providers.setToolTip("Where the next answer comes from")
        self.providers.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.models = QComboBox(self)
        self.models.setEditable(True)
        self.models.setMinimumContentsLength(18)
        self.models.setAccessibleName("Model")
        self.models.setToolTip("Pick a model the server lists, or type any name")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Provider", self))
        layout.addWidget(self.providers)
        layout.addWidget(QLabel("Model", self))
        layout.addWidget(self.models)
        self.providers.activated.connect(self._on_provider_activated)
        self.models.activated.connect(self._emit_choice)
        line = self.models.lineEdit()
        if line is not None:
            line.editingFinished.connect(self._emit_choice)
        self._last: tuple[str, str] | None = None

    def set_choices(
        self, providers: Sequence[tuple[str, str]], provider_id: str, model: str
    ) -> None:
        """``providers``: (id, label) pairs; ``AD_HOC`` for a command-line endpoint."""
        self.providers.blockSignals(True)
        self.providers.clear()
        for pid, label in providers:
            self.providers.addItem(label, pid)
        index = self.providers.findData(provider_id)
        self.providers.setCurrentIndex(max(index, 0))
        self.providers.blockSignals(False)
        self.models.setEditText(model)
        self._last = (self.provider_id(), model)

    def set_models(
        self, provider_id: str, models: Sequence[str], image_models: Collection[str] = ()
    ) -> None:
        """The server's models; those it says take images are marked (bold, a tooltip)."""
        if provider_id != self.provider_id():
            return  # the user moved on to another provider meanwhile
        current = self.models.currentText()
        self.models.blockSignals(True)
        self.models.clear()
        self.models.addItems(list(models))
        marked = QFont(self.models.font())
        marked.setBold(True)
        for index, model in enumerate(models):
            if model in image_models:
                self.models.setItemData(index, IMAGES_TIP, Qt.ItemDataRole.ToolTipRole)
                self.models.setItemData(index, marked, Qt.ItemDataRole.FontRole)
        self.models.setEditText(current)
        self.models.blockSignals(False)

    def provider_id(self) -> str:
        data = self.providers.currentData()
        return data if isinstance(data, str) else AD_HOC

    def model(self) -> str:
        return self.models.currentText().strip()

    def _on_provider_activated(self, _index: int) -> None:
        self.models.clear()
        self.models.setEditText("")
        self.models_wanted.emit(self.provider_id())
        self._emit_choice()

    def _emit_choice(self, *_args: object) -> None:
        choice = (self.provider_id(), self.model())
        if choice != self._last:
            self._last = choice
            self.target_chosen.emit(*choice)
