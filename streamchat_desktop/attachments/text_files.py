"""Text and code files: decoded strictly, and fenced by name in the prompt."""

from __future__ import annotations

import codecs
import re

from streamchat_desktop.attachments.errors import AttachmentError
from streamchat_desktop.attachments.limits import ACCEPTED_KINDS

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control characters no text file holds (tab, newlines, form feed and ESC are fine).
_BINARY = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def decode_text(name: str, data: bytes) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with its BOM; anything else is refused."""
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), "utf-8")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise not_accepted(name) from None
    if _BINARY.search(text):
        raise not_accepted(name)
    return text


def not_accepted(name: str) -> AttachmentError:
    return AttachmentError(
        f"{name} cannot be attached: it is not a kind StreamChat can send. "
        f"Accepted: {ACCEPTED_KINDS} (UTF-8, or UTF-16 with a byte-order mark)."
    )


def fenced(heading: str, text: str) -> str:
    """``heading`` then the text in a code fence longer than any backtick run inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    body = text if text.endswith("\n") else text + "\n"
    return f"{heading}\n{fence}\n{body}{fence}"
