"""The search panel with pytest-qt, over a real SqliteStore's search."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from streamchat_desktop.storage import SqliteStore, StorageError
from streamchat_desktop.ui.search_model import HTML_ROLE
from streamchat_desktop.ui.search_panel import SearchPanel
from tests.support.sqlite_fixtures import add_turns


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore.open(tmp_path / "conversations.sqlite3")
    add_turns(
        opened, [("Where do <b>puffins</b> nest?", "Puffins nest in burrows.")], title="Birds"
    )
    add_turns(opened, [("Cook rice", "Rinse, then simmer.")], title="Kitchen")
    yield opened
    opened.close()


@pytest.fixture
def panel(qtbot: Any, store: SqliteStore) -> SearchPanel:
    widget = SearchPanel(store.search)
    qtbot.addWidget(widget)
    widget.resize(320, 400)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_typing_searches_after_a_pause_and_highlights(qtbot: Any, panel: SearchPanel) -> None:
    qtbot.keyClicks(panel.query_box, "puffin")
    assert panel.hits() == []  # debounced: not on every keystroke
    qtbot.waitUntil(lambda: len(panel.hits()) == 2, timeout=30_000)
    assert panel.status.text() == "2 matches"
    assert {h.conversation_title for h in panel.hits()} == {"Birds"}
    shown = [panel.results.item(r).data(HTML_ROLE) for r in range(panel.results.count())]
    assert all("background-color" in html for html in shown)
    assert any("&lt;b&gt;" in html for html in shown)  # the user's markup is text, escaped
    panel.grab()


def test_clicking_a_hit_activates_it(qtbot: Any, panel: SearchPanel, store: SqliteStore) -> None:
    panel.set_query("rice")
    panel.search_now()
    item = panel.results.item(0)
    rect = panel.results.visualItemRect(item)
    with qtbot.waitSignal(panel.hit_activated) as blocker:
        qtbot.mouseClick(panel.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    hit = store.search("rice")[0]
    assert blocker.args == [hit.conversation_id, hit.message_id]


def test_enter_in_the_box_opens_the_selected_hit(qtbot: Any, panel: SearchPanel) -> None:
    qtbot.keyClicks(panel.query_box, "puffins")
    qtbot.keyClick(panel.query_box, Qt.Key.Key_Down)
    with qtbot.waitSignal(panel.hit_activated) as blocker:
        qtbot.keyClick(panel.query_box, Qt.Key.Key_Return)  # runs the pending search first
    assert blocker.args[1] == panel.hits()[panel.results.currentRow()].message_id


def test_no_matches_and_escape(qtbot: Any, panel: SearchPanel) -> None:
    panel.set_query('"zebra -AND* (')
    panel.search_now()
    assert panel.status.text() == "No matches"
    qtbot.keyClick(panel.query_box, Qt.Key.Key_Escape)
    assert panel.query_box.text() == ""
    assert panel.status.text() == "Type to search every conversation"
    with qtbot.waitSignal(panel.dismissed):
        qtbot.keyClick(panel.query_box, Qt.Key.Key_Escape)


def test_a_failing_search_is_shown_not_raised(qtbot: Any) -> None:
    def broken(_query: str) -> list[Any]:
        raise StorageError("The conversation database is locked.")

    widget = SearchPanel(broken)
    qtbot.addWidget(widget)
    widget.set_query("x")
    widget.search_now()
    assert widget.status.text() == "Search failed: The conversation database is locked."
