"""Keeps the transcript, the sidebar's streaming marks and the status bar in step with
replies as they start and end, and with the conversation on screen.

Separate from the main window because this is the one place that decides what the
transcript must show when a reply begins (only the new prompt, or the whole branch after a
retry or an edit, or nothing for a conversation in the background); the window only routes
the controller's signals here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLabel, QStatusBar

    from streamchat_desktop.controllers.chat_controller import ChatController
    from streamchat_desktop.core.events import ReplyStats
    from streamchat_desktop.core.models import Message
    from streamchat_desktop.core.observers import ReplyStart
    from streamchat_desktop.ui.sidebar import ConversationSidebar
    from streamchat_desktop.ui.transcript.view import TranscriptView

STREAMING_MESSAGE = "Streaming…"


class ReplyDisplay:
    """Shows the controller's replies and conversations in the window's widgets."""

    def __init__(
        self,
        controller: ChatController,
        transcript: TranscriptView,
        sidebar: ConversationSidebar,
        stats_label: QLabel,
        status_bar: QStatusBar,
    ) -> None:
        self._controller = controller
        self._transcript = transcript
        self._sidebar = sidebar
        self._stats = stats_label
        self._status = status_bar

    def on_reply_started(self, start: ReplyStart) -> None:
        conversation_id, message = start.conversation.id, start.message
        self._sidebar.set_streaming(conversation_id, True)
        if conversation_id != self._controller.conversation_id:
            return
        before = list(start.history)  # the branch the reply answers, as the service has it
        shown = self._transcript.message_ids()
        if before and shown == [m.id for m in before[:-1]]:
            self._transcript.append_message(before[-1])  # the prompt just sent: only it renders
        elif shown != [m.id for m in before]:
            self._transcript.set_messages(before)  # a retry, an edit, another conversation
        self._show_live_reply(message)
        self._stats.setText("")
        self._status.showMessage(STREAMING_MESSAGE)

    def _show_live_reply(self, message: Message) -> None:
        """Open the reply's block, with whatever it already holds (continue, switch back)."""
        self._transcript.begin_reply(message)
        if message.reasoning:
            self._transcript.append_reasoning(message.id, message.reasoning)
        if message.content:
            self._transcript.append_text(message.id, message.content)

    def on_reply_ended(self, conversation_id: str, message: Message, stats: ReplyStats) -> None:
        from streamchat_desktop.ui.status_text import reply_summary

        self._sidebar.set_streaming(conversation_id, False)
        if conversation_id != self._controller.conversation_id:
            return
        self._transcript.end_reply(message)
        if self._status.currentMessage() == STREAMING_MESSAGE:
            self._status.clearMessage()  # a notice shown meanwhile stays (its own timeout)
        self._stats.setText(reply_summary(message, stats))

    def show_conversation(self) -> None:
        """Show the current conversation, its reply still streaming if it has one."""
        self._sidebar.set_active(self._controller.conversation_id)
        streaming = self._controller.streaming_reply()
        messages = self._controller.messages()
        if streaming is None:
            self._transcript.set_messages(messages)
            return
        self._transcript.set_messages([m for m in messages if m.id != streaming.id])
        self._show_live_reply(streaming)
