"""The app-wide theme: follow the system, or force light or dark (Fusion palettes)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

THEMES = ("system", "light", "dark")
_DARK = {
    QPalette.ColorRole.Window: "#202124",
    QPalette.ColorRole.WindowText: "#e8eaed",
    QPalette.ColorRole.Base: "#17181a",
    QPalette.ColorRole.AlternateBase: "#2a2b2e",
    QPalette.ColorRole.ToolTipBase: "#2a2b2e",
    QPalette.ColorRole.ToolTipText: "#e8eaed",
    QPalette.ColorRole.Text: "#e8eaed",
    QPalette.ColorRole.Button: "#2d2e31",
    QPalette.ColorRole.ButtonText: "#e8eaed",
    QPalette.ColorRole.BrightText: "#ff6b6b",
    QPalette.ColorRole.Link: "#8ab4f8",
    QPalette.ColorRole.Highlight: "#3d6fd8",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.PlaceholderText: "#9aa0a6",
}


class ThemeSwitcher:
    """Remembers the platform's own style and palette so "system" can go back to them."""

    def __init__(self, app: QApplication) -> None:
        self._app = app
        # Read when first left: asking for the style costs PySide ≈ 4 ms of set-up,
        # which a launch in the system theme need not pay before its first frame.
        self._system_style: str | None = None
        self._system_palette = QPalette(app.palette())
        self._current = "system"
        app.styleHints().colorSchemeChanged.connect(self._on_color_scheme_changed)

    def _on_color_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        """The system went light or dark: "system" follows (the platform's palette when
        it changes with the scheme, else Fusion's palette of that scheme)."""
        if self._current != "system":
            return
        if self._system_style is None:
            self._system_style = self._app.style().name()
        follows = is_dark(self._app.palette()) == (scheme == Qt.ColorScheme.Dark)
        if follows:
            self._system_palette = QPalette(self._app.palette())
        elif scheme == Qt.ColorScheme.Dark:
            self._app.setStyle(QStyleFactory.create("Fusion"))
            self._app.setPalette(dark_palette())
        else:
            self._app.setStyle(QStyleFactory.create(self._system_style))
            self._app.setPalette(self._system_palette)

    def apply(self, theme: str) -> None:
        if theme == self._current:
            return  # re-styling every widget for nothing is not free
        if self._system_style is None:
            self._system_style = self._app.style().name()
        self._current = theme
        if theme == "dark":
            self._app.setStyle(QStyleFactory.create("Fusion"))
            self._app.setPalette(dark_palette())
        elif theme == "light":
            self._app.setStyle(QStyleFactory.create("Fusion"))
            self._app.setPalette(self._app.style().standardPalette())
        else:
            self._app.setStyle(QStyleFactory.create(self._system_style))
            self._app.setPalette(self._system_palette)


def mix(a: QColor, b: QColor, amount: float) -> QColor:
    """``a`` moved ``amount`` of the way towards ``b``."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * amount),
        round(a.green() + (b.green() - a.green()) * amount),
        round(a.blue() + (b.blue() - a.blue()) * amount),
    )


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, color in _DARK.items():
        palette.setColor(role, QColor(color))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                 QPalette.ColorRole.WindowText):  # fmt: skip
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7f8388"))
    return palette
