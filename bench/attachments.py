"""Attachment preparation cost: what a drop, a paste or an upload spends before the chip
shows. Files are made here with Qt: a 12-megapixel photo (JPEG and PNG), a 200-page PDF
with a text layer, a 1 MB text file. Each is prepared several times; the median is
reported. The last line is JSON.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/attachments.py
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QGuiApplication

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from streamchat_desktop.attachments.prepare import prepare
from streamchat_desktop.imaging.images import prepare_image
from tests.support.attachment_files import pdf_with_text, png_bytes

RUNS = 5


def median_ms(work: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def main() -> None:
    _app = QGuiApplication(sys.argv[:1])
    photo_jpeg = png_bytes(4000, 3000, fmt="JPEG")
    photo_png = png_bytes(4000, 3000, fmt="PNG")
    with tempfile.TemporaryDirectory() as folder:
        page = "The quick brown fox jumps over the lazy dog. " * 12
        pdf = pdf_with_text(Path(folder) / "long.pdf", [page] * 200).read_bytes()
    text = ("x" * 99 + "\n").encode() * 10_000
    results = {
        "photo_jpeg_12mp_ms": median_ms(lambda: prepare("p.jpg", photo_jpeg, prepare_image)),
        "photo_png_12mp_ms": median_ms(lambda: prepare("p.png", photo_png, prepare_image)),
        "pdf_200_pages_ms": median_ms(lambda: prepare("long.pdf", pdf, prepare_image)),
        "text_1mb_ms": median_ms(lambda: prepare("t.txt", text, prepare_image)),
        "pdf_bytes": len(pdf),
    }
    for name, value in results.items():
        print(f"{name:>22}: {value}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
