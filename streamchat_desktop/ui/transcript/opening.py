"""Opening a long conversation: the last screen first, the older messages above it later.

Rendering 1,000 messages took seconds, on every conversation switch and every launch into
it. Opening renders only the last ``OPEN_CHARACTERS`` of the conversation (the last message
at least), under a note saying how many earlier messages are still to come. The earlier
messages are then written above, newest first, ``BATCH_CHARACTERS`` at a time between
events (not while a reply streams), while the document is under ``IDLE_DOCUMENT_LIMIT``
characters; past that, one batch is written each time the view is scrolled near the top.
Qt lays out everything below an insertion again (about 0.1 s for a 2.6M-character
document, measured), so a batch costs more the longer the document is: idle loading stops
where a batch still fits in a frame. ``load_to`` brings
in everything from a given message at once (a search hit, "scroll to message").

A prepended batch keeps what is on screen in place (the scroll value moves by the height
added) and the user's selection (Qt moves cursors with the text). When the last batch is
in, the note goes and the document is the one a one-shot render gives.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

if TYPE_CHECKING:
    from streamchat_desktop.core.models import Message

OPEN_CHARACTERS = 8_000
BATCH_CHARACTERS = 3_000
IDLE_DOCUMENT_LIMIT = 60_000
FIRST_DELAY_MS = 50  # the last screen is painted before the first batch
SLICE_GAP_MS = 2
BUSY_RETRY_MS = 200
MESSAGE_COST = 200  # characters a message costs beyond its text (header, blocks, layout)


def _cost(message: Message) -> int:
    return len(message.content) + len(message.reasoning) + MESSAGE_COST


def opening_split(messages: Sequence[Message], budget: int = -1) -> int:
    """The index of the first message rendered when opening: the last ones within
    ``OPEN_CHARACTERS`` characters of content, and at least the last."""
    budget = OPEN_CHARACTERS if budget < 0 else budget
    total = 0
    index = len(messages)
    while index > 0:
        total += _cost(messages[index - 1])
        if total > budget and index < len(messages):
            break
        index -= 1
    return index


class EarlierMessages(QObject):
    """Writes the messages not rendered yet (the first ``pending`` ones) above the others.

    ``prepend(start, end)`` writes messages ``[start, end)`` above the rendered ones
    (the view's job); ``document_size()`` gives the document's size in characters;
    ``busy()`` says a reply is streaming.
    """

    def __init__(
        self,
        prepend: Callable[[int, int], None],
        document_size: Callable[[], int],
        busy: Callable[[], bool],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._prepend = prepend
        self._document_size = document_size
        self._busy = busy
        self._messages: Sequence[Message] = ()
        self.pending = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SLICE_GAP_MS)
        self._timer.timeout.connect(self._on_slice_due)

    def start(self, messages: Sequence[Message], pending: int) -> None:
        """``messages[:pending]`` are still to be written (the view holds the list)."""
        self._messages = messages
        self.pending = pending
        self._timer.stop()
        if pending:
            self._timer.start(FIRST_DELAY_MS)

    def stop(self) -> None:
        self._timer.stop()
        self.pending = 0

    def load_batch(self) -> None:
        """Write the next batch of earlier messages (newest first) now."""
        if not self.pending:
            return
        start = self.pending
        size = 0
        while start > 0 and (size < BATCH_CHARACTERS or start == self.pending):
            start -= 1
            size += _cost(self._messages[start])
        self._write(start)

    def load_to(self, index: int) -> None:
        """Write every message from ``index`` on now (no-op if it is shown already)."""
        if index < self.pending:
            self._write(index)

    def _write(self, start: int) -> None:
        end, self.pending = self.pending, start
        self._prepend(start, end)
        if not self.pending:
            self._timer.stop()

    def _on_slice_due(self) -> None:
        if not self.pending or self._document_size() > IDLE_DOCUMENT_LIMIT:
            return  # the rest comes as the view is scrolled up
        if self._busy():
            self._timer.start(BUSY_RETRY_MS)  # a reply is streaming: it goes first
            return
        self.load_batch()
        if self.pending:
            self._timer.start(SLICE_GAP_MS)
