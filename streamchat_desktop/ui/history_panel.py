"""The side panel: a search box over the conversation list; typing swaps in the hits."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from streamchat_desktop.ui.search_model import SearchFunction
from streamchat_desktop.ui.search_panel import SearchPanel
from streamchat_desktop.ui.sidebar import ConversationSidebar


class HistoryPanel(QWidget):
    """Holds the ``search`` panel and the ``sidebar``; their signals are used directly."""

    def __init__(self, search: SearchFunction | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = SearchPanel(search, self)
        self.sidebar = ConversationSidebar(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.search)
        layout.addWidget(self.sidebar, 1)
        self.search.query_box.textChanged.connect(self._on_query_changed)
        self.search.dismissed.connect(self.sidebar.list.setFocus)
        self._on_query_changed("")

    def _on_query_changed(self, text: str) -> None:
        searching = bool(text.strip())
        self.search.results.setVisible(searching)
        self.search.status.setVisible(searching)
        self.sidebar.setVisible(not searching)
        self.search.layout().setStretch(2, 1 if searching else 0)  # type: ignore[union-attr]
        self.layout().setStretch(0, 1 if searching else 0)  # type: ignore[union-attr]
