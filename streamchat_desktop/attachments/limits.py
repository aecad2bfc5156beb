"""The limits checked before a prompt with files is sent, each with its own message.

Size per file and number per prompt are refusals; the text that files add is a
warning (the model's context is not known here, only guessed), which the user can
send past.
"""

from __future__ import annotations

from collections.abc import Sequence

from streamchat_desktop.attachments.errors import AttachmentError
from streamchat_desktop.core.attachments import (
    MAX_FILE_BYTES,
    MAX_FILES,
    AttachmentContent,
    format_size,
)

MAX_TEXT_FILE_BYTES = 1024 * 1024
# Without the model's own figure, a context most current models have at least.
DEFAULT_CONTEXT_TOKENS = 32_000
CHARS_PER_TOKEN = 4  # the usual rough estimate for English text and code

ACCEPTED_KINDS = "images (PNG, JPEG, WebP, GIF), PDFs with a text layer, and text or code files"


def check_file_size(name: str, size: int) -> None:
    """Refuse a file over the per-file limit (before reading it), or an empty one."""
    if size == 0:
        raise AttachmentError(f"{name} is empty (0 bytes): there is nothing to attach.")
    if size > MAX_FILE_BYTES:
        raise AttachmentError(
            f"{name} is {format_size(size)}: files up to {format_size(MAX_FILE_BYTES)} "
            "can be attached."
        )


def check_text_file_size(name: str, size: int) -> None:
    if size > MAX_TEXT_FILE_BYTES:
        raise AttachmentError(
            f"{name} is {format_size(size)} of text: text and code files up to "
            f"{format_size(MAX_TEXT_FILE_BYTES)} can be attached."
        )


def check_count(count: int) -> None:
    if count > MAX_FILES:
        raise AttachmentError(
            f"A prompt can carry at most {MAX_FILES} files; this one has {count}. "
            "Remove some, or send them in two prompts."
        )


def added_tokens(contents: Sequence[AttachmentContent]) -> int:
    """A rough count of the tokens the files' text adds to the prompt."""
    chars = sum(len(content.text or "") for content in contents)
    return chars // CHARS_PER_TOKEN


def context_warning(
    contents: Sequence[AttachmentContent], context_tokens: int = DEFAULT_CONTEXT_TOKENS
) -> str | None:
    """A warning when the files' text is likely past the model's context, else None."""
    tokens = added_tokens(contents)
    if tokens <= context_tokens:
        return None
    return (
        f"The attached files add about {tokens:,} tokens of text, likely more than the "
        f"model's context (about {context_tokens:,} tokens): the server may refuse the "
        "prompt or cut it. Remove a file, or send again to send it anyway."
    )


def check_prompt(contents: Sequence[AttachmentContent]) -> None:
    """The refusals for a whole prompt: the number of files, then each file's size."""
    check_count(len(contents))
    for content in contents:
        check_file_size(content.attachment.name, content.attachment.size)
