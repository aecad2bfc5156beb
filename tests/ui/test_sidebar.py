"""The conversation sidebar with pytest-qt: order, select, new, rename, delete and Undo."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from streamchat_desktop.core.models import Conversation
from streamchat_desktop.ui import sidebar as sidebar_module
from streamchat_desktop.ui.sidebar import ConversationSidebar
from streamchat_desktop.ui.sidebar_roles import ID_ROLE, SUBTITLE_ROLE
from streamchat_desktop.ui.time_labels import day_group, relative_time

NOW = datetime(2025, 6, 15, 12, 0).timestamp()


def conversations() -> list[Conversation]:
    day = 86400.0
    return [
        Conversation(id="old", title="Last month's plan", updated_at=NOW - 20 * day),
        Conversation(id="today", title="Today's chat", updated_at=NOW - 60, model="gpt-4o"),
        Conversation(id="yday", title="Yesterday's chat", updated_at=NOW - day),
        Conversation(id="early", title="Earlier today", updated_at=NOW - 3600),
    ]


@pytest.fixture
def sidebar(qtbot: Any) -> ConversationSidebar:
    widget = ConversationSidebar(now=lambda: NOW)
    qtbot.addWidget(widget)
    widget.resize(260, 500)
    widget.set_conversations(conversations(), "today")
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def row_of(sidebar: ConversationSidebar, conversation_id: str) -> int:
    for row in range(sidebar.list.count()):
        if sidebar.list.item(row).data(Qt.ItemDataRole.UserRole) == conversation_id:
            return row
    raise AssertionError(conversation_id)


def click(qtbot: Any, sidebar: ConversationSidebar, conversation_id: str) -> None:
    item = sidebar.list.item(row_of(sidebar, conversation_id))
    rect = sidebar.list.visualItemRect(item)
    qtbot.mouseClick(sidebar.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_newest_first_grouped_by_day(sidebar: ConversationSidebar) -> None:
    assert sidebar.visible_ids() == ["today", "early", "yday", "old"]
    labels = [sidebar.list.item(r).text() for r in range(sidebar.list.count())]
    assert labels == [
        "Today",
        "Today's chat",
        "Earlier today",
        "Yesterday",
        "Yesterday's chat",
        "Previous 30 days",
        "Last month's plan",
    ]
    assert sidebar.list.currentItem().text() == "Today's chat"


def test_clicking_selects_and_headers_are_inert(qtbot: Any, sidebar: ConversationSidebar) -> None:
    with qtbot.waitSignal(sidebar.conversation_selected) as blocker:
        click(qtbot, sidebar, "yday")
    assert blocker.args == ["yday"]
    with qtbot.assertNotEmitted(sidebar.conversation_selected):
        rect = sidebar.list.visualItemRect(sidebar.list.item(0))  # the "Today" header
        qtbot.mouseClick(sidebar.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_arrow_keys_skip_headers(qtbot: Any, sidebar: ConversationSidebar) -> None:
    sidebar.list.setFocus()
    seen: list[str] = []
    sidebar.conversation_selected.connect(seen.append)
    for _ in range(3):
        qtbot.keyClick(sidebar.list, Qt.Key.Key_Down)
    assert seen == ["early", "yday", "old"]
    qtbot.keyClick(sidebar.list, Qt.Key.Key_Up)
    assert seen[-1] == "yday"


def test_set_conversations_does_not_emit_selection(
    qtbot: Any, sidebar: ConversationSidebar
) -> None:
    with qtbot.assertNotEmitted(sidebar.conversation_selected):
        sidebar.set_conversations(conversations(), "old")
        sidebar.set_active("early")
    assert sidebar.list.currentItem().text() == "Earlier today"


def test_new_button(qtbot: Any, sidebar: ConversationSidebar) -> None:
    with qtbot.waitSignal(sidebar.new_requested):
        qtbot.mouseClick(sidebar.new_button, Qt.MouseButton.LeftButton)


def test_inline_rename(qtbot: Any, sidebar: ConversationSidebar) -> None:
    sidebar.start_rename("yday")
    editor = sidebar.list.findChild(QLineEdit)
    assert editor is not None and editor.text() == "Yesterday's chat"
    editor.selectAll()
    qtbot.keyClicks(editor, "  Renamed   chat ")
    with qtbot.waitSignal(sidebar.rename_requested) as blocker:
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert blocker.args == ["yday", "Renamed chat"]


def test_renaming_to_nothing_restores_the_title(qtbot: Any, sidebar: ConversationSidebar) -> None:
    sidebar.start_rename("yday")
    editor = sidebar.list.findChild(QLineEdit)
    assert editor is not None
    editor.clear()
    with qtbot.assertNotEmitted(sidebar.rename_requested):
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert sidebar.list.item(row_of(sidebar, "yday")).text() == "Yesterday's chat"


def test_delete_waits_for_undo_then_happens(
    qtbot: Any, sidebar: ConversationSidebar, monkeypatch: pytest.MonkeyPatch
) -> None:
    sidebar._undo_timer.setInterval(200)
    click(qtbot, sidebar, "yday")
    with qtbot.assertNotEmitted(sidebar.delete_requested, wait=50):
        qtbot.keyClick(sidebar.list, Qt.Key.Key_Delete)
    assert "yday" not in sidebar.visible_ids()
    assert sidebar.undo_bar.isVisible()
    assert "Yesterday's chat" in sidebar.undo_bar.label.text()
    with qtbot.waitSignal(sidebar.delete_requested, timeout=30_000) as blocker:
        pass
    assert blocker.args == ["yday"]
    assert not sidebar.undo_bar.isVisible()


def test_undo_brings_it_back(qtbot: Any, sidebar: ConversationSidebar) -> None:
    sidebar.request_delete("old")
    assert "old" not in sidebar.visible_ids()
    with qtbot.assertNotEmitted(sidebar.delete_requested, wait=100):
        qtbot.mouseClick(sidebar.undo_bar.undo_button, Qt.MouseButton.LeftButton)
    assert sidebar.visible_ids() == ["today", "early", "yday", "old"]
    assert sidebar.pending_delete is None


def test_deleting_the_active_conversation_moves_to_a_neighbour(
    qtbot: Any, sidebar: ConversationSidebar
) -> None:
    with qtbot.waitSignal(sidebar.conversation_selected) as blocker:
        sidebar.request_delete("today")
    assert blocker.args == ["early"]
    # A second delete carries out the first at once.
    with qtbot.waitSignal(sidebar.delete_requested) as deleted:
        sidebar.request_delete("old")
    assert deleted.args == ["today"]
    sidebar.set_conversations(conversations(), "early")  # the app refreshes before it deleted
    assert "old" not in sidebar.visible_ids()
    with qtbot.waitSignal(sidebar.delete_requested) as deleted:
        sidebar.commit_pending_delete()
    assert deleted.args == ["old"]


def test_deleting_the_last_conversation_asks_for_a_new_one(qtbot: Any) -> None:
    widget = ConversationSidebar(now=lambda: NOW)
    qtbot.addWidget(widget)
    widget.set_conversations([Conversation(id="only", title="Only")], "only")
    with qtbot.waitSignal(widget.new_requested):
        widget.request_delete("only")


def test_streaming_indicator(qtbot: Any, sidebar: ConversationSidebar) -> None:
    sidebar.set_streaming("yday", True)
    item = sidebar.list.item(row_of(sidebar, "yday"))
    assert item.data(sidebar_module.STREAMING_ROLE) is True
    assert sidebar._pulse.isActive()
    sidebar.set_conversations(conversations(), "today")  # survives a refresh
    assert sidebar.list.item(row_of(sidebar, "yday")).data(sidebar_module.STREAMING_ROLE)
    sidebar.grab()  # paints the pulsing dot without error
    sidebar.set_streaming("yday", False)
    assert not sidebar._pulse.isActive()


def test_two_thousand_conversations_are_all_listed(qtbot: Any) -> None:
    widget = ConversationSidebar(now=lambda: NOW)
    qtbot.addWidget(widget)
    many = [Conversation(title=f"Conversation {i}", updated_at=NOW - i * 3600) for i in range(2000)]
    widget.set_conversations(many, many[0].id)  # its speed: bench/history.py, "sidebar"
    assert widget.visible_ids() == [c.id for c in many]


def test_day_groups_and_relative_times() -> None:
    today = datetime(2025, 6, 15).date()
    assert day_group(today, today) == "Today"
    assert day_group(today - timedelta(days=1), today) == "Yesterday"
    assert day_group(today - timedelta(days=3), today) == "Previous 7 days"
    assert day_group(today - timedelta(days=90), today) == "March"
    assert day_group(datetime(2023, 1, 1).date(), today) == "2023"
    assert relative_time(NOW - 5, NOW) == "just now"
    assert relative_time(NOW - 600, NOW) == "10 min ago"
    assert relative_time(NOW - 7200, NOW) == "2 h ago"


def test_times_and_day_sections_stay_true_in_an_app_left_open(qtbot: Any) -> None:
    clock = [NOW]
    widget = ConversationSidebar(now=lambda: clock[0])
    qtbot.addWidget(widget)
    widget.set_conversations(conversations(), "today")

    def subtitle(conversation_id: str) -> str:
        return str(widget.list.item(row_of(widget, conversation_id)).data(SUBTITLE_ROLE))

    assert subtitle("today").startswith("1 min ago")
    clock[0] += 10 * 60
    widget._times.timeout.emit()  # the minute tick, without waiting a minute
    assert subtitle("today").startswith("11 min ago")
    assert widget.list.item(0).text() == "Today"

    clock[0] += 86400  # the app is still open the next day
    widget._times.timeout.emit()
    assert widget.list.item(0).text() == "Yesterday"
    assert widget.visible_ids() == ["today", "early", "yday", "old"]
    assert widget.list.currentItem().data(ID_ROLE) == "today"  # the selection survives


def test_the_minute_tick_leaves_a_rename_in_progress_alone(qtbot: Any) -> None:
    clock = [NOW]
    widget = ConversationSidebar(now=lambda: clock[0])
    qtbot.addWidget(widget)
    widget.set_conversations(conversations(), "today")
    widget.show()
    qtbot.waitExposed(widget)
    widget.start_rename("yday")
    editor = widget.list.findChild(QLineEdit)
    assert editor is not None
    editor.setText("Half-typed new na")
    clock[0] += 86400  # midnight passed: the sections would be rebuilt, but not now
    widget._times.timeout.emit()
    assert widget.list.state() == widget.list.State.EditingState
    assert editor.text() == "Half-typed new na"
    assert widget.list.item(0).text() == "Today"  # caught up on the next tick instead
