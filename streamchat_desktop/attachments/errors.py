"""The one error of this layer: a file that cannot go with a prompt, and why."""

from __future__ import annotations


class AttachmentError(ValueError):
    """Refused before anything is sent; ``message`` is one sentence for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
