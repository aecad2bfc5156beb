"""The window's ways in for files (attach button, drop, paste) and out (a click on a
file in the transcript opens it), and "Retry with another model" after a model
refused images."""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMimeData, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QImage
from PySide6.QtWidgets import QFileDialog, QMainWindow

from streamchat_desktop.controllers.chat_controller import ChatController
from streamchat_desktop.core.attachments import Attachment, AttachmentKind
from streamchat_desktop.ui.attachment_intake import Intake, from_paths, intake_job
from streamchat_desktop.ui.attachment_tray import AttachmentTray
from streamchat_desktop.ui.endpoint_picker import EndpointPicker
from streamchat_desktop.ui.transcript.attachments import THUMBNAIL_PX

log = logging.getLogger(__name__)

MAX_CACHED_THUMBNAILS = 200

FILE_FILTER = (
    "Images, PDFs and text (*.png *.jpg *.jpeg *.webp *.gif *.pdf *.txt *.md *.csv *.json "
    "*.py *.js *.ts *.html *.css *.xml *.yaml *.yml *.toml *.log);;All files (*)"
)


class _Relay(QObject):
    """Carries a prepared intake from its worker thread to the UI thread (queued)."""

    prepared = Signal(object)


def local_name(name: str) -> str:
    """A file name for ``name`` that stays in its folder (an imported conversation may
    name a file ``..``, ``/`` or ``a/../../b``)."""
    last = Path(name.replace("\\", "/")).name.strip()
    return last if last.strip(".") else "file"


# What another program may open: only documents. A name an imported conversation gives
# (``x.desktop``, ``x.sh``) must not choose a program that runs it.
_OPEN_AS = {AttachmentKind.PDF: ".pdf", AttachmentKind.TEXT: ".txt"}


def open_name(name: str, kind: AttachmentKind) -> str:
    """``local_name`` ending in the suffix of what the file is (``.pdf`` or ``.txt``)."""
    base = local_name(name)
    suffix = _OPEN_AS.get(kind, ".bin")
    return base if base.lower().endswith(suffix) else base + suffix


class AttachmentActions:
    """Feeds the tray above the composer, and opens the files of sent prompts.

    Files are read and converted on a worker thread: a 200-page PDF takes pypdf about
    14 s and a 12-megapixel PNG QImage about 0.8 s here (bench/attachments.py), which
    must not freeze the window. ``preparing`` counts the files still being read.
    """

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
        self.preparing = 0
        self._thumbnails: dict[str, QImage] = {}  # sha256 -> small copy, oldest first
        self._relay = _Relay()
        self._relay.prepared.connect(self._on_prepared)
        picker.target_chosen.connect(self._on_target_chosen)

    # In ---------------------------------------------------------------------------

    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self._window, "Attach files", str(Path.home()), FILE_FILTER
        )
        if paths:
            names = ", ".join(Path(path).name for path in paths)
            self._start(names, lambda: from_paths(paths))

    def take_mime(self, mime: QMimeData) -> None:
        """A drop on the window or a paste into the composer."""
        job = intake_job(mime)
        if job is None:
            self._notify("There is no file or image to attach in what was dropped or pasted.")
        else:
            self._start(*job)

    def _start(self, label: str, job: Callable[[], Intake]) -> None:
        self.preparing += 1
        self._status(f"Reading {label}…")

        def work() -> None:
            try:
                intake = job()
            except Exception:  # a bug: say so, and never leave "preparing" stuck
                log.exception("attaching %s failed", label)
                intake = Intake(refused=[f"{label} could not be read (details are in the log)."])
            self._relay.prepared.emit(intake)

        threading.Thread(target=work, name="attachments", daemon=True).start()

    def _on_prepared(self, intake: Intake) -> None:
        self.preparing -= 1
        self._status("")
        self.take(intake)

    def _status(self, text: str) -> None:
        self._window.statusBar().showMessage(text, 0 if text else 1)

    def take(self, intake: Intake) -> None:
        for content in intake.accepted:
            self._tray.add(content)
        if intake.refused:
            self._notify("\n".join(intake.refused))

    # Out --------------------------------------------------------------------------

    def thumbnail(self, attachment: Attachment) -> QImage | None:
        """A small copy for the transcript, decoded once per file (a conversation is
        rendered again on every open and theme change)."""
        cached = self._thumbnails.get(attachment.sha256)
        if cached is not None:
            return cached
        content = self._controller.attachment_content(attachment.sha256)
        if content is None:
            return None
        image = QImage.fromData(content.send_data or content.data)
        if image.isNull():
            return None
        side = THUMBNAIL_PX * 2  # sharp on a high-density screen
        small = image.scaled(
            side,
            side,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        if len(self._thumbnails) >= MAX_CACHED_THUMBNAILS:
            self._thumbnails.pop(next(iter(self._thumbnails)))
        self._thumbnails[attachment.sha256] = small
        return small

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
        try:
            if self._open_dir is None:  # removed when the window closes
                self._open_dir = tempfile.TemporaryDirectory(prefix="streamchat-files-")
            folder = Path(self._open_dir.name) / attachment.sha256[:16]
            folder.mkdir(exist_ok=True)
            path = folder / open_name(attachment.name, attachment.kind)
            path.write_bytes(content.data)
        except OSError as exc:  # a full or read-only temporary folder
            self._notify(f"{attachment.name} could not be opened: {exc.strerror or exc}.")
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def discard_opened_files(self) -> None:
        """Remove the copies written for other programs to open (the window closes)."""
        if self._open_dir is not None:
            self._open_dir.cleanup()
            self._open_dir = None

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
