"""The main window: transcript, composer, Send/Stop, model indicator and status bar."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPaintEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStatusBar,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from streamchat_desktop.controllers.chat_controller import ChatController
from streamchat_desktop.core.events import ReplyStats
from streamchat_desktop.core.models import Message
from streamchat_desktop.ui.composer import Composer
from streamchat_desktop.ui.endpoint_picker import EndpointPicker
from streamchat_desktop.ui.status_text import reply_summary
from streamchat_desktop.ui.transcript.view import TranscriptView

APP_TITLE = "StreamChat"


class MainWindow(QMainWindow):
    """One chat window over a ChatController.

    Signals:
        first_painted(): the window's first frame is on screen (start-up timing).
        settings_requested(), companion_requested(): menu intents the app handles.
        close_requested(): the user closed the window.
    """

    first_painted = Signal()
    settings_requested = Signal()
    companion_requested = Signal()

    def __init__(self, controller: ChatController) -> None:
        super().__init__()
        self._controller = controller
        self._painted = False
        self.setWindowTitle(APP_TITLE)
        self.resize(980, 720)

        self.transcript = TranscriptView(self)
        self.composer = Composer(self)
        self.send_button = QPushButton("Send", self)
        self.send_button.setDefault(True)
        self.send_button.setMinimumWidth(80)
        self.endpoint_picker = EndpointPicker(self)
        self.stats_label = QLabel("", self)

        self.side_panel = QWidget(self)  # the sidebar goes here when history is on
        self.side_panel.hide()
        self._build_layout()
        self._build_actions()
        self._connect()

    # Layout --------------------------------------------------------------------------

    def _build_layout(self) -> None:
        chat = QWidget(self)
        column = QVBoxLayout(chat)
        column.setContentsMargins(8, 8, 8, 8)
        column.addWidget(self.transcript, 1)
        row = QHBoxLayout()
        row.addWidget(self.composer, 1)
        row.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        column.addLayout(row)

        self.splitter = QSplitter(self)
        self.splitter.addWidget(self.side_panel)
        self.splitter.addWidget(chat)
        self.splitter.setStretchFactor(1, 1)
        self.setCentralWidget(self.splitter)

        status = QStatusBar(self)
        status.addPermanentWidget(self.stats_label)
        self.setStatusBar(status)

    def _build_actions(self) -> None:
        toolbar = QToolBar("Main", self)
        toolbar.setMovable(False)
        self.addToolBar(toolbar)
        self.new_action = QAction("New chat", self)
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.stop_action = QAction("Stop", self)
        self.stop_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.stop_action.setEnabled(False)
        self.retry_action = QAction("Retry", self)
        self.retry_action.setShortcut(QKeySequence("Ctrl+R"))
        self.settings_action = QAction("Settings…", self)
        self.settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        self.companion_action = QAction("Open companion view", self)
        self.quit_action = QAction("Quit", self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        for action in (self.new_action, self.retry_action, self.stop_action):
            toolbar.addAction(action)
        spacer = QWidget(self)
        spacer.setSizePolicy(
            spacer.sizePolicy().horizontalPolicy().Expanding, spacer.sizePolicy().verticalPolicy()
        )
        toolbar.addWidget(spacer)
        toolbar.addWidget(self.endpoint_picker)
        menu = self.menuBar().addMenu("&File")
        for action in (self.new_action, self.settings_action, self.companion_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.quit_action)
        chat_menu = self.menuBar().addMenu("&Chat")
        for action in (self.retry_action, self.stop_action):
            chat_menu.addAction(action)

    def _connect(self) -> None:
        c = self._controller
        self.composer.send_requested.connect(self._on_send_requested)
        self.send_button.clicked.connect(self._on_send_button_clicked)
        self.new_action.triggered.connect(self._on_new_triggered)
        self.stop_action.triggered.connect(c.stop)
        self.retry_action.triggered.connect(self._on_retry_requested)
        self.settings_action.triggered.connect(self.settings_requested)
        self.companion_action.triggered.connect(self.companion_requested)
        self.quit_action.triggered.connect(self.close)
        self.transcript.retry_requested.connect(self._on_retry_requested)
        c.reply_started.connect(self._on_reply_started)
        c.text_received.connect(self.transcript.append_text)
        c.reasoning_received.connect(self.transcript.append_reasoning)
        c.reply_ended.connect(self._on_reply_ended)
        c.conversation_changed.connect(self._on_conversation_changed)
        c.streaming_changed.connect(self._on_streaming_changed)

    # Slots ---------------------------------------------------------------------------

    def _on_send_requested(self, text: str) -> None:
        if self._controller.streaming_reply() is not None:
            self.statusBar().showMessage("Wait for the answer or press Stop (Esc)", 4000)
            return
        self.composer.clear()
        self._controller.send(text)

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

    def _on_reply_started(self, conversation_id: str, message: Message) -> None:
        if conversation_id != self._controller.conversation_id:
            return
        self.transcript.set_messages(self._controller.messages()[:-1])
        self.transcript.begin_reply(message)
        self.stats_label.setText("")
        self.statusBar().showMessage("Streaming…")

    def _on_reply_ended(
        self, conversation_id: str, message: Message | None, stats: ReplyStats
    ) -> None:
        if conversation_id != self._controller.conversation_id or message is None:
            return
        self.transcript.end_reply(message)
        self.statusBar().clearMessage()
        self.stats_label.setText(reply_summary(message, stats))

    def _on_conversation_changed(self, _conversation_id: str) -> None:
        conversation = self._controller.conversation()
        title = conversation.title if conversation else ""
        self.setWindowTitle(f"{title} — {APP_TITLE}" if title else APP_TITLE)
        streaming = self._controller.streaming_reply()
        messages = self._controller.messages()
        if streaming is None:
            self.transcript.set_messages(messages)
            return
        self.transcript.set_messages([m for m in messages if m.id != streaming.id])
        self.transcript.begin_reply(streaming)
        if streaming.reasoning:
            self.transcript.append_reasoning(streaming.id, streaming.reasoning)
        if streaming.content:
            self.transcript.append_text(streaming.id, streaming.content)

    def _on_streaming_changed(self, streaming: bool) -> None:
        self.send_button.setText("Stop" if streaming else "Send")
        self.send_button.setToolTip("Stop the answer (Esc)" if streaming else "Send (Enter)")
        self.stop_action.setEnabled(streaming)
        self.retry_action.setEnabled(not streaming)

    def show_notice(self, text: str) -> None:
        """Something the user must know that is not about one reply (a recovered file…)."""
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

    def closeEvent(self, event: QCloseEvent) -> None:
        self._controller.stop()
        super().closeEvent(event)
