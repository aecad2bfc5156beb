"""Following the bottom of the transcript, and scrolling to a message on request.

Separate from the view because it is the one rule of where the view stands: new text
scrolls it only while the user is at the bottom (within ``FOLLOW_SLACK_PX``); scrolling up
stops that, and near the top it asks for the earlier messages not rendered yet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from streamchat_desktop.ui.transcript.look import TranscriptLook

if TYPE_CHECKING:
    from streamchat_desktop.core.models import Message
    from streamchat_desktop.ui.transcript.opening import EarlierMessages

FOLLOW_SLACK_PX = 8


class FollowScroll(TranscriptLook):
    """Scroll position and following for ``view.TranscriptView``."""

    _messages: list[Message]
    _following: bool
    _updating: bool
    _earlier: EarlierMessages

    def _init_follow(self) -> None:
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        bar.rangeChanged.connect(self._on_range_changed)

    def is_following(self) -> bool:
        """Whether new text scrolls the view (the user is at the bottom)."""
        return self._following

    def scroll_to_message(self, message_id: str) -> bool:
        """Bring a message's header to the top of the view (a search hit); found?
        A message not rendered yet is rendered first, with every message after it."""
        from streamchat_desktop.ui.transcript.properties import MESSAGE_ID_PROPERTY

        for index, message in enumerate(self._messages[: self._earlier.pending]):
            if message.id == message_id:
                self._earlier.load_to(index)
                break
        document = self.document()
        block = document.begin()
        while block.isValid():
            if block.blockFormat().property(MESSAGE_ID_PROPERTY) == message_id:
                top = document.documentLayout().blockBoundingRect(block).top()
                self._following = False
                self.verticalScrollBar().setValue(int(top))
                return True
            block = block.next()
        return False

    def _at_bottom(self) -> bool:
        bar = self.verticalScrollBar()
        return bar.value() >= bar.maximum() - FOLLOW_SLACK_PX

    def _on_scrolled(self, value: int) -> None:
        if not self._updating:
            self._following = self._at_bottom()
            if self._earlier.pending and value < self.viewport().height():
                self._earlier.load_batch()  # scrolled near the top: the earlier messages

    def _on_range_changed(self, _minimum: int, _maximum: int) -> None:
        if self._following:
            self._scroll_to_bottom()

    def _scroll_to_bottom(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())
