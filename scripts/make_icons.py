"""Render the app icon from resources/streamchat.svg into every size the platforms want.

Writes resources/icons/streamchat-<N>.png, resources/streamchat.ico (Windows),
resources/streamchat.icns (macOS) and the PNGs the running app loads
(streamchat_desktop/resources/icons/). The outputs are committed, so building the app
needs no generator; rerun this after editing the SVG:

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/make_icons.py

Rendering uses Qt's own SVG renderer (PySide6.QtSvg, in PySide6-Essentials). Qt's ICO
and ICNS writers store a single image, so the two containers are assembled here: both
formats accept PNG payloads, one per size, which keeps every size crisp.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "resources" / "streamchat.svg"
PNG_DIR = ROOT / "resources" / "icons"
APP_ICON_DIR = ROOT / "streamchat_desktop" / "resources" / "icons"
ICO = ROOT / "resources" / "streamchat.ico"
ICNS = ROOT / "resources" / "streamchat.icns"

PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # 256 is the largest ICO can describe
# ICNS element types holding PNG data, with their pixel size (the @2x types included).
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic10", 1024),
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic13", 256),
    (b"ic14", 512),
)


def png_name(size: int) -> str:
    return f"streamchat-{size}.png"


def render_png(svg: Path, size: int) -> bytes:
    """The SVG drawn at ``size``×``size`` pixels, encoded as PNG."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QImageWriter, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg}: not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, QByteArray(b"png"))
    if not writer.write(image.convertToFormat(QImage.Format.Format_ARGB32)):
        raise OSError(f"PNG encoding failed: {writer.errorString()}")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICO file with one PNG-compressed image per size (Windows Vista and later)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, payload = b"", b""
    for size in sizes:
        data = pngs[size]
        dim = 0 if size >= 256 else size  # 0 means 256 in an ICO directory entry
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        payload += data
        offset += len(data)
    return header + entries + payload


def icns_bytes(elements: list[tuple[bytes, bytes]]) -> bytes:
    """An ICNS file: big-endian (type, length, data) elements after an ``icns`` header."""
    body = b"".join(kind + struct.pack(">I", len(data) + 8) + data for kind, data in elements)
    return b"icns" + struct.pack(">I", len(body) + 8) + body


def main() -> int:
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    sizes = sorted(set(PNG_SIZES) | {size for _, size in ICNS_TYPES})
    pngs = {size: render_png(SVG, size) for size in sizes}
    PNG_DIR.mkdir(parents=True, exist_ok=True)
    APP_ICON_DIR.mkdir(parents=True, exist_ok=True)
    for size in PNG_SIZES:
        (PNG_DIR / png_name(size)).write_bytes(pngs[size])
        (APP_ICON_DIR / png_name(size)).write_bytes(pngs[size])
    ICO.write_bytes(ico_bytes({size: pngs[size] for size in ICO_SIZES}))
    ICNS.write_bytes(icns_bytes([(kind, pngs[size]) for kind, size in ICNS_TYPES]))
    print(f"wrote {len(PNG_SIZES)} PNG sizes, {ICO.name}, {ICNS.name}")
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
