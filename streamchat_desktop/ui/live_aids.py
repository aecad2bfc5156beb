"""Reading aids around the transcript: the welcome of a new chat, "Assistant is typing…"
until the first token, "Jump to latest ↓" while scrolled up in a stream, and one
screen-reader announcement when a reply ends (never one per delta)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import QLabel, QWidget

from streamchat_desktop.ui.jump_to_latest import JumpToLatest
from streamchat_desktop.ui.welcome import WelcomePanel

if TYPE_CHECKING:
    from streamchat_desktop.controllers.chat_controller import ChatController
    from streamchat_desktop.core.events import ReplyStats
    from streamchat_desktop.core.models import Message
    from streamchat_desktop.core.observers import ReplyStart
    from streamchat_desktop.ui.transcript.view import TranscriptView

TYPING_TEXT = "Assistant is typing…"
ENDINGS = {
    "complete": "Answer finished",
    "stopped": "Answer stopped",
    "failed": "Answer failed",
    "interrupted": "Answer interrupted",
}


class LiveAids(QObject):
    """Signals:
    announced(str): told to screen readers that a reply ended (once per reply).
    """

    announced = Signal(str)

    def __init__(self, transcript: TranscriptView, parent: QWidget) -> None:
        super().__init__(parent)
        self._transcript = transcript
        self.welcome = WelcomePanel(transcript)
        self.jump = JumpToLatest(transcript)
        self.typing = QLabel(TYPING_TEXT, parent)
        self.typing.setAccessibleName("Typing indicator")
        self.typing.setEnabled(False)  # drawn in the palette's quieter colour
        self.typing.hide()
        self._waiting_for: str | None = None  # the reply whose first token is awaited
        self._controller: ChatController | None = None

    def attach(self, controller: ChatController, send: Callable[[str], None]) -> None:
        """Follow ``controller``; an example prompt clicked on the welcome goes to ``send``."""
        self._controller = controller
        self.welcome.prompt_chosen.connect(send)
        controller.reply_started.connect(self._on_reply_started)
        controller.text_received.connect(self._on_token_received)
        controller.reasoning_received.connect(self._on_token_received)
        controller.reply_ended.connect(self._on_reply_ended)
        controller.conversation_changed.connect(self._on_conversation_changed)
        controller.streaming_changed.connect(self.jump.set_streaming)
        self._on_conversation_changed("")

    def set_model(self, model: str) -> None:
        self.welcome.set_model(model)

    def _current(self, conversation_id: str) -> bool:
        return self._controller is not None and conversation_id == self._controller.conversation_id

    def _on_reply_started(self, start: ReplyStart) -> None:
        if self._current(start.conversation.id):
            self.welcome.hide()
            self._waiting_for = start.message.id
            self.typing.show()

    def _on_token_received(self, message_id: str, _text: str) -> None:
        if message_id == self._waiting_for:
            self._waiting_for = None
            self.typing.hide()

    def _on_reply_ended(self, conversation_id: str, message: Message, _stats: ReplyStats) -> None:
        if message.id == self._waiting_for:
            self._waiting_for = None
            self.typing.hide()
        if self._current(conversation_id):
            self._announce(message)

    def _on_conversation_changed(self, _conversation_id: str) -> None:
        assert self._controller is not None
        self.welcome.setVisible(not self._controller.messages())
        streaming = self._controller.streaming_reply()
        waiting = streaming is not None and not (streaming.content or streaming.reasoning)
        self._waiting_for = streaming.id if waiting and streaming is not None else None
        self.typing.setVisible(waiting)

    def _announce(self, message: Message) -> None:
        """One announcement per reply; a reader then finds the text in the transcript."""
        text = ENDINGS.get(message.state.value, "Answer ended")
        if message.error_message:
            text = f"{text}: {message.error_message}"
        self._transcript.setAccessibleDescription(text)
        QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(self._transcript, text))
        self.announced.emit(text)
