"""Reading and converting real files: text in UTF-8/UTF-16, PDFs made by Qt, refusals."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import pytest

from streamchat_desktop.attachments.errors import AttachmentError
from streamchat_desktop.attachments.parts import content_part
from streamchat_desktop.attachments.prepare import PreparedImage, prepare, read_path
from streamchat_desktop.core.attachments import AttachmentKind, ImagePart, TextPart
from tests.support.attachment_files import pdf_with_text, pdf_without_text


def no_images(name: str, data: bytes) -> PreparedImage:
    raise AssertionError("no image expected here")


def test_utf8_text_file_becomes_a_fenced_text_part_naming_the_file() -> None:
    text = "def hello():\n    return '```ünïcode'\n"
    content = prepare("hello.py", text.encode("utf-8"), no_images)

    assert content.attachment.kind is AttachmentKind.TEXT
    assert content.attachment.media_type == "text/x-python"
    assert content.attachment.size == len(text.encode("utf-8"))
    assert content.text == text
    part = content_part(content)
    assert isinstance(part, TextPart)
    assert part.text.startswith("Attached file: hello.py\n````\n")
    assert text in part.text and part.text.endswith("\n````")  # longer than ``` inside


@pytest.mark.parametrize("bom", [codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE])
def test_utf16_with_bom_is_decoded(bom: bytes) -> None:
    text = "Grüße, 世界\r\nline two"
    codec = "utf-16-le" if bom == codecs.BOM_UTF16_LE else "utf-16-be"
    content = prepare("notes.txt", bom + text.encode(codec), no_images)

    assert content.text == text
    assert content.attachment.media_type == "text/plain"


def test_utf8_bom_is_dropped() -> None:
    content = prepare("a.csv", codecs.BOM_UTF8 + b"a,b\n1,2\n", no_images)
    assert content.text == "a,b\n1,2\n"


def test_pdf_text_layer_with_page_count(tmp_path: Path, qapp: Any) -> None:
    path = pdf_with_text(tmp_path / "report.pdf", ["Quarterly zebra figures", "Second page"])
    content = read_path(path, no_images)

    assert content.attachment.kind is AttachmentKind.PDF
    assert content.attachment.media_type == "application/pdf"
    assert content.pages == 2
    assert content.text is not None
    assert "zebra" in content.text and "Second" in content.text
    part = content_part(content)
    assert isinstance(part, TextPart)
    assert part.text.startswith("Attached PDF: report.pdf (2 pages)\n")
    assert "zebra" in part.text


def test_pdf_without_text_layer_says_so(tmp_path: Path, qapp: Any) -> None:
    path = pdf_without_text(tmp_path / "scan.pdf")
    with pytest.raises(AttachmentError) as caught:
        read_path(path, no_images)
    assert caught.value.message == (
        "scan.pdf has no text layer (1 page(s), maybe scanned images): there is no text "
        "to send. Attach its pages as images instead."
    )


def test_encrypted_pdf_says_so(tmp_path: Path, qapp: Any) -> None:
    from pypdf import PdfReader, PdfWriter

    source = pdf_with_text(tmp_path / "plain.pdf", ["secret words"])
    writer = PdfWriter()
    for page in PdfReader(source).pages:
        writer.add_page(page)
    writer.encrypt(user_password="pw", algorithm="RC4-128")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as out:
        writer.write(out)

    with pytest.raises(AttachmentError) as caught:
        read_path(locked, no_images)
    assert caught.value.message == (
        "locked.pdf is encrypted with a password: its text cannot be read. "
        "Attach a copy without the password."
    )


def test_a_pdf_with_a_filter_pypdf_does_not_know_is_refused(tmp_path: Path, qapp: Any) -> None:
    data = pdf_with_text(tmp_path / "odd.pdf", ["words"]).read_bytes()
    assert b"/FlateDecode" in data
    with pytest.raises(AttachmentError, match=r"^odd\.pdf is a damaged PDF"):
        prepare("odd.pdf", data.replace(b"/FlateDecode", b"/FJateDecode"), no_images)


def test_damaged_pdf_is_refused_with_a_reason() -> None:
    with pytest.raises(AttachmentError, match=r"^broken\.pdf is a damaged PDF"):
        prepare("broken.pdf", b"%PDF-1.7\n garbage that is no PDF", no_images)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("archive.zip", b"PK\x03\x04\x14\x00\x00\x00\x08\x00\xff\xfe\x00\x01"),
        ("latin1.txt", "café".encode("latin-1")),
        ("program.bin", b"\x7fELF\x02\x01\x01\x00\x00\x00"),
    ],
)
def test_anything_else_is_refused_naming_the_accepted_kinds(name: str, data: bytes) -> None:
    with pytest.raises(AttachmentError) as caught:
        prepare(name, data, no_images)
    assert caught.value.message == (
        f"{name} cannot be attached: it is not a kind StreamChat can send. Accepted: images "
        "(PNG, JPEG, WebP, GIF), PDFs with a text layer, and text or code files (UTF-8, or "
        "UTF-16 with a byte-order mark)."
    )


def test_image_goes_through_the_image_preparer() -> None:
    seen: list[str] = []

    def images(name: str, data: bytes) -> PreparedImage:
        seen.append(name)
        return PreparedImage(b"small", "image/jpeg", 2, 1)

    content = prepare("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, images)

    assert seen == ["photo.png"]
    assert content.attachment.kind is AttachmentKind.IMAGE
    assert content.attachment.media_type == "image/png"  # the original's
    assert content.data.startswith(b"\x89PNG")  # the original is kept
    assert content_part(content) == ImagePart("data:image/jpeg;base64,c21hbGw=")


def test_missing_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AttachmentError) as caught:
        read_path(tmp_path / "nope.txt", no_images)
    assert caught.value.message == f"{tmp_path / 'nope.txt'} does not exist or is not a file."


def test_a_file_name_that_is_not_utf8_is_repaired(tmp_path: Path) -> None:
    path = tmp_path / "caf\udce9.txt"  # b"caf\xe9.txt" on disk, as os.fsdecode gives it
    path.write_bytes(b"menu")
    content = read_path(path, no_images)
    assert content.attachment.name == "caf\ufffd.txt"
    content.attachment.name.encode("utf-8")  # storable
