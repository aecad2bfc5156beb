"""The main window's actions, toolbar and menu bar.

Separate from the window so the window file is about showing the chat: this builds every
QAction once (with its shortcut), lays them out in the toolbar and menus, keeps the theme
choice a checkable group and opens the shortcuts help. The window wires the chat actions
to its controller.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QSizePolicy, QToolBar, QWidget

from streamchat_desktop.ui.app_theme import THEMES
from streamchat_desktop.ui.text_zoom import TextZoom


class WindowMenus(QObject):
    """Every action of the main window, placed in its toolbar and menus.

    Signals:
        theme_chosen(str): the user picked a theme in View > Theme.
    """

    theme_chosen = Signal(str)

    def __init__(self, window: QMainWindow, picker: QWidget, zoom: TextZoom) -> None:
        super().__init__(window)
        self._window = window
        self._build_actions()
        self._build_toolbar(picker)
        self._build_menus()
        self.zoom_in_action.triggered.connect(zoom.zoom_in)
        self.zoom_out_action.triggered.connect(zoom.zoom_out)
        self.zoom_reset_action.triggered.connect(zoom.reset)
        self.shortcuts_action.triggered.connect(self._on_shortcuts_triggered)

    def _action(
        self, text: str, shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None
    ) -> QAction:
        action = QAction(text, self._window)  # parented to the window: its shortcuts work
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        return action

    def _build_actions(self) -> None:
        keys = QKeySequence.StandardKey
        self.new_action = self._action("New chat", keys.New)
        self.stop_action = self._action("Stop", QKeySequence(Qt.Key.Key_Escape))
        self.stop_action.setEnabled(False)
        self.retry_action = self._action("Retry", "Ctrl+R")
        self.regenerate_action = self._action("Regenerate answer", "Ctrl+Shift+R")
        self.edit_action = self._action("Edit last prompt", "Ctrl+E")
        self.previous_version_action = self._action("Previous version", "Ctrl+[")
        self.next_version_action = self._action("Next version", "Ctrl+]")
        self.search_action = self._action("Search conversations", keys.Find)
        self.copy_answer_action = self._action("Copy last answer", "Ctrl+Shift+C")
        self.conversation_settings_action = self._action("Conversation settings…")
        self.settings_action = self._action("Settings…", keys.Preferences)
        self.companion_action = self._action("Open companion view")
        self.copy_companion_action = self._action("Copy companion URL")
        self.copy_companion_action.setEnabled(False)
        self.companion_at_launch_action = self._action("Start companion view at launch")
        self.companion_at_launch_action.setCheckable(True)
        self.quit_action = self._action("Quit", keys.Quit)
        self.zoom_in_action = self._action("Larger text", "Ctrl+=")
        self.zoom_in_action.setShortcuts([QKeySequence("Ctrl+="), QKeySequence("Ctrl++")])
        self.zoom_out_action = self._action("Smaller text", "Ctrl+-")
        self.zoom_reset_action = self._action("Normal text size", "Ctrl+0")
        self.shortcuts_action = self._action("Keyboard shortcuts", "Ctrl+/")

    def _build_toolbar(self, picker: QWidget) -> None:
        window = self._window
        toolbar = QToolBar("Main", window)
        toolbar.setMovable(False)
        window.addToolBar(toolbar)
        for action in (self.new_action, self.retry_action, self.stop_action):
            toolbar.addAction(action)
        spacer = QWidget(window)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addWidget(picker)

    def _build_menus(self) -> None:
        bar = self._window.menuBar()
        menu = self.file_menu = bar.addMenu("&File")
        menu.addActions(
            [
                self.new_action,
                self.settings_action,
                self.companion_action,
                self.copy_companion_action,
                self.companion_at_launch_action,
            ]
        )
        menu.addSeparator()
        self.file_menu_tail = menu.addSeparator()  # the export/import actions go above
        menu.addAction(self.quit_action)
        view_menu = bar.addMenu("&View")
        view_menu.addActions([self.zoom_in_action, self.zoom_out_action, self.zoom_reset_action])
        theme_menu = view_menu.addMenu("Theme")
        self.theme_actions = QActionGroup(self._window)
        for name in THEMES:
            action = QAction(name.capitalize(), self._window, checkable=True)
            action.setData(name)
            self.theme_actions.addAction(action)
            theme_menu.addAction(action)
        self.theme_actions.triggered.connect(lambda a: self.theme_chosen.emit(a.data()))
        bar.addMenu("&Chat").addActions(
            [
                self.retry_action,
                self.regenerate_action,
                self.edit_action,
                self.previous_version_action,
                self.next_version_action,
                self.stop_action,
                self.search_action,
                self.copy_answer_action,
                self.conversation_settings_action,
            ]
        )
        bar.addMenu("&Help").addAction(self.shortcuts_action)

    def _on_shortcuts_triggered(self) -> None:
        from streamchat_desktop.ui.shortcuts_dialog import ShortcutsDialog  # first use

        dialog = ShortcutsDialog(self._window)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def set_theme_checked(self, theme: str) -> None:
        """Tick the theme in use (chosen here or restored from settings)."""
        for action in self.theme_actions.actions():
            action.setChecked(action.data() == theme)
