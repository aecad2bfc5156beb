"""The files waiting to go with the next prompt: chips above the composer with the
name, size, a thumbnail for images and a remove ×."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from streamchat_desktop.core.attachments import AttachmentContent, AttachmentKind, format_size

THUMBNAIL_PX = 40


def thumbnail(content: AttachmentContent, size: int = THUMBNAIL_PX) -> QPixmap | None:
    """A small picture of an image attachment (None for other kinds)."""
    if content.attachment.kind is not AttachmentKind.IMAGE:
        return None
    image = QImage.fromData(content.send_data or content.data)
    if image.isNull():
        return None
    return QPixmap.fromImage(
        image.scaled(
            size,
            size,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    )


class AttachmentChip(QFrame):
    """One file: thumbnail or icon, name and size, and ×. Signals: remove_requested()."""

    remove_requested = Signal()

    def __init__(self, content: AttachmentContent, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.content = content
        attachment = content.attachment
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("attachmentChip")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 2, 2)
        layout.setSpacing(4)
        picture = thumbnail(content)
        if picture is not None:
            self.thumbnail = QLabel(self)
            self.thumbnail.setPixmap(picture)
            layout.addWidget(self.thumbnail)
        self.label = QLabel(f"{attachment.name} · {format_size(attachment.size)}", self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        if content.pages:
            self.label.setText(f"{self.label.text()} · {content.pages} p.")
        layout.addWidget(self.label)
        self.remove_button = QToolButton(self)
        self.remove_button.setText("×")
        self.remove_button.setAutoRaise(True)
        self.remove_button.setAccessibleName(f"Remove {attachment.name}")
        self.remove_button.setToolTip(f"Remove {attachment.name}")
        self.remove_button.clicked.connect(self.remove_requested)
        layout.addWidget(self.remove_button)


class AttachmentTray(QWidget):
    """The chips of the next prompt; hidden while there is none.

    Signals: changed(): a file was added or removed.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 4)
        self._layout.addStretch(1)
        self._chips: list[AttachmentChip] = []
        self.setAccessibleName("Attachments")
        self.hide()

    def add(self, content: AttachmentContent) -> None:
        """Add a file, unless the same bytes under the same name are already there."""
        if any(chip.content.attachment == content.attachment for chip in self._chips):
            return
        chip = AttachmentChip(content, self)
        chip.remove_requested.connect(lambda: self.remove(chip))
        self._layout.insertWidget(len(self._chips), chip)
        self._chips.append(chip)
        self.show()
        self.changed.emit()

    def remove(self, chip: AttachmentChip) -> None:
        if chip in self._chips:
            self._chips.remove(chip)
            chip.deleteLater()
            self.setVisible(bool(self._chips))
            self.changed.emit()

    def clear(self) -> None:
        for chip in list(self._chips):
            self.remove(chip)

    def contents(self) -> list[AttachmentContent]:
        return [chip.content for chip in self._chips]

    def chips(self) -> list[AttachmentChip]:
        return list(self._chips)
