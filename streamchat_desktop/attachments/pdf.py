"""A PDF's text layer through pypdf, or a clear reason why there is none."""

from __future__ import annotations

import io
import logging

from streamchat_desktop.attachments.errors import AttachmentError
from streamchat_desktop.core.unicode_repair import repair_text

log = logging.getLogger(__name__)


def pdf_text(name: str, data: bytes) -> tuple[str, int]:
    """The text of every page (pages separated by a blank line) and the page count."""
    from pypdf import PdfReader  # on first PDF: pypdf costs ≈ 60 ms to import
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise _encrypted(name)
        pages = [page.extract_text() or "" for page in reader.pages]
    except AttachmentError:
        raise
    except (FileNotDecryptedError, DependencyError):
        raise _encrypted(name) from None
    # PyPdfError covers LimitReachedError (a self-referencing object, a stream too large
    # once decompressed); NotImplementedError is a filter pypdf does not know
    except (PyPdfError, NotImplementedError, ValueError, KeyError, TypeError, OSError) as exc:
        log.info("cannot read PDF %s: %s", name, exc)
        raise AttachmentError(f"{name} is a damaged PDF and cannot be read ({exc}).") from None
    # pypdf marks wide gaps between words (Qt's PDFs: every gap) with tabs: spaces read
    # better to the model and in search snippets
    text = "\n\n".join(page.replace("\t", " ").strip() for page in pages).strip()
    text = repair_text(text)  # a broken ToUnicode map can yield lone surrogates
    if not text:
        raise AttachmentError(
            f"{name} has no text layer ({len(pages)} page(s), maybe scanned images): "
            "there is no text to send. Attach its pages as images instead."
        )
    return text, len(pages)


def _encrypted(name: str) -> AttachmentError:
    return AttachmentError(
        f"{name} is encrypted with a password: its text cannot be read. "
        "Attach a copy without the password."
    )


def check_pdf_reader() -> str:
    """Write a one-page PDF and read it back (``--selftest``); pypdf's version."""
    from pypdf import PdfReader, PdfWriter, __version__

    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    buffer = io.BytesIO()
    writer.write(buffer)
    pages = len(PdfReader(io.BytesIO(buffer.getvalue())).pages)
    if pages != 1:
        raise RuntimeError(f"pypdf read {pages} pages of a one-page PDF")
    return f"pypdf {__version__}"
