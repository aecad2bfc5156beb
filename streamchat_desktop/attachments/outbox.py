"""The files of a prompt on their way out: checked, then stored before the request."""

from __future__ import annotations

from collections.abc import Sequence

from streamchat_desktop.attachments.errors import AttachmentError
from streamchat_desktop.attachments.limits import check_prompt, context_warning
from streamchat_desktop.attachments.prepare import ImagePreparer, PreparedImage, prepare
from streamchat_desktop.core.attachments import Attachment, AttachmentBlobs, AttachmentContent


class PromptFiles:
    """Applies the limits to a prompt's files and stores them, for the window and the
    companion alike.

    The context warning is given once per set of files: sending the same files again
    sends them anyway (the user was told and chose to).
    """

    def __init__(self, blobs: AttachmentBlobs, images: ImagePreparer | None = None) -> None:
        self._blobs = blobs
        self._images = images  # None: images are refused (nothing here decodes them)
        self._warned: frozenset[str] | None = None

    def prepare(self, name: str, data: bytes) -> AttachmentContent:
        """Convert an uploaded file (the companion view's); ``AttachmentError`` says why not."""
        return prepare(name, data, self._images or _no_images)

    def check(self, contents: Sequence[AttachmentContent]) -> None:
        """Raise ``AttachmentError`` for a refusal, or for a warning not yet given."""
        check_prompt(contents)
        warning = context_warning(contents)
        files = frozenset(content.attachment.sha256 for content in contents)
        if warning is not None and files != self._warned:
            self._warned = files
            raise AttachmentError(warning)

    def content(self, sha256: str) -> AttachmentContent | None:
        return self._blobs.attachment_content(sha256)

    def acknowledge(self, contents: Sequence[AttachmentContent]) -> None:
        """The user was warned another way (the command line printed it): send these."""
        self._warned = frozenset(content.attachment.sha256 for content in contents)

    def store(self, contents: Sequence[AttachmentContent]) -> tuple[Attachment, ...]:
        """Write every file's bytes (once per sha256); the prompt can then name them.

        Written before the prompt and its request: a crash mid-send loses no file.
        """
        for content in contents:
            self._blobs.put_attachment(content)
        self._warned = None
        return tuple(content.attachment for content in contents)


def _no_images(name: str, _data: bytes) -> PreparedImage:
    raise AttachmentError(f"{name} is an image, and images cannot be attached here.")
