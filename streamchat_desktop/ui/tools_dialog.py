"""The Tools page: MCP servers with their status and tools, on/off per server and per
tool, a Test button, and the tools the user always allows (revocable)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QMenu,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from streamchat_desktop.config.settings import Settings
from streamchat_desktop.core.tool_servers import ToolServerStatus

log = logging.getLogger(__name__)

SERVER_ROLE = Qt.ItemDataRole.UserRole
STATE_WORDS = {"stopped": "not started yet", "starting": "starting…", "ready": "ready"}


SettingsUpdate = Callable[[Callable[[Settings], object]], "str | None"]


class ToolsDialog(QDialog):
    """Signals:
    tools_changed(): a switch or an "always allow" changed and was saved.

    ``update(change)`` applies a change to the settings (a copy, saved, then shared);
    it returns why it could not, or None.
    """

    tools_changed = Signal()

    def __init__(
        self,
        settings: Settings,
        statuses: Callable[[], list[ToolServerStatus]],
        test: Callable[[], Awaitable[None]],
        update: SettingsUpdate,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings — Tools (MCP servers)")
        self.resize(720, 480)
        self._settings = settings
        self._statuses = statuses
        self._test = test
        self._update = update
        self._task: asyncio.Future[None] | None = None
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(["Server / tool", "Status"])
        self.tree.setColumnWidth(0, 280)
        self.test_button = QPushButton("Test servers", self)
        self.note = QLabel(
            "Add servers with `streamchat mcp add` or `streamchat mcp import`. The model asks "
            "before each call; you allow it once, always (for that tool), or deny it.",
            self,
        )
        self.note.setWordWrap(True)
        self.allowed = QListWidget(self)
        self.revoke_button = QPushButton("Revoke", self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.tree, 3)
        layout.addWidget(self.test_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(QLabel("Always allowed (run without asking):", self))
        row = QHBoxLayout()
        row.addWidget(self.allowed, 1)
        row.addWidget(self.revoke_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(row, 1)
        layout.addWidget(buttons)
        buttons.rejected.connect(self.reject)
        self.test_button.clicked.connect(self._on_test_clicked)
        self.revoke_button.clicked.connect(self._on_revoke_clicked)
        self.tree.itemChanged.connect(self._on_item_changed)
        self.refresh()

    def refresh(self) -> None:
        """Show the servers and the always-allowed tools as they are now."""
        statuses = {status.name: status for status in self._statuses()}
        self.tree.blockSignals(True)
        self.tree.clear()
        for config in self._settings.tool_servers:
            status = statuses.get(config.name, ToolServerStatus(config.name, "stopped"))
            item = QTreeWidgetItem([f"{config.name} ({config.describe()})", _words(status)])
            item.setData(0, SERVER_ROLE, (config.name, None))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, _check(config.enabled))
            for tool in status.tools:
                child = QTreeWidgetItem([tool, ""])
                child.setData(0, SERVER_ROLE, (config.name, tool))
                child.setFlags(child.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                child.setCheckState(0, _check(tool not in config.disabled_tools))
                item.addChild(child)
            self.tree.addTopLevelItem(item)
            item.setExpanded(True)
        self.tree.blockSignals(False)
        self.allowed.clear()
        self.allowed.addItems(self._settings.always_allowed_tools)

    def _on_item_changed(self, item: QTreeWidgetItem, _column: int) -> None:
        server, tool = item.data(0, SERVER_ROLE)
        on = item.checkState(0) == Qt.CheckState.Checked

        def switch(settings: Settings) -> None:
            config = settings.tool_server(server)
            if config is None:
                return
            if tool is None:
                config.enabled = on
            elif on and tool in config.disabled_tools:
                config.disabled_tools.remove(tool)
            elif not on and tool not in config.disabled_tools:
                config.disabled_tools.append(tool)

        self._apply(switch)

    def _on_revoke_clicked(self) -> None:
        keys = {item.text() for item in self.allowed.selectedItems()}

        def revoke(settings: Settings) -> None:
            settings.always_allowed_tools = [
                key for key in settings.always_allowed_tools if key not in keys
            ]

        self._apply(revoke)
        self.refresh()

    def _apply(self, change: Callable[[Settings], object]) -> None:
        problem = self._update(change)
        if problem is not None:
            self.note.setText(problem)  # nothing changed: show the switches as they are
            self.refresh()
            return
        self.tools_changed.emit()

    def _on_test_clicked(self) -> None:
        self.test_button.setEnabled(False)
        self.test_button.setText("Testing…")
        self._task = asyncio.ensure_future(self._run_test())

    async def _run_test(self) -> None:
        try:
            testing = asyncio.ensure_future(self._test())
            await asyncio.sleep(0)  # let the servers begin: show them "starting…"
            self.refresh()
            await testing
        except Exception:  # a bug: keep the page usable, the log has it
            log.exception("testing the MCP servers failed")
        finally:
            self.test_button.setEnabled(True)
            self.test_button.setText("Test servers")
            self.refresh()


def _words(status: ToolServerStatus) -> str:
    if status.state == "failed":
        return f"failed: {status.reason}"
    words = STATE_WORDS.get(status.state, status.state)
    return f"{words} · {len(status.tools)} tools" if status.state == "ready" else words


def _check(on: bool) -> Qt.CheckState:
    return Qt.CheckState.Checked if on else Qt.CheckState.Unchecked


def install_tools_action(after: QAction, parent: QMainWindow) -> QAction:
    """A "Tools…" action in the menu that holds ``after`` (Settings…), right below it."""
    action = QAction("Tools (MCP servers)…", parent)
    for owner in after.associatedObjects():
        if isinstance(owner, QMenu):
            actions = owner.actions()
            at = actions.index(after) + 1
            if at < len(actions):
                owner.insertAction(actions[at], action)
            else:
                owner.addAction(action)
            break
    return action
