"""The window's ways in for files (attach button, drop, paste) and out (a click on a
file in the transcript opens it), and "Retry with another model" after a model
refused images."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMimeData, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QImage
from PySide6.QtWidgets import QFileDialog, QMainWindow

from streamchat_desktop.controllers.chat_controller import ChatController
from streamchat_desktop.core.attachments import Attachment, AttachmentKind
from streamchat_desktop.ui.attachment_intake import Intake, from_mime, from_paths
from streamchat_desktop.ui.attachment_tray import AttachmentTray
from streamchat_desktop.ui.endpoint_picker import EndpointPicker

log = logging.getLogger(__name__)

FILE_FILTER = (
    "Images, PDFs and text (*.png *.jpg *.jpeg *.webp *.gif *.pdf *.txt *.md *.csv *.json "
    "*.py *.js *.ts *.html *.css *.xml *.yaml *.yml *.toml *.log);;All files (*)"
)


class AttachmentActions:
    """Feeds the tray above the composer, and opens the files of sent prompts."""

    def __init__(
        self,
        window: QMainWindow,
        controller: ChatController,
        tray: AttachmentTray,
        picker: EndpointPicker,
        notify: Callable[[str], None],
    ) -> None:
        self._window = window
        self._controller = controller
        self._tray = tray
        self._picker = picker
        self._notify = notify
        self._retry_on_model_change = False
        self._open_dir: tempfile.TemporaryDirectory[str] | None = None
        picker.target_chosen.connect(self._on_target_chosen)

    # In ---------------------------------------------------------------------------

    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self._window, "Attach files", str(Path.home()), FILE_FILTER
        )
        if paths:
            self.take(from_paths(paths))

    def take_mime(self, mime: QMimeData) -> None:
        """A drop on the window or a paste into the composer."""
        self.take(from_mime(mime))

    def take(self, intake: Intake) -> None:
        for content in intake.accepted:
            self._tray.add(content)
        if intake.refused:
            self._notify("\n".join(intake.refused))

    # Out --------------------------------------------------------------------------

    def thumbnail(self, attachment: Attachment) -> QImage | None:
        content = self._controller.attachment_content(attachment.sha256)
        if content is None:
            return None
        image = QImage.fromData(content.send_data or content.data)
        return None if image.isNull() else image

    def open(self, attachment: Attachment) -> None:
        """An image in a preview window; any other file in the program that opens it."""
        content = self._controller.attachment_content(attachment.sha256)
        if content is None:
            self._notify(f"{attachment.name} is no longer stored.")
            return
        if attachment.kind is AttachmentKind.IMAGE:
            from streamchat_desktop.ui.attachment_preview import ImagePreview

            preview = ImagePreview(attachment.name, content.data, self._window)
            preview.show()
            return
        if self._open_dir is None:  # removed with the window
            self._open_dir = tempfile.TemporaryDirectory(prefix="streamchat-files-")
        folder = Path(self._open_dir.name) / attachment.sha256[:16]
        folder.mkdir(exist_ok=True)
        path = folder / Path(attachment.name).name
        path.write_bytes(content.data)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    # Retry with another model --------------------------------------------------------

    def choose_other_model(self, _message_id: str) -> None:
        """Open the model list; the next model chosen retries the prompt, files and all."""
        self._retry_on_model_change = True
        self._picker.models.setFocus()
        self._picker.models.showPopup()

    def _on_target_chosen(self, _provider_id: str, model: str) -> None:
        if self._retry_on_model_change and model:
            self._retry_on_model_change = False
            # after the endpoint coordinator has made it the conversation's target
            QTimer.singleShot(0, self._controller.retry)
