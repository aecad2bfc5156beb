"""Search across every conversation: a query box and ranked hits with highlighted matches."""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from streamchat_desktop.ui.app_theme import mix
from streamchat_desktop.ui.search_model import HIT_ROLE, HTML_ROLE, SearchFunction, SearchResult

log = logging.getLogger(__name__)

DEBOUNCE_MS = 150


class SearchPanel(QWidget):
    """Type to search; click a hit (or Enter) to open its conversation at that message.

    Signals:
        hit_activated(conversation_id, message_id): the user chose a hit.
        dismissed(): Escape on an empty query (the window may hide the panel).
    """

    hit_activated = Signal(str, str)
    dismissed = Signal()

    def __init__(self, search: SearchFunction | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._search = search  # None until the store is open: a query waits for it
        self._hits: list[SearchResult] = []
        self.query_box = QLineEdit(self)
        self.query_box.setPlaceholderText("Search all conversations")
        self.query_box.setClearButtonEnabled(True)
        self.query_box.setToolTip("Find words in every conversation (Ctrl+F)")
        self.query_box.setAccessibleName("Search conversations")
        self.status = QLabel("", self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setContentsMargins(4, 0, 4, 0)
        self.results = QListWidget(self)
        self.results.setFrameShape(QFrame.Shape.NoFrame)
        self.results.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setMouseTracking(True)
        self.results.setAccessibleName("Search results")
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 8, 6, 6)
        layout.setSpacing(6)
        layout.addWidget(self.query_box)
        layout.addWidget(self.status)
        layout.addWidget(self.results, 1)

        self.query_box.textChanged.connect(self._on_query_changed)
        self._debounce.timeout.connect(self.search_now)
        self.results.itemClicked.connect(self._on_item_clicked)
        self.query_box.installEventFilter(self)
        self.results.installEventFilter(self)
        self._show_status()

    def focus_query(self) -> None:
        self.query_box.setFocus()
        self.query_box.selectAll()

    def set_query(self, text: str) -> None:
        self.query_box.setText(text)

    def hits(self) -> list[SearchResult]:
        return list(self._hits)

    def set_search_function(self, search: SearchFunction) -> None:
        """Search with this from now on; a query typed while there was none runs now."""
        self._search = search
        if self.query_box.text().strip():
            self.search_now()

    def search_now(self) -> None:
        """Run the search for the current text (normally after a short typing pause)."""
        self._debounce.stop()
        query = self.query_box.text()
        if self._search is None:
            return
        try:
            hits = list(self._search(query)) if query.strip() else []
        except Exception as exc:  # a storage fault: say so, keep the panel usable
            log.exception("search for %r failed", query)
            self._show_hits([])
            self.status.setText(f"Search failed: {getattr(exc, 'message', exc)}")
            return
        self._show_hits(hits)
        self._show_status()

    def _show_hits(self, hits: list[SearchResult]) -> None:
        from streamchat_desktop.ui.search_hits import HitDelegate, hit_html

        self._hits = hits
        self.results.clear()
        if not isinstance(self.results.itemDelegate(), HitDelegate):
            self.results.setItemDelegate(HitDelegate(self.results))
        palette = self.palette()
        mark = mix(palette.color(QPalette.ColorRole.Base), QColor("#f5c400"), 0.55)
        for hit in hits:
            item = QListWidgetItem()
            item.setData(HTML_ROLE, hit_html(hit, mark.name(), palette))
            item.setData(HIT_ROLE, (hit.conversation_id, hit.message_id))
            item.setToolTip(hit.conversation_title)
            self.results.addItem(item)
        if hits:
            self.results.setCurrentRow(0)

    def _show_status(self) -> None:
        if not self.query_box.text().strip():
            self.status.setText("Type to search every conversation")
        elif not self._hits:
            self.status.setText("No matches")
        else:
            count = len(self._hits)
            self.status.setText(f"{count} match{'es' if count != 1 else ''}")

    def _activate(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            conversation_id, message_id = item.data(HIT_ROLE)
            self.hit_activated.emit(conversation_id, message_id)

    def _on_query_changed(self, _text: str) -> None:
        self._debounce.start()

    def _on_item_clicked(self, item: QListWidgetItem) -> None:
        self._activate(item)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if watched is self.query_box and self._debounce.isActive():
                self.search_now()
            self._activate(self.results.currentItem())
            return True
        if watched is self.query_box and key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            row = self.results.currentRow() + (1 if key == Qt.Key.Key_Down else -1)
            if 0 <= row < self.results.count():
                self.results.setCurrentRow(row)
            return True
        if key == Qt.Key.Key_Escape:
            if self.query_box.text():
                self.query_box.clear()
                self.search_now()
            else:
                self.dismissed.emit()
            return True
        return super().eventFilter(watched, event)
