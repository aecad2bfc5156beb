"""Forcing dark or light, and going back to the system's own look."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QPalette

from streamchat_desktop.ui.app_theme import ThemeSwitcher


def test_dark_light_and_back_to_system(qapp: Any) -> None:
    original_style = qapp.style().name()
    original_window = qapp.palette().color(QPalette.ColorRole.Window)
    switcher = ThemeSwitcher(qapp)
    try:
        switcher.apply("dark")
        assert qapp.palette().color(QPalette.ColorRole.Window).lightness() < 60
        assert qapp.palette().color(QPalette.ColorRole.Text).lightness() > 200
        switcher.apply("light")
        assert qapp.palette().color(QPalette.ColorRole.Window).lightness() > 180
    finally:
        switcher.apply("system")
    assert qapp.style().name() == original_style
    assert qapp.palette().color(QPalette.ColorRole.Window) == original_window


def test_the_system_theme_follows_the_system_colour_scheme(qapp: Any) -> None:
    """A scheme change the platform's palette does not follow (offscreen Qt keeps its
    light palette) still turns the window dark, and back."""
    from PySide6.QtCore import Qt

    original_window = qapp.palette().color(QPalette.ColorRole.Window)
    switcher = ThemeSwitcher(qapp)
    try:
        switcher._on_color_scheme_changed(Qt.ColorScheme.Dark)
        assert qapp.palette().color(QPalette.ColorRole.Window).lightness() < 60
        switcher._on_color_scheme_changed(Qt.ColorScheme.Light)
        assert qapp.palette().color(QPalette.ColorRole.Window) == original_window
    finally:
        switcher.apply("system")
