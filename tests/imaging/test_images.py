"""Images as sent: fit 2,048 px keeping the aspect, re-encoded when large, GIF's first frame."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtGui import QColor, QImage

from streamchat_desktop.attachments.errors import AttachmentError
from streamchat_desktop.imaging.images import MAX_SIDE, encode, prepare_image
from tests.support.attachment_files import png_bytes, two_frame_gif


@pytest.mark.parametrize(("width", "height"), [(4096, 2048), (1000, 3000), (2049, 2049)])
def test_large_images_are_downscaled_keeping_the_aspect(qapp: Any, width: int, height: int) -> None:
    prepared = prepare_image("big.png", png_bytes(width, height))

    sent = QImage.fromData(prepared.data)
    assert max(sent.width(), sent.height()) == MAX_SIDE
    assert abs(sent.width() / sent.height() - width / height) < 0.002
    assert (prepared.width, prepared.height) == (sent.width(), sent.height())
    assert prepared.media_type == "image/jpeg"  # opaque: re-encoded as JPEG


def test_small_image_is_sent_as_it_is(qapp: Any) -> None:
    original = png_bytes(300, 200)
    prepared = prepare_image("small.png", original)
    assert prepared.data == original
    assert (prepared.media_type, prepared.width, prepared.height) == ("image/png", 300, 200)


def test_webp_that_fits_stays_webp(qapp: Any) -> None:
    original = png_bytes(64, 48, fmt="WEBP")
    prepared = prepare_image("a.webp", original)
    assert (prepared.data, prepared.media_type) == (original, "image/webp")


def test_large_file_that_fits_is_reencoded(qapp: Any) -> None:
    original = png_bytes(2000, 2000, fmt="BMP")  # 12 MB uncompressed
    prepared = prepare_image("scan.bmp", original)
    assert prepared.media_type == "image/jpeg"
    assert len(prepared.data) < len(original) // 10
    assert (prepared.width, prepared.height) == (2000, 2000)


def test_transparent_image_stays_png(qapp: Any) -> None:
    image = QImage(3000, 1500, QImage.Format.Format_ARGB32)
    image.fill(QColor(0, 0, 255, 128))
    prepared = prepare_image("alpha.png", encode(image, b"PNG"))
    sent = QImage.fromData(prepared.data)
    assert prepared.media_type == "image/png"
    assert (sent.width(), sent.height()) == (2048, 1024)
    assert sent.hasAlphaChannel()


def test_gif_is_sent_as_its_first_frame(qapp: Any) -> None:
    prepared = prepare_image("anim.gif", two_frame_gif())
    assert prepared.media_type == "image/png"
    sent = QImage.fromData(prepared.data)
    assert sent.pixelColor(0, 0).name() == "#ff0000"


def test_damaged_image_says_so(qapp: Any) -> None:
    with pytest.raises(AttachmentError) as caught:
        prepare_image("cut.png", png_bytes(50, 50)[:30])
    assert caught.value.message == ("cut.png looks like an image but cannot be decoded (damaged?).")
