"""The actions on one message, in the window: the hover bar's buttons, the transcript's
context menu and the keys that act on the selected message (Alt+Up / Alt+Down select).

Each action goes to the ChatController (regenerate any answer, edit any prompt, versions,
continue, delete with Undo); every change comes back as ``branch_changed`` and the
transcript shows the branch again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QKeySequence, QTextDocument
from PySide6.QtWidgets import QApplication, QPlainTextEdit, QPushButton, QStatusBar, QWidget

from streamchat_desktop.core.models import Message, Role
from streamchat_desktop.ui.transcript.action_bar import MessageAction, MessageOffer

if TYPE_CHECKING:
    from streamchat_desktop.controllers.chat_controller import ChatController
    from streamchat_desktop.core.branch import Branch, DeletedMessage
    from streamchat_desktop.ui.transcript.view import TranscriptView

UNDO_SHOWN_MS = 8000
_KEYS: tuple[tuple[str, str, MessageAction | int], ...] = (
    ("Select previous message", "Alt+Up", -1),
    ("Select next message", "Alt+Down", 1),
    ("Copy message as Markdown", "Ctrl+Alt+C", MessageAction.COPY_MARKDOWN),
    ("Copy message as plain text", "Ctrl+Alt+T", MessageAction.COPY_TEXT),
    ("Edit selected prompt", "Ctrl+Alt+E", MessageAction.EDIT),
    ("Regenerate selected answer", "Ctrl+Alt+R", MessageAction.REGENERATE),
    ("Previous version of message", "Alt+Left", MessageAction.PREVIOUS_VERSION),
    ("Next version of message", "Alt+Right", MessageAction.NEXT_VERSION),
    ("Continue selected answer", "Ctrl+Alt+Return", MessageAction.CONTINUE),
    ("Delete selected message", "Alt+Delete", MessageAction.DELETE),
)


def plain_text(markdown: str) -> str:
    """What Markdown reads as, without its marks (Qt's own Markdown reader)."""
    document = QTextDocument()
    document.setMarkdown(markdown)
    return document.toPlainText()


class MessageActions(QObject):
    """Carries out the message actions of one window."""

    def __init__(
        self,
        window: QWidget,
        controller: ChatController,
        transcript: TranscriptView,
        status: QStatusBar,
        edit_prompt: Callable[[Message], None],
        *,
        composer: QPlainTextEdit,
    ) -> None:
        super().__init__(window)
        self._controller = controller
        self._transcript = transcript
        self._status = status
        self._edit_prompt = edit_prompt
        self._undo_button: QPushButton | None = None
        self._undo_text = ""
        transcript.describe = self.describe
        transcript.message_action_requested.connect(self._on_message_action_requested)
        controller.branch_changed.connect(self._on_branch_changed)
        controller.message_deleted.connect(self._on_message_deleted)
        controller.message_restored.connect(self._on_message_restored)
        controller.conversation_changed.connect(self._on_conversation_changed)
        controller.reply_ended.connect(lambda *_: transcript.refresh_actions())
        self.actions: list[QAction] = []
        for text, keys, what in _KEYS:
            action = QAction(text, window)
            action.setShortcut(QKeySequence(keys))
            action.triggered.connect(lambda _=False, w=what: self._on_key(w))
            window.addAction(action)
            self.actions.append(action)
        self.undo_action = QAction("Undo delete", window)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.triggered.connect(self._on_undo_triggered)
        self.undo_action.setEnabled(False)  # only while the Undo toast shows
        window.addAction(self.undo_action)
        composer.installEventFilter(self)  # Ctrl+Z there: see eventFilter

    # What a message offers -----------------------------------------------------------

    def _message(self, message_id: str) -> Message | None:
        """From the branch the controller keeps (no store read per hover)."""
        messages = self._controller.edits.branch().messages
        return next((m for m in messages if m.id == message_id), None)

    def describe(self, message_id: str) -> MessageOffer | None:
        from streamchat_desktop.ui.transcript.messages import message_time

        message = self._message(message_id)
        if message is None:
            return None
        streaming = self._controller.streaming_reply()
        return MessageOffer(
            message_id=message.id,
            time_text=message_time(message.created_at),
            is_prompt=message.role is Role.USER,
            version=self._controller.edits.branch().position(message.id),
            can_continue=streaming is None and self._controller.edits.can_continue(message),
            busy=streaming is not None,
        )

    # Doing it ------------------------------------------------------------------------

    def _on_key(self, what: MessageAction | int) -> None:
        if isinstance(what, int):
            self._transcript.select_step(what)
            self._transcript.setFocus()
            return
        target = self._key_target()
        if target is None:
            self._status.showMessage("Select a message first (Alt+Up)", 4000)
            return
        self._on_message_action_requested(what.value, target)

    def _key_target(self) -> str | None:
        """The selected message; the one under the pointer only while the keyboard is in
        the transcript (keys typed in the composer never act on where the pointer rests)."""
        view = self._transcript
        focus = QApplication.focusWidget()
        if focus is not None and (focus is view or view.isAncestorOf(focus)):
            return view.target_message()
        return view.selected_message()

    def _on_message_action_requested(self, action: str, message_id: str) -> None:
        message = self._message(message_id)
        if message is None:
            return
        kind = MessageAction(action)
        c = self._controller
        if kind in (MessageAction.COPY_MARKDOWN, MessageAction.COPY_TEXT):
            self._copy(message, markdown=kind is MessageAction.COPY_MARKDOWN)
        elif kind is MessageAction.EDIT and message.role is Role.USER:
            self._edit_prompt(message)
        elif kind is MessageAction.REGENERATE and message.role is Role.ASSISTANT:
            c.edits.regenerate_answer(message_id)
        elif kind in (MessageAction.PREVIOUS_VERSION, MessageAction.NEXT_VERSION):
            step = -1 if kind is MessageAction.PREVIOUS_VERSION else 1
            shown = c.edits.step_version_of(message_id, step)
            self._status.showMessage(shown or "No other version that way", 4000)
        elif kind is MessageAction.CONTINUE and c.edits.can_continue(message):
            c.continue_reply(message_id)
        elif kind is MessageAction.DELETE:
            c.edits.delete_message(message_id)

    def _copy(self, message: Message, *, markdown: bool) -> None:
        text = message.content
        if message.role is Role.ASSISTANT:
            text = self._transcript.reply_text(message.id) or text
            if not markdown:
                text = plain_text(text)
        QGuiApplication.clipboard().setText(text)
        self._status.showMessage("Copied as Markdown" if markdown else "Copied as plain text", 3000)

    # What came back ------------------------------------------------------------------

    def _on_branch_changed(self, branch: Branch) -> None:
        c = self._controller
        if branch.conversation_id != c.conversation_id:
            return
        if c.streaming_reply() is None:
            messages = list(branch.messages)
            if self._transcript.message_ids() != [m.id for m in messages]:
                self._transcript.set_messages(messages)
        self._transcript.refresh_actions()

    def _on_message_deleted(self, deleted: DeletedMessage) -> None:
        self._remove_toast()
        button = QPushButton("Undo", self._status)
        button.setAccessibleName("Undo delete")
        button.setToolTip("Bring the deleted message back (Ctrl+Z)")
        button.clicked.connect(self._on_undo_triggered)
        self._status.insertPermanentWidget(0, button)  # a normal one hides under the message
        self._undo_button = button
        noun = "Prompt" if deleted.role is Role.USER else "Message"
        self._undo_text = f"{noun} deleted — Undo (Ctrl+Z)"
        self._status.showMessage(self._undo_text, UNDO_SHOWN_MS)
        self.undo_action.setEnabled(True)
        QTimer.singleShot(UNDO_SHOWN_MS, button, lambda: self._on_undo_expired(button))

    def _on_undo_expired(self, button: QPushButton) -> None:
        if button is self._undo_button:  # not a toast a newer delete replaced
            self._end_undo()

    def _on_conversation_changed(self, _conversation_id: str) -> None:
        if self._undo_button is not None and self._controller.edits.pending_undo() is None:
            self._end_undo()  # the deleted message is out of sight now

    def _on_undo_triggered(self) -> None:
        if self._controller.edits.undo_delete():
            self._end_undo()

    def _on_message_restored(self, _deleted: DeletedMessage) -> None:
        self._status.showMessage("Message restored", 3000)

    def _end_undo(self) -> None:
        """The toast goes, and with it the Undo: a later Ctrl+Z restores nothing."""
        self._remove_toast()
        self._controller.edits.forget_undo()
        self.undo_action.setEnabled(False)
        if self._status.currentMessage() == self._undo_text:
            self._status.clearMessage()

    def _remove_toast(self) -> None:
        button, self._undo_button = self._undo_button, None
        if button is not None:
            self._status.removeWidget(button)
            button.deleteLater()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Ctrl+Z in the composer reaches Undo delete while the toast shows, unless the
        composer has typing of its own to undo (its text box would take the key)."""
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and isinstance(watched, QPlainTextEdit)
            and self.undo_action.isEnabled()
            and event.matches(QKeySequence.StandardKey.Undo)
            and not watched.document().isUndoAvailable()
        ):
            event.ignore()  # not the composer's: the window's shortcut runs
            return True
        return super().eventFilter(watched, event)
