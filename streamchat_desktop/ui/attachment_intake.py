"""Files coming in, by dialog, drop or paste: local paths and clipboard images become
prepared attachments, or clear reasons why not."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QImage

from streamchat_desktop.attachments.errors import AttachmentError
from streamchat_desktop.attachments.prepare import prepare, read_path
from streamchat_desktop.core.attachments import AttachmentContent
from streamchat_desktop.imaging.images import encode, prepare_image

PASTED_IMAGE_NAME = "pasted image.png"


@dataclass
class Intake:
    """What came in: the files that can go, and a message for each that cannot."""

    accepted: list[AttachmentContent] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def from_paths(paths: Iterable[str | Path]) -> Intake:
    intake = Intake()
    for path in paths:
        try:
            intake.accepted.append(read_path(Path(path), prepare_image))
        except AttachmentError as exc:
            intake.refused.append(exc.message)
    return intake


def from_image(image: QImage, name: str = PASTED_IMAGE_NAME) -> Intake:
    """A clipboard image, saved as PNG (lossless), then prepared like a file."""
    try:
        if image.isNull():
            raise AttachmentError("The pasted image could not be read.")
        return Intake(accepted=[prepare(name, encode(image, b"PNG"), prepare_image)])
    except AttachmentError as exc:
        return Intake(refused=[exc.message])


def local_paths(mime: QMimeData) -> list[str]:
    """The local files a drop or paste carries (remote URLs are not fetched)."""
    if not mime.hasUrls():
        return []
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]


def intake_job(mime: QMimeData) -> tuple[str, Callable[[], Intake]] | None:
    """What a drop or paste carries, taken now (the data belongs to the drag or the
    clipboard), and the slow part to run later off the UI thread: (label, job).

    Copied files come first (a file manager's copy also carries an icon image)."""
    paths = local_paths(mime)
    if paths:
        return ", ".join(Path(path).name for path in paths), lambda: from_paths(paths)
    image = mime.imageData()
    if isinstance(image, QImage) and not image.isNull():
        pasted = image.copy()
        return PASTED_IMAGE_NAME, lambda: from_image(pasted)
    return None
