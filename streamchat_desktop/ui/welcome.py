"""The welcome a new chat opens on: a greeting, the model that will answer, and example
prompts a click sends — so an empty conversation is an invitation, not a white box."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

GREETING = "How can I help you today?"
EXAMPLE_PROMPTS = (
    "Explain how HTTPS keeps a connection private, in plain words",
    "Write a Python function that removes duplicates from a list, keeping the order",
    "Suggest a three-day itinerary for a first visit to Lisbon",
    "Summarise the pros and cons of remote work as a table",
)

COLUMN_WIDTH_PX = 560
# Cards drawn from the palette's roles, so light and dark themes both get them right
CARD_STYLE = """
QPushButton#example {
    text-align: left; padding: 10px 14px;
    border: 1px solid palette(mid); border-radius: 8px; background: palette(base);
}
QPushButton#example:hover { background: palette(alternate-base); }
QPushButton#example:focus { border: 2px solid palette(highlight); }
"""


class WelcomePanel(QWidget):
    """Covers the transcript it is given while the conversation has no message.

    Signals:
        prompt_chosen(str): an example prompt was clicked; the window sends it.
    """

    prompt_chosen = Signal(str)

    def __init__(self, over: QWidget) -> None:
        super().__init__(over)
        self.setObjectName("welcome")
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)  # the transcript's own background
        self.setStyleSheet(CARD_STYLE)
        self.setAccessibleName("Welcome")
        self.greeting = QLabel(GREETING, self)
        self.greeting.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.greeting.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        self.greeting.setFont(font)
        self.model_label = QLabel(self)
        self.model_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.model_label.setEnabled(False)  # drawn in the palette's quieter colour
        column = QVBoxLayout(self)
        column.addStretch(2)
        column.addWidget(self.greeting)
        column.addWidget(self.model_label)
        column.addSpacing(16)
        cards = QWidget(self)  # a centred column, narrower than a wide window
        cards.setMaximumWidth(COLUMN_WIDTH_PX)
        cards.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        stack = QVBoxLayout(cards)
        stack.setContentsMargins(0, 0, 0, 0)
        centred = QHBoxLayout()
        centred.addStretch(1)
        centred.addWidget(cards, 100)
        centred.addStretch(1)
        self.examples: list[QPushButton] = []
        for prompt in EXAMPLE_PROMPTS:
            button = QPushButton(prompt, cards)
            button.setObjectName("example")
            button.setAccessibleName(f"Example prompt: {prompt}")
            button.setToolTip(f"Send: {prompt}")
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(
                lambda _checked=False, text=prompt: self.prompt_chosen.emit(text)
            )
            stack.addWidget(button)
            self.examples.append(button)
        column.addLayout(centred)
        column.addStretch(3)
        self.set_model("")
        self._over = over
        over.installEventFilter(self)
        self.setGeometry(over.rect())

    def set_model(self, model: str) -> None:
        """Say which model the first prompt goes to (the default one when none is named)."""
        self.model_label.setText(f"Model: {model}" if model else "Model: the server's default")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._over and event.type() == QEvent.Type.Resize:
            self.setGeometry(self._over.rect())
        return False
