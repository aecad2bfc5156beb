"""``--attach PATH``: every file read and checked before the window opens, so a bad
one ends the launch with its reason (exit 2) and nothing is sent."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from streamchat_desktop.attachments.errors import AttachmentError
from streamchat_desktop.attachments.limits import check_count, check_prompt, context_warning
from streamchat_desktop.attachments.prepare import read_path
from streamchat_desktop.core.attachments import AttachmentContent

EXIT_BAD_ATTACHMENT = 2


def read_attachments(paths: Sequence[str]) -> list[AttachmentContent]:
    """The files, checked against every limit; ``AttachmentError`` names the first
    problem. A likely-too-long text is only warned about, on stderr."""
    from streamchat_desktop.imaging.images import prepare_image  # loads QtGui

    check_count(len(paths))  # before any is read
    contents = [read_path(Path(path), prepare_image) for path in paths]
    check_prompt(contents)
    warning = context_warning(contents)
    if warning is not None:
        print(f"streamchat: warning: {warning.split(' Remove a file')[0]}", file=sys.stderr)
    return contents


def attachments_or_exit(paths: Sequence[str]) -> list[AttachmentContent] | int:
    """The prepared files, or the exit code after the reason went to stderr."""
    try:
        return read_attachments(paths)
    except AttachmentError as exc:
        print(f"streamchat: {exc.message} Nothing was sent.", file=sys.stderr)
        return EXIT_BAD_ATTACHMENT
