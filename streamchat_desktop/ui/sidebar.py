"""The conversation sidebar: newest first, grouped by day; new, rename, delete with Undo."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from streamchat_desktop.ui.sidebar_roles import ID_ROLE, KIND_ROLE, STREAMING_ROLE, SUBTITLE_ROLE

if TYPE_CHECKING:
    from datetime import date

    from streamchat_desktop.core.models import Conversation

UNDO_SECONDS = 6.0
PULSE_INTERVAL_MS = 80
# "5 min ago" and "Today" go stale in an app left open: they are re-read this often.
TIMES_INTERVAL_MS = 60_000


class ConversationSidebar(QWidget):
    """The list of conversations of the history.

    A delete hides the row at once and shows an Undo bar; ``delete_requested`` is
    emitted only when the bar times out, another delete replaces it, or
    ``commit_pending_delete()`` is called (call it when the window closes).

    Signals:
        conversation_selected(id): the user picked a conversation.
        new_requested(): the user asked for a new conversation.
        rename_requested(id, title): the user renamed a conversation.
        delete_requested(id): a delete the user did not undo.
    """

    conversation_selected = Signal(str)
    new_requested = Signal()
    rename_requested = Signal(str, str)
    delete_requested = Signal(str)

    def __init__(
        self, parent: QWidget | None = None, *, now: Callable[[], float] = time.time
    ) -> None:
        super().__init__(parent)
        self._now = now
        self._conversations: list[Conversation] = []
        self._active_id: str | None = None
        self._streaming: set[str] = set()
        self._pending_delete: str | None = None
        self._populating = False
        self.setObjectName("ConversationSidebar")
        self.setMinimumWidth(200)

        self.new_button = QPushButton("+  New chat", self)
        self.new_button.setToolTip("Start a new conversation (Ctrl+N)")
        self.new_button.setAccessibleName("New chat")
        self.new_button.setMinimumHeight(32)
        self.list = _ConversationList(self)
        self.undo_bar = _UndoBar(self)
        self.undo_bar.hide()
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.setInterval(int(UNDO_SECONDS * 1000))
        self._pulse = QTimer(self)
        self._pulse.setInterval(PULSE_INTERVAL_MS)
        self._times = QTimer(self)
        self._times.setInterval(TIMES_INTERVAL_MS)
        self._listed_day: date | None = None  # the day the sections were worked out for

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 8, 6, 6)
        layout.setSpacing(6)
        layout.addWidget(self.new_button)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.undo_bar)
        self._build_actions()
        self._connect()

    # Public API -------------------------------------------------------------------

    def set_conversations(
        self, conversations: Sequence[Conversation], active_id: str | None
    ) -> None:
        """Show these conversations (newest first) with ``active_id`` selected."""
        self._conversations = sorted(conversations, key=lambda c: c.updated_at, reverse=True)
        self._active_id = active_id
        self._rebuild()

    def upsert(self, conversation: Conversation) -> None:
        """Show a new or changed conversation (title, time, model) in its place."""
        others = [c for c in self._conversations if c.id != conversation.id]
        self.set_conversations([conversation, *others], self._active_id)

    def set_active(self, conversation_id: str | None) -> None:
        self._active_id = conversation_id
        self._select(conversation_id)

    def set_streaming(self, conversation_id: str, streaming: bool) -> None:
        """Show (or stop showing) that a reply is streaming in this conversation."""
        if streaming:
            self._streaming.add(conversation_id)
        else:
            self._streaming.discard(conversation_id)
        item = self._item(conversation_id)
        if item is not None:
            item.setData(STREAMING_ROLE, streaming)
        if self._streaming and not self._pulse.isActive():
            self._pulse.start()
        elif not self._streaming:
            self._pulse.stop()

    def start_rename(self, conversation_id: str) -> None:
        item = self._item(conversation_id)
        if item is not None:
            self.list.setCurrentItem(item)
            self.list.editItem(item)

    def request_delete(self, conversation_id: str) -> None:
        """Hide the conversation and offer Undo; the delete happens when that expires."""
        if self._pending_delete == conversation_id:
            return
        self.commit_pending_delete()
        conversation = next((c for c in self._conversations if c.id == conversation_id), None)
        if conversation is None:
            return
        self._pending_delete = conversation_id
        if conversation_id == self._active_id:
            self._move_away_from(conversation_id)
        self._rebuild()
        self.undo_bar.show_for(conversation.title)
        self._undo_timer.start()

    def undo_delete(self) -> None:
        if self._pending_delete is None:
            return
        self._pending_delete = None
        self._undo_timer.stop()
        self.undo_bar.hide()
        self._rebuild()

    def commit_pending_delete(self) -> None:
        """Carry out a delete waiting for its Undo to expire, now."""
        conversation_id = self._pending_delete
        if conversation_id is None:
            return
        self._pending_delete = None
        self._undo_timer.stop()
        self.undo_bar.hide()
        self._conversations = [c for c in self._conversations if c.id != conversation_id]
        self.delete_requested.emit(conversation_id)

    @property
    def pending_delete(self) -> str | None:
        return self._pending_delete

    def visible_ids(self) -> list[str]:
        """The conversation ids shown, top to bottom."""
        items = (self.list.item(row) for row in range(self.list.count()))
        return [i.data(ID_ROLE) for i in items if i.data(KIND_ROLE) == "conversation"]

    # Building ---------------------------------------------------------------------

    def _build_actions(self) -> None:
        self.rename_action = QAction("Rename", self)
        self.rename_action.setShortcut(QKeySequence(Qt.Key.Key_F2))
        self.delete_action = QAction("Delete", self)
        self.delete_action.setShortcut(QKeySequence.StandardKey.Delete)
        for action in (self.rename_action, self.delete_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.list.addAction(action)

    def _connect(self) -> None:
        self.new_button.clicked.connect(self.new_requested)
        self.list.currentItemChanged.connect(self._on_current_item_changed)
        self.list.itemChanged.connect(self._on_item_changed)
        self.list.customContextMenuRequested.connect(self._on_context_menu_requested)
        self.rename_action.triggered.connect(self._on_rename_triggered)
        self.delete_action.triggered.connect(self._on_delete_triggered)
        self.undo_bar.undo_button.clicked.connect(self.undo_delete)
        self._undo_timer.timeout.connect(self.commit_pending_delete)
        self._pulse.timeout.connect(self.list.rows.update)
        self._times.timeout.connect(self._refresh_times)

    def _rebuild(self) -> None:
        from streamchat_desktop.ui.time_labels import day_group, local_day

        self.list.ensure_painter()
        self._populating = True
        scroll = self.list.verticalScrollBar().value()
        self.list.clear()
        group = None
        today = self._listed_day = local_day(self._now())
        if not self._times.isActive():
            self._times.start()
        for conversation in self._conversations:
            if conversation.id == self._pending_delete:
                continue
            label = day_group(local_day(conversation.updated_at), today)
            if label != group:
                group = label
                header = QListWidgetItem(label)
                header.setData(KIND_ROLE, "header")
                header.setFlags(Qt.ItemFlag.NoItemFlags)
                self.list.addItem(header)
            self.list.addItem(self._row(conversation))
        self._select(self._active_id)
        self.list.verticalScrollBar().setValue(scroll)
        self._populating = False

    def _refresh_times(self) -> None:
        """Keep "5 min ago" and the day sections true while the app stays open."""
        from streamchat_desktop.ui.time_labels import local_day

        if self.list.state() == QAbstractItemView.State.EditingState:
            return  # a rebuild would end the rename; the next tick catches up
        if local_day(self._now()) != self._listed_day:
            self._rebuild()  # past midnight: "Today" is now "Yesterday"
            return
        by_id = {c.id: c for c in self._conversations}
        self._populating = True  # not a rename
        for row in range(self.list.count()):
            item = self.list.item(row)
            conversation = by_id.get(item.data(ID_ROLE))
            if conversation is not None:
                item.setData(SUBTITLE_ROLE, self._subtitle(conversation))
        self._populating = False

    def _row(self, conversation: Conversation) -> QListWidgetItem:
        item = QListWidgetItem(conversation.title)
        item.setData(ID_ROLE, conversation.id)
        item.setData(KIND_ROLE, "conversation")
        item.setData(SUBTITLE_ROLE, self._subtitle(conversation))
        item.setData(STREAMING_ROLE, conversation.id in self._streaming)
        item.setToolTip(conversation.title)
        item.setFlags(
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable
        )
        return item

    def _subtitle(self, conversation: Conversation) -> str:
        from streamchat_desktop.ui.time_labels import relative_time

        parts = [relative_time(conversation.updated_at, self._now())]
        if conversation.model:
            parts.append(conversation.model)
        return " · ".join(parts)

    def _item(self, conversation_id: str | None) -> QListWidgetItem | None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(ID_ROLE) == conversation_id and conversation_id is not None:
                return item
        return None

    def _select(self, conversation_id: str | None) -> None:
        populating, self._populating = self._populating, True
        item = self._item(conversation_id)
        if item is None:
            self.list.setCurrentRow(-1)
        else:
            self.list.setCurrentItem(item)
            self.list.scrollToItem(item)
        self._populating = populating

    def _move_away_from(self, conversation_id: str) -> None:
        ids = self.visible_ids()
        position = ids.index(conversation_id) if conversation_id in ids else -1
        others = [i for i in ids if i != conversation_id]
        if not others:
            self._active_id = None
            self.new_requested.emit()
            return
        target = others[min(max(position, 0), len(others) - 1)]
        self._active_id = target
        self.conversation_selected.emit(target)

    # Slots ------------------------------------------------------------------------

    def _on_current_item_changed(
        self, current: QListWidgetItem | None, _previous: QListWidgetItem | None
    ) -> None:
        if self._populating or current is None:
            return
        conversation_id = current.data(ID_ROLE)
        if conversation_id and conversation_id != self._active_id:
            self._active_id = conversation_id
            self.conversation_selected.emit(conversation_id)

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        if self._populating or item.data(KIND_ROLE) != "conversation":
            return
        conversation_id = item.data(ID_ROLE)
        old = next((c.title for c in self._conversations if c.id == conversation_id), None)
        title = " ".join(item.text().split())
        if not title or title == old:
            self._populating = True
            item.setText(old or "")
            self._populating = False
            return
        self.rename_requested.emit(conversation_id, title)

    def _on_context_menu_requested(self, position: QPoint) -> None:
        item = self.list.itemAt(position)
        if item is None or item.data(KIND_ROLE) != "conversation":
            return
        self.list.setCurrentItem(item)
        menu = QMenu(self)
        menu.addAction(self.rename_action)
        menu.addSeparator()
        menu.addAction(self.delete_action)
        menu.exec(self.list.rows.mapToGlobal(position))

    def _on_rename_triggered(self) -> None:
        item = self.list.currentItem()
        if item is not None and item.data(KIND_ROLE) == "conversation":
            self.list.editItem(item)

    def _on_delete_triggered(self) -> None:
        item = self.list.currentItem()
        if item is not None and item.data(KIND_ROLE) == "conversation":
            self.request_delete(item.data(ID_ROLE))


class _ConversationList(QListWidget):
    """The list itself: no frame, hover highlight, F2 and double-click rename."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMouseTracking(True)
        self.setUniformItemSizes(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setAccessibleName("Conversations")
        # Our own viewport widget, instead of asking for Qt's: wrapping a widget Qt made
        # costs PySide a look at every widget class (≈ 5 ms before the first frame).
        self.rows = QWidget(self)
        self.rows.setAutoFillBackground(False)
        self.setViewport(self.rows)

    def ensure_painter(self) -> None:
        """The row painter, loaded with the first rows (not needed for an empty list)."""
        from streamchat_desktop.ui.sidebar_delegate import ConversationDelegate

        if not isinstance(self.itemDelegate(), ConversationDelegate):
            self.setItemDelegate(ConversationDelegate(self))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Skip section headers when moving with the arrow keys.
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            step = -1 if event.key() == Qt.Key.Key_Up else 1
            row = self.currentRow() + step
            while 0 <= row < self.count():
                if self.item(row).flags() & Qt.ItemFlag.ItemIsSelectable:
                    self.setCurrentRow(row)
                    return
                row += step
            return
        super().keyPressEvent(event)


class _UndoBar(QFrame):
    """“Deleted ‘Title’ · Undo”, shown while a delete can still be taken back."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.undo_button = QPushButton("Undo", self)
        self.undo_button.setToolTip("Bring the conversation back")
        self.undo_button.setAccessibleName("Undo delete")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 4, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.undo_button)

    def show_for(self, title: str) -> None:
        metrics = self.label.fontMetrics()
        shown = metrics.elidedText(title, Qt.TextElideMode.ElideRight, 140)
        self.label.setText(f"Deleted “{shown}”")
        self.show()
