"""Real files for attachment tests, made by Qt in the test, and readers of what was sent.

A PNG from QImage, PDFs from QPdfWriter (one with a text layer, one with only a drawn
picture), text in UTF-8 and UTF-16; and the image/text parts of a recorded request.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPageSize, QPainter, QPdfWriter

from streamchat_desktop.imaging.images import encode


def png_bytes(width: int, height: int, color: str = "#3366cc", fmt: str = "PNG") -> bytes:
    """A real image in ``fmt`` (PNG, JPEG, GIF, WEBP), opaque, one diagonal line."""
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    painter = QPainter(image)
    painter.setPen(QColor("white"))
    painter.drawLine(0, 0, width - 1, height - 1)
    painter.end()
    return encode(image, fmt.encode())


def pdf_with_text(path: Path, pages: list[str]) -> Path:
    """A PDF whose pages carry these words as real text (a text layer)."""
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    painter = QPainter(writer)
    for index, text in enumerate(pages):
        if index:
            writer.newPage()
        painter.drawText(QRectF(100, 100, 8000, 2000), Qt.AlignmentFlag.AlignLeft, text)
    painter.end()
    return path


def pdf_without_text(path: Path) -> Path:
    """A PDF with a drawn picture and no text at all (like a scanned page)."""
    writer = QPdfWriter(str(path))
    painter = QPainter(writer)
    painter.fillRect(QRectF(100, 100, 3000, 3000), QColor("black"))
    painter.end()
    return path


def image_parts(body: dict[str, Any]) -> list[QImage]:
    """Every ``image_url`` part of the request's messages, decoded from its data: URL."""
    images = []
    for part in _parts(body):
        if part.get("type") == "image_url":
            url = part["image_url"]["url"]
            header, _, data = url.partition(",")
            assert header.startswith("data:image/") and header.endswith(";base64"), header
            image = QImage.fromData(base64.b64decode(data))
            assert not image.isNull()
            images.append(image)
    return images


def text_parts(body: dict[str, Any]) -> list[str]:
    return [part["text"] for part in _parts(body) if part.get("type") == "text"]


def _parts(body: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for message in body["messages"]:
        if isinstance(message["content"], list):
            found.extend(message["content"])
    return found


def two_frame_gif() -> bytes:
    """A 1x1 GIF89a with two frames: red, then blue (Qt reads GIF but cannot write it)."""
    header = b"GIF89a" + bytes([1, 0, 1, 0, 0x80, 0, 0])  # 1x1, 2-colour global table
    palette = bytes([255, 0, 0, 0, 0, 255])  # index 0 red, index 1 blue
    loop = b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"

    def frame(lzw: bytes) -> bytes:
        control = b"\x21\xf9\x04\x00\x0a\x00\x00\x00"  # 0.1 s, no transparency
        descriptor = b"\x2c" + bytes([0, 0, 0, 0, 1, 0, 1, 0, 0])
        return control + descriptor + b"\x02\x02" + lzw + b"\x00"

    # LZW (minimum code size 2): clear, the pixel's index, end
    return header + palette + loop + frame(b"\x44\x01") + frame(b"\x4c\x01") + b"\x3b"
