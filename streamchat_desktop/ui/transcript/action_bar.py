"""The small bar of actions floating over the message under the pointer (or the one the
keyboard selected): copy, edit, regenerate, versions, continue, delete."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget


class MessageAction(str, Enum):
    """What a button of the bar (or a key on the selected message) asks for."""

    COPY_MARKDOWN = "copy_markdown"
    COPY_TEXT = "copy_text"
    EDIT = "edit"
    REGENERATE = "regenerate"
    PREVIOUS_VERSION = "previous_version"
    NEXT_VERSION = "next_version"
    CONTINUE = "continue"
    DELETE = "delete"


@dataclass(frozen=True)
class MessageOffer:
    """What the bar offers on one message (decided by who knows the conversation)."""

    message_id: str
    time_text: str
    is_prompt: bool
    version: tuple[int, int] | None = None  # (number, count) when it has siblings
    can_continue: bool = False
    busy: bool = False  # a reply is streaming: nothing that asks again


_BUTTONS: tuple[tuple[MessageAction, str, str], ...] = (
    (MessageAction.COPY_MARKDOWN, "Copy MD", "Copy as Markdown"),
    (MessageAction.COPY_TEXT, "Copy text", "Copy as plain text"),
    (MessageAction.EDIT, "Edit", "Edit this prompt (it becomes a new version)"),
    (MessageAction.REGENERATE, "Regenerate", "Regenerate this answer (a new version)"),
    (MessageAction.PREVIOUS_VERSION, "‹", "Previous version"),
    (MessageAction.NEXT_VERSION, "›", "Next version"),
    (MessageAction.CONTINUE, "Continue", "Continue this cut answer"),
    (MessageAction.DELETE, "Delete", "Delete this message (Undo with Ctrl+Z)"),
)


class MessageActionBar(QFrame):
    """Buttons over one message; it tells which action was asked for on which message.

    Signals:
        action_requested(action, message_id): a button was pressed (``MessageAction``).
    """

    action_requested = Signal(str, str)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("messageActionBar")
        self.setAutoFillBackground(True)
        self.setStyleSheet(
            "#messageActionBar { background: palette(base);"
            " border: 1px solid rgba(128, 128, 128, 110); border-radius: 8px; }"
        )
        self.setAccessibleName("Message actions")
        self.message_id = ""
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(2)
        self.time_label = QLabel(self)
        self.time_label.setAccessibleName("Sent at")
        self.time_label.setEnabled(False)  # drawn dim: information, not a control
        layout.addWidget(self.time_label)
        self.buttons: dict[MessageAction, QToolButton] = {}
        for action, text, tip in _BUTTONS:
            button = QToolButton(self)
            button.setText(text)
            button.setToolTip(tip)
            button.setAccessibleName(tip)
            button.setAutoRaise(True)
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            button.clicked.connect(lambda _=False, a=action: self._on_clicked(a))
            self.buttons[action] = button
            layout.addWidget(button)
            if action is MessageAction.PREVIOUS_VERSION:
                self.version_label = QLabel(self)
                self.version_label.setAccessibleName("Version")
                layout.addWidget(self.version_label)
        self.hide()

    def offer(self, offer: MessageOffer) -> None:
        """Show the actions that apply to ``offer``'s message."""
        self.message_id = offer.message_id
        self.time_label.setText(offer.time_text)
        shown = {
            MessageAction.COPY_MARKDOWN: True,
            MessageAction.COPY_TEXT: True,
            MessageAction.EDIT: offer.is_prompt,
            MessageAction.REGENERATE: not offer.is_prompt,
            MessageAction.PREVIOUS_VERSION: offer.version is not None,
            MessageAction.NEXT_VERSION: offer.version is not None,
            MessageAction.CONTINUE: offer.can_continue,
            MessageAction.DELETE: True,
        }
        for action, button in self.buttons.items():
            button.setVisible(shown[action])
            asks = action in (MessageAction.EDIT, MessageAction.REGENERATE, MessageAction.CONTINUE)
            button.setEnabled(not (offer.busy and (asks or action is MessageAction.DELETE)))
        if offer.version is not None:
            number, count = offer.version
            self.version_label.setText(f"{number}/{count}")
            self.version_label.setAccessibleDescription(f"Version {number} of {count}")
            self.buttons[MessageAction.PREVIOUS_VERSION].setEnabled(number > 1 and not offer.busy)
            self.buttons[MessageAction.NEXT_VERSION].setEnabled(number < count and not offer.busy)
        self.version_label.setVisible(offer.version is not None)
        self.adjustSize()

    def visible_actions(self) -> list[MessageAction]:
        """The actions offered now (for tests and the context menu)."""
        return [a for a, b in self.buttons.items() if not b.isHidden() and b.isEnabled()]

    def _on_clicked(self, action: MessageAction) -> None:
        if self.message_id:
            self.action_requested.emit(action.value, self.message_id)
