"""Text zoom for the transcript and the prompt box (Ctrl+=, Ctrl+-, Ctrl+0), in steps
the settings remember: the text size is a reader's need, not a per-run whim."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from streamchat_desktop.config.settings import TEXT_ZOOM_RANGE

MIN_STEP, MAX_STEP = TEXT_ZOOM_RANGE
STEP_FACTOR = 0.1  # each step adds a tenth of the base size


def clamp_step(step: int) -> int:
    return max(MIN_STEP, min(MAX_STEP, step))


class TextZoom(QObject):
    """Scales the fonts of ``widgets`` from the sizes they had when this was made.

    Signals:
        zoom_changed(int): the step changed (0 is the normal size); save it.
    """

    zoom_changed = Signal(int)

    def __init__(self, widgets: list[QWidget], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._widgets = widgets
        self._base = [widget.font().pointSizeF() for widget in widgets]
        self._step = 0

    @property
    def step(self) -> int:
        return self._step

    def set_step(self, step: int) -> None:
        """Show text at ``step`` (clamped to the range), telling only of a real change."""
        step = clamp_step(step)
        if step == self._step:
            return
        self._step = step
        for widget, base in zip(self._widgets, self._base, strict=True):
            font = widget.font()
            font.setPointSizeF(base * (1 + STEP_FACTOR * step))
            widget.setFont(font)
        self.zoom_changed.emit(step)

    def zoom_in(self) -> None:
        self.set_step(self._step + 1)

    def zoom_out(self) -> None:
        self.set_step(self._step - 1)

    def reset(self) -> None:
        self.set_step(0)
