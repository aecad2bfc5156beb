"""Every limit checked before sending, each with its own message."""

from __future__ import annotations

import pytest

from streamchat_desktop.attachments import limits
from streamchat_desktop.attachments.errors import AttachmentError
from streamchat_desktop.attachments.prepare import PreparedImage, prepare
from streamchat_desktop.core.attachments import (
    Attachment,
    AttachmentContent,
    AttachmentKind,
    format_size,
)


def no_images(name: str, data: bytes) -> PreparedImage:
    raise AssertionError("no image expected here")


def text_content(name: str, text: str) -> AttachmentContent:
    return prepare(name, text.encode(), no_images)


def test_file_over_20_mb_is_refused_before_it_is_read() -> None:
    with pytest.raises(AttachmentError) as caught:
        limits.check_file_size("movie.png", 21 * 1024 * 1024)
    assert caught.value.message == "movie.png is 21 MB: files up to 20 MB can be attached."


def test_empty_file_is_refused_not_sent_as_nothing() -> None:
    with pytest.raises(AttachmentError) as caught:
        prepare("empty.pdf", b"", no_images)
    assert caught.value.message == "empty.pdf is empty (0 bytes): there is nothing to attach."


def test_text_file_over_1_mb_is_refused() -> None:
    big = ("x" * 99 + "\n").encode() * 10_500  # 1.0 MB and a bit
    with pytest.raises(AttachmentError) as caught:
        prepare("log.txt", big, no_images)
    assert caught.value.message == (
        "log.txt is 1 MB of text: text and code files up to 1 MB can be attached."
    )


def test_more_than_ten_files_is_refused() -> None:
    contents = [text_content(f"f{i}.txt", "hi") for i in range(11)]
    with pytest.raises(AttachmentError) as caught:
        limits.check_prompt(contents)
    assert caught.value.message == (
        "A prompt can carry at most 10 files; this one has 11. "
        "Remove some, or send them in two prompts."
    )
    limits.check_prompt(contents[:10])  # ten are fine


def test_prompt_check_refuses_a_file_over_the_size_limit() -> None:
    huge = Attachment("x.png", "image/png", 30 * 1024 * 1024, "0" * 64, AttachmentKind.IMAGE)
    with pytest.raises(AttachmentError, match=r"^x\.png is 30 MB: files up to 20 MB"):
        limits.check_prompt([AttachmentContent(huge, b"")])


def test_text_likely_past_the_context_is_warned_about() -> None:
    contents = [text_content("a.txt", "word " * 20_000), text_content("b.txt", "word " * 10_000)]
    assert limits.context_warning(contents[:1]) is None  # 25,000 tokens: fits 32,000
    assert limits.context_warning(contents) == (
        "The attached files add about 37,500 tokens of text, likely more than the model's "
        "context (about 32,000 tokens): the server may refuse the prompt or cut it. "
        "Remove a file, or send again to send it anyway."
    )


@pytest.mark.parametrize(
    ("size", "shown"),
    [(0, "0 B"), (1023, "1023 B"), (1024, "1 KB"), (1536, "1.5 KB"), (20 * 1024**2, "20 MB")],
)
def test_sizes_read_as_people_read_them(size: int, shown: str) -> None:
    assert format_size(size) == shown


class Blobs:
    def __init__(self) -> None:
        self.stored: dict[str, AttachmentContent] = {}

    def put_attachment(self, content: AttachmentContent) -> None:
        self.stored[content.attachment.sha256] = content

    def attachment_content(self, sha256: str) -> AttachmentContent | None:
        return self.stored.get(sha256)


def test_context_warning_is_given_once_then_the_same_files_go() -> None:
    from streamchat_desktop.attachments.outbox import PromptFiles

    files = PromptFiles(Blobs())
    big = [text_content("a.txt", "word " * 30_000)]
    with pytest.raises(AttachmentError, match="likely more than the model's context"):
        files.check(big)
    files.check(big)  # sent again: the user chose to
    other = [text_content("b.txt", "more " * 30_000)]
    with pytest.raises(AttachmentError, match="likely more than the model's context"):
        files.check(other)  # other files: warned again


def test_refusals_are_not_waved_through_by_sending_again() -> None:
    from streamchat_desktop.attachments.outbox import PromptFiles

    files = PromptFiles(Blobs())
    many = [text_content(f"f{i}.txt", str(i)) for i in range(12)]
    for _ in range(2):
        with pytest.raises(AttachmentError, match="at most 10 files"):
            files.check(many)
