"""Per-conversation settings: the system prompt and the sampling temperature."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from streamchat_desktop.core.models import Conversation


class ConversationDialog(QDialog):
    """Edits one conversation's system prompt and temperature (applied to its next reply)."""

    def __init__(self, conversation: Conversation, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Conversation settings — {conversation.title}")
        self.resize(560, 360)
        self.system_prompt = QPlainTextEdit(conversation.system_prompt, self)
        self.system_prompt.setPlaceholderText(
            "e.g. You are a concise assistant. Answer in English."
        )
        self.system_prompt.setAccessibleName("System prompt")
        self.use_temperature = QCheckBox("Set", self)
        self.temperature = QDoubleSpinBox(self)
        self.temperature.setRange(0.0, 2.0)
        self.temperature.setSingleStep(0.1)
        self.temperature.setDecimals(2)
        self.temperature.setAccessibleName("Temperature")
        self.use_temperature.setToolTip("Unset: the server's default")
        self.use_temperature.toggled.connect(self.temperature.setEnabled)
        self.use_temperature.setChecked(conversation.temperature is not None)
        self.temperature.setValue(
            conversation.temperature if conversation.temperature is not None else 1.0
        )
        self.temperature.setEnabled(conversation.temperature is not None)
        row = QHBoxLayout()
        row.addWidget(self.use_temperature)
        row.addWidget(self.temperature, 1)
        form = QFormLayout()
        form.addRow("System prompt", self.system_prompt)
        form.addRow("Temperature", row)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def chosen(self) -> tuple[str, float | None]:
        """The system prompt and temperature (None: the server's default) as edited."""
        temperature = self.temperature.value() if self.use_temperature.isChecked() else None
        return self.system_prompt.toPlainText().strip(), temperature
