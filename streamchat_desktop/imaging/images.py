"""The image sent for an attached picture: fits 2,048 px, re-encoded when large."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QImage, QImageReader, QImageWriter

from streamchat_desktop.attachments.errors import AttachmentError
from streamchat_desktop.attachments.prepare import PreparedImage

MAX_SIDE = 2048
# Above this an image is re-encoded even if it fits (a 12 MB PNG screenshot, a raw JPEG).
REENCODE_BYTES = 1024 * 1024
JPEG_QUALITY = 85
# Formats sent as they are when they fit and are small; GIF becomes its first frame.
_KEPT_FORMATS = {b"png": "image/png", b"jpeg": "image/jpeg", b"webp": "image/webp"}


def decode(data: bytes) -> tuple[QImage, bytes]:
    """The first frame of the image and its format name (``png``, ``gif``…)."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.setAutoTransform(True)  # a phone photo's EXIF rotation, as the user sees it
    fmt = bytes(reader.format().data())  # before read(): afterwards it may be empty
    return reader.read(), fmt


def encode(image: QImage, fmt: bytes, quality: int = -1) -> bytes:
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, QByteArray(fmt))
    writer.setQuality(quality)
    if not writer.write(image):
        raise AttachmentError(f"the image could not be encoded: {writer.errorString()}")
    buffer.close()
    return bytes(array.data())


def prepare_image(name: str, data: bytes) -> PreparedImage:
    """Decode, downscale to fit ``MAX_SIDE`` keeping the aspect ratio, re-encode if large.

    A small PNG, JPEG or WebP that fits goes as it is; other small ones (a GIF's first
    frame) become PNG; large or downscaled ones JPEG, or PNG if they have transparency.
    """
    image, fmt = decode(data)
    if image.isNull():
        raise AttachmentError(f"{name} looks like an image but cannot be decoded (damaged?).")
    scaled = image.width() > MAX_SIDE or image.height() > MAX_SIDE
    if scaled:
        image = image.scaled(
            MAX_SIDE,
            MAX_SIDE,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    kept = _KEPT_FORMATS.get(fmt)
    if kept and not scaled and len(data) <= REENCODE_BYTES:
        return PreparedImage(data, kept, image.width(), image.height())
    if image.hasAlphaChannel() or (not scaled and len(data) <= REENCODE_BYTES):
        out, media_type = encode(image, b"PNG"), "image/png"
    else:
        rgb = image.convertToFormat(QImage.Format.Format_RGB888)
        out, media_type = encode(rgb, b"JPEG", JPEG_QUALITY), "image/jpeg"
    return PreparedImage(out, media_type, image.width(), image.height())
