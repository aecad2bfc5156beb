"""ReplySaver: every save of a reply's text, so that a failed save loses nothing.

Apart from ``ChatService`` because riding out a full disk or a read-only database is
a job of its own: a failed save keeps the newest text of that message, tells the
listeners once, and tries again every ``SAVE_RETRY_INTERVAL`` seconds until it is
saved; at quit it tries once more and leaves nothing scheduled.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from streamchat_desktop.core.models import Message
from streamchat_desktop.core.observers import notify
from streamchat_desktop.core.store import ConversationStore

log = logging.getLogger(__name__)

SAVE_RETRY_INTERVAL = 2.0

SaveErrorListener = Callable[[Message, Exception], None]


class ReplySaver:
    """Saves messages to the store and keeps retrying those whose save failed."""

    def __init__(self, store: ConversationStore, is_streaming: Callable[[str], bool]) -> None:
        self._store = store
        self._is_streaming = is_streaming  # a streaming reply's checkpoints save it anew
        self._unsaved: dict[str, Message] = {}  # newest snapshot a failed save left behind
        self._retry: asyncio.TimerHandle | None = None
        self._listeners: list[SaveErrorListener] = []

    def add_error_listener(self, listener: SaveErrorListener) -> None:
        self._listeners.append(listener)

    def unsaved(self) -> list[Message]:
        """Messages whose latest text is not in the store yet."""
        return list(self._unsaved.values())

    def save(self, message: Message) -> None:
        """Save now; on failure keep the text, tell the listeners once, retry later."""
        try:
            self._store.save_message(message)
        except Exception as exc:  # disk full, locked DB: the text stays on screen
            first = message.id not in self._unsaved
            self._unsaved[message.id] = message
            if first:
                log.exception("could not save message %s; will retry", message.id)
                for listener in list(self._listeners):
                    notify(listener, message, exc)
            self._schedule_retry()
        else:
            self._unsaved.pop(message.id, None)

    def forget_conversation(self, conversation_id: str) -> None:
        """Drop what a deleted conversation left unsaved: there is nothing to save it to."""
        self._unsaved = {
            key: message
            for key, message in self._unsaved.items()
            if message.conversation_id != conversation_id
        }

    def retry_before_quit(self) -> None:
        """Try once more to save what is left, and schedule nothing after it."""
        self._retry_unsaved()
        if self._retry is not None:  # still failing (a full disk): no later retry at quit
            self._retry.cancel()
            self._retry = None

    def _schedule_retry(self) -> None:
        if self._retry is None:
            loop = asyncio.get_running_loop()
            self._retry = loop.call_later(SAVE_RETRY_INTERVAL, self._retry_unsaved)

    def _retry_unsaved(self) -> None:
        """Save again what a failed save left behind (the next checkpoint also does)."""
        if self._retry is not None:
            self._retry.cancel()
            self._retry = None
        for message in list(self._unsaved.values()):
            if self._is_streaming(message.id):
                continue  # the reply's own checkpoints will save a newer text
            try:
                self._store.save_message(message)
            except Exception as exc:
                log.debug("saving message %s failed again: %s", message.id, exc)
                self._schedule_retry()
                return
            self._unsaved.pop(message.id, None)
