"""The main window: transcript, composer, Send/Stop, model indicator and status bar.

The window is built before the services behind it (so its first frame is not held back
by the event loop, the database or the keychain) and bound to its controller by
``bind``; until then it shows its empty state and sends nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QPaintEvent,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QStatusBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from streamchat_desktop.ui.attachment_tray import AttachmentTray
from streamchat_desktop.ui.composer import Composer
from streamchat_desktop.ui.endpoint_picker import EndpointPicker
from streamchat_desktop.ui.history_panel import HistoryPanel
from streamchat_desktop.ui.live_aids import LiveAids
from streamchat_desktop.ui.prompt_size import PromptSizeHint
from streamchat_desktop.ui.reply_display import ReplyDisplay
from streamchat_desktop.ui.text_zoom import TextZoom
from streamchat_desktop.ui.transcript.view import TranscriptView
from streamchat_desktop.ui.window_menus import WindowMenus

if TYPE_CHECKING:
    from streamchat_desktop.controllers.chat_controller import ChatController
    from streamchat_desktop.controllers.exchange import ConversationExchange
    from streamchat_desktop.core.models import Conversation, Message
    from streamchat_desktop.ui.attachment_actions import AttachmentActions
    from streamchat_desktop.ui.file_actions import FileActions
    from streamchat_desktop.ui.search_model import SearchFunction

APP_TITLE = "StreamChat"


class MainWindow(QMainWindow):
    """One chat window over a ChatController (given here, or later to ``bind``).

    Signals:
        first_painted(): the window's first frame is on screen (start-up timing).
        settings_requested(), companion_requested(): menu intents the app handles.
        close_requested(): the user closed the window.
    """

    first_painted = Signal()
    settings_requested = Signal()
    companion_requested = Signal()
    copy_companion_url_requested = Signal()
    theme_chosen = Signal(str)
    text_zoom_changed = Signal(int)

    def __init__(
        self,
        controller: ChatController | None = None,
        search: SearchFunction | None = None,
        exchange: ConversationExchange | None = None,
    ) -> None:
        super().__init__()
        self._bound: ChatController | None = None
        self.file_actions: FileActions | None = None
        self._painted = False
        self._editing: str | None = None  # the prompt being edited, if any
        self.setWindowTitle(APP_TITLE)
        self.resize(980, 720)

        self.transcript = TranscriptView(self)
        self.transcript.setAccessibleName("Conversation")
        self.transcript.setToolTip("The conversation; select text to copy it")
        self.composer = Composer(self)
        self.composer.setToolTip("Type a prompt: Enter sends, Shift+Enter adds a line")
        self.live = LiveAids(self.transcript, self)
        self.prompt_size = PromptSizeHint(self.composer, self)
        self.zoom = TextZoom([self.transcript, self.composer], self)
        self.zoom.zoom_changed.connect(self.text_zoom_changed)
        self.tray = AttachmentTray(self)
        self.attach_button = QToolButton(self)
        self.attach_button.setText("Attach…")  # no emoji: not every desktop has the font
        self.attach_button.setAccessibleName("Attach files")
        self.attach_button.setToolTip(
            "Attach images, PDFs or text files (or drop them here, or paste)"
        )
        self.attachments: AttachmentActions | None = None
        self.setAcceptDrops(True)
        self.send_button = QPushButton("Send", self)
        self.send_button.setDefault(True)
        self.send_button.setMinimumWidth(80)
        self.send_button.setAccessibleName("Send")
        self.send_button.setToolTip("Send (Enter)")
        self.endpoint_picker = EndpointPicker(self)
        self.stats_label = QLabel("", self)

        self.history = HistoryPanel(None, self)
        self._build_layout()
        self.menus = WindowMenus(self, self.endpoint_picker, self.zoom)
        self.menus.theme_chosen.connect(self.theme_chosen)
        from streamchat_desktop.ui.accessibility import name_controls

        name_controls(self)
        if controller is not None:
            self.bind(controller, search or (lambda _query: []), exchange)

    @property
    def _controller(self) -> ChatController:
        assert self._bound is not None, "MainWindow.bind() was not called"
        return self._bound

    def bind(
        self,
        controller: ChatController,
        search: SearchFunction,
        exchange: ConversationExchange | None = None,
    ) -> None:
        """Connect the window to the chat it shows; call once."""
        assert self._bound is None, "MainWindow is already bound"
        self._bound = controller
        self.history.search.set_search_function(search)
        if exchange is not None:
            from streamchat_desktop.ui.file_actions import FileActions

            self.file_actions = FileActions(
                self, controller, exchange, self.menus.file_menu, before=self.menus.file_menu_tail
            )
            exchange.conversations_imported.connect(self._on_conversations_imported)
        self._connect()
        from streamchat_desktop.ui.accessibility import name_controls

        name_controls(self)  # again: binding may have added controls

    # Layout --------------------------------------------------------------------------

    def _build_layout(self) -> None:
        chat = QWidget(self)
        column = QVBoxLayout(chat)
        column.setContentsMargins(8, 8, 8, 8)
        column.addWidget(self.transcript, 1)
        column.addWidget(self.live.typing)
        column.addWidget(self.tray)
        row = QHBoxLayout()
        row.addWidget(self.attach_button, 0, Qt.AlignmentFlag.AlignBottom)
        row.addWidget(self.composer, 1)
        row.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        column.addLayout(row)
        column.addWidget(self.prompt_size)
        # the keyboard goes from the prompt to Send first, then to the other controls
        QWidget.setTabOrder(self.composer, self.send_button)
        QWidget.setTabOrder(self.send_button, self.attach_button)

        self.splitter = QSplitter(self)
        self.splitter.addWidget(self.history)
        self.splitter.addWidget(chat)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([260, 720])
        self.setCentralWidget(self.splitter)

        status = QStatusBar(self)
        status.addPermanentWidget(self.stats_label)
        self.companion_label = QLabel(self)
        self.companion_label.setOpenExternalLinks(True)
        self.companion_label.hide()
        status.addPermanentWidget(self.companion_label)
        self.setStatusBar(status)

    def _connect(self) -> None:
        c = self._controller
        from streamchat_desktop.ui.attachment_actions import AttachmentActions

        files = AttachmentActions(self, c, self.tray, self.endpoint_picker, self.show_notice)
        self.attachments = files
        self.attach_button.clicked.connect(files.choose_files)
        self.composer.files_offered.connect(files.take_mime)
        self.composer.has_files = lambda: bool(self.tray.contents() or files.preparing)
        self.transcript.set_thumbnail_source(files.thumbnail)
        self.transcript.attachment_activated.connect(files.open)
        self.transcript.model_change_requested.connect(files.choose_other_model)
        from streamchat_desktop.ui.message_actions import MessageActions

        self.message_actions = MessageActions(
            self, c, self.transcript, self.statusBar(), self.edit_prompt, composer=self.composer
        )
        self.display = ReplyDisplay(
            c, self.transcript, self.history.sidebar, self.stats_label, self.statusBar()
        )
        self.composer.send_requested.connect(self._on_send_requested)
        self.live.attach(c, self._on_example_chosen)
        self.endpoint_picker.models.currentTextChanged.connect(self._show_model)
        self.send_button.clicked.connect(self._on_send_button_clicked)
        self.menus.new_action.triggered.connect(self._on_new_triggered)
        self.menus.stop_action.triggered.connect(c.stop)
        self.menus.retry_action.triggered.connect(self._on_retry_requested)
        self.menus.settings_action.triggered.connect(self.settings_requested)
        self.menus.companion_action.triggered.connect(self.companion_requested)
        self.menus.copy_companion_action.triggered.connect(self.copy_companion_url_requested)
        self.menus.quit_action.triggered.connect(self.close)
        self.transcript.retry_requested.connect(self._on_retry_requested)
        self.transcript.continue_requested.connect(c.continue_reply)
        self.menus.regenerate_action.triggered.connect(c.regenerate)
        self.menus.edit_action.triggered.connect(self._on_edit_triggered)
        self.menus.previous_version_action.triggered.connect(lambda: self._step_version(-1))
        self.menus.next_version_action.triggered.connect(lambda: self._step_version(1))
        self.menus.search_action.triggered.connect(self.history.search.focus_query)
        self.menus.copy_answer_action.triggered.connect(self._on_copy_answer_triggered)
        self.menus.conversation_settings_action.triggered.connect(self._on_conversation_settings)
        sidebar = self.history.sidebar
        sidebar.conversation_selected.connect(c.open_conversation)
        sidebar.new_requested.connect(self._on_new_triggered)
        sidebar.rename_requested.connect(c.rename_conversation)
        sidebar.delete_requested.connect(c.delete_conversation)
        self.history.search.hit_activated.connect(self._on_hit_activated)
        c.conversations_changed.connect(self._refresh_conversation_list)
        c.conversation_updated.connect(self._on_conversation_updated)
        c.problem_reported.connect(self.show_notice)
        c.retry_scheduled.connect(
            lambda seconds: self.statusBar().showMessage(
                f"Rate limited: retrying in {seconds:.0f} s…", int(seconds * 1000)
            )
        )
        c.reply_started.connect(self.display.on_reply_started)
        c.text_received.connect(self.transcript.append_text)
        c.reasoning_received.connect(self.transcript.append_reasoning)
        c.reply_ended.connect(self.display.on_reply_ended)
        c.conversation_changed.connect(self._on_conversation_changed)
        c.streaming_changed.connect(self._on_streaming_changed)

    # Slots ---------------------------------------------------------------------------

    def _on_send_requested(self, text: str) -> None:
        if self._controller.streaming_reply() is not None:
            self.statusBar().showMessage("Wait for the answer or press Stop (Esc)", 4000)
            return
        if self.attachments is not None and self.attachments.preparing:
            self.statusBar().showMessage("Files are still being read; send again in a moment", 4000)
            return
        editing, self._editing = self._editing, None
        if editing is not None:
            sent = self._controller.edit_and_resend(editing, text)
        else:
            sent = self._controller.send(text, self.tray.contents())
        if sent:  # otherwise the prompt and its files stay: nothing typed is lost
            self.composer.clear()
            self.tray.clear()

    def _on_example_chosen(self, text: str) -> None:
        """An example prompt from the welcome goes as it is; a draft in the box stays."""
        if self._controller.streaming_reply() is not None:
            return
        if self._controller.send(text, self.tray.contents()):
            self.tray.clear()

    def _show_model(self, *_args: object) -> None:
        conversation = self._controller.conversation() if self._bound else None
        named = conversation.model if conversation is not None else None
        self.live.set_model(named or self.endpoint_picker.model())

    def _on_edit_triggered(self) -> None:
        """Put the last prompt back in the box; sending it replaces the old one, whose
        answers stay reachable as an earlier version."""
        prompt = self._controller.last_prompt()
        if prompt is not None:
            self.edit_prompt(prompt)

    def edit_prompt(self, prompt: Message) -> None:
        """Put any prompt back in the box; sending it makes a new version of it."""
        if self._controller.streaming_reply() is not None:
            return
        self._editing = prompt.id
        self.composer.setPlainText(prompt.content)
        self.composer.setFocus()
        files = len(prompt.attachments)
        with_files = f" with its {files} file{'s' if files != 1 else ''}" if files else ""
        self.statusBar().showMessage(
            f"Editing a prompt — Enter resends it as a new version{with_files}", 6000
        )

    def _on_copy_answer_triggered(self) -> None:
        answer = self._controller.last_answer()
        if answer is not None:
            QGuiApplication.clipboard().setText(answer.content)
            self.statusBar().showMessage("Answer copied as Markdown", 3000)

    def _on_conversation_settings(self) -> None:
        conversation = self._controller.conversation()
        if conversation is None:
            return
        from streamchat_desktop.ui.conversation_dialog import ConversationDialog  # first use

        dialog = ConversationDialog(conversation, self)
        dialog.accepted.connect(lambda: self._controller.set_generation(*dialog.chosen()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _step_version(self, step: int) -> None:
        shown = self._controller.step_version(step)
        self.statusBar().showMessage(shown or "No earlier versions in this conversation", 4000)

    def _on_hit_activated(self, conversation_id: str, message_id: str) -> None:
        self._controller.reveal_message(conversation_id, message_id)
        self.transcript.scroll_to_message(message_id)

    def _on_conversations_imported(self, _summary: str) -> None:
        """Conversations arrived behind the controller's back: list and show them again."""
        self._refresh_conversation_list()
        if self._controller.conversation_id is not None:
            self._on_conversation_changed(self._controller.conversation_id)

    def _refresh_conversation_list(self) -> None:
        self.history.sidebar.set_conversations(
            self._controller.conversations(), self._controller.conversation_id
        )

    def _on_send_button_clicked(self) -> None:
        if self._controller.streaming_reply() is not None:
            self._controller.stop()
        else:
            self.composer.request_send()

    def _on_new_triggered(self) -> None:
        self._controller.new_conversation()
        self.composer.setFocus()

    def _on_retry_requested(self, _message_id: str = "") -> None:
        self._controller.retry()

    def _on_conversation_updated(self, conversation: Conversation) -> None:
        self.history.sidebar.upsert(conversation)
        if conversation.id == self._controller.conversation_id:
            self._show_title(conversation)

    def _show_title(self, conversation: Conversation | None) -> None:
        title = conversation.title if conversation else ""
        self.setWindowTitle(f"{title} — {APP_TITLE}" if title else APP_TITLE)

    def _on_conversation_changed(self, _conversation_id: str) -> None:
        self._show_title(self._controller.conversation())
        self._show_model()
        self._editing = None
        self.display.show_conversation()

    def _on_streaming_changed(self, streaming: bool) -> None:
        self.send_button.setText("Stop" if streaming else "Send")
        self.send_button.setToolTip("Stop the answer (Esc)" if streaming else "Send (Enter)")
        self.menus.stop_action.setEnabled(streaming)
        self.menus.retry_action.setEnabled(not streaming)

    def set_companion_url(self, url: str) -> None:
        """The companion endpoint is up: offer to copy its URL, and show where it is."""
        self.menus.copy_companion_action.setEnabled(True)
        self.companion_label.setText(f'<a href="{url}">Companion view</a>')
        self.companion_label.setToolTip(url)
        self.companion_label.show()

    def show_notice(self, text: str) -> None:
        """Something the user must know that is not about one reply (a recovered file…)."""
        from PySide6.QtWidgets import QMessageBox  # loaded on first use, not at start

        box = QMessageBox(QMessageBox.Icon.Warning, APP_TITLE, text, parent=self)
        box.setModal(False)
        box.finished.connect(box.deleteLater)
        box.show()

    # Events --------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self.first_painted.emit)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Files dragged anywhere onto the window go with the next prompt."""
        mime = event.mimeData()
        if self.attachments is not None and (mime.hasUrls() or mime.hasImage()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        if self.attachments is not None:
            self.attachments.take_mime(event.mimeData())
            event.acceptProposedAction()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.history.sidebar.commit_pending_delete()
        if self.attachments is not None:
            self.attachments.discard_opened_files()
        super().closeEvent(event)
