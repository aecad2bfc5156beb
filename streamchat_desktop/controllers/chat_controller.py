"""ChatController: the Qt face of the ChatService for one window."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QTimer, Signal

from streamchat_desktop.attachments.errors import AttachmentError
from streamchat_desktop.attachments.outbox import PromptFiles
from streamchat_desktop.controllers.message_edits import MessageEdits
from streamchat_desktop.controllers.service_relay import ServiceRelay
from streamchat_desktop.core.attachments import AttachmentContent
from streamchat_desktop.core.branch import Branch
from streamchat_desktop.core.chat_service import ChatService
from streamchat_desktop.core.events import Failed, ReasoningDelta, TerminalEvent, TextDelta
from streamchat_desktop.core.models import Conversation, Message, Role
from streamchat_desktop.core.observers import ProgressEvent, ReplyStart
from streamchat_desktop.core.unicode_repair import repair_text
from streamchat_desktop.storage.errors import StorageError

log = logging.getLogger(__name__)


class ChatController(QObject):
    """Routes replies of every conversation to the window, and the window's intents back.

    Signals:
        reply_started(start): a ReplyStart: an answer began streaming, with the prompt
            and the branch of messages it answers.
        text_received(message_id, text): a delta of answer text.
        reasoning_received(message_id, text): a delta of reasoning text.
        reply_ended(conversation_id, message, stats): the one terminal signal of a
            reply; ``message`` is its final text and ``message.state`` says whether it
            finished, failed or was stopped (also when saving it failed).
        conversation_changed(conversation_id): the active conversation was replaced.
        conversation_updated(conversation): one conversation was created or changed
            (title, order, target).
        conversations_changed(): the list changed as a whole (a conversation was deleted).
        streaming_changed(bool): whether the active conversation has a reply in flight.
        retry_scheduled(seconds): Retry waits this long for the server's Retry-After.
        problem_reported(text): something failed that is not one reply's error
            (the database is full or read-only…); nothing typed is lost.
        branch_changed(branch): a conversation's active branch or its versions changed
            (a Branch: messages, ``‹ n/m ›`` positions, what can be continued); any
            conversation: compare ``branch.conversation_id``.
        message_deleted(deleted): a message was deleted; the DeletedMessage is what
            ``edits.undo_delete`` brings back (the window offers Undo).
        message_restored(deleted): an Undo brought that message back.
    """

    reply_started = Signal(object)
    text_received = Signal(str, str)
    reasoning_received = Signal(str, str)
    reply_ended = Signal(str, object, object)
    conversation_changed = Signal(str)
    conversation_updated = Signal(object)
    conversations_changed = Signal()
    streaming_changed = Signal(bool)
    problem_reported = Signal(str)
    retry_scheduled = Signal(float)
    branch_changed = Signal(object)
    message_deleted = Signal(object)
    message_restored = Signal(object)

    def __init__(
        self,
        service: ChatService,
        parent: QObject | None = None,
        files: PromptFiles | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._files = files  # None: this window cannot send attachments
        self._conversation_id: str | None = None
        self._retry_at: dict[str, float] = {}  # conversation id -> monotonic time allowed
        self.edits = MessageEdits(
            service,
            lambda: self._conversation_id,
            self.problem_reported.emit,
            self.message_deleted.emit,
            self.message_restored.emit,
        )
        self._relay = ServiceRelay(self)
        self._relay.started.connect(self._on_started)
        self._relay.progressed.connect(self._on_progressed)
        self._relay.ended.connect(self._on_ended)
        self._relay.updated.connect(self.conversation_updated)
        self._relay.deleted.connect(self.conversations_changed)
        self._relay.branched.connect(self._on_branched)
        service.add_observer(self._relay)

    @property
    def service(self) -> ChatService:
        return self._service

    @property
    def conversation_id(self) -> str | None:
        return self._conversation_id

    def conversation(self) -> Conversation | None:
        if self._conversation_id is None:
            return None
        return self._service.get_conversation(self._conversation_id)

    def messages(self) -> list[Message]:
        if self._conversation_id is None:
            return []
        return self._service.messages(self._conversation_id)

    def streaming_reply(self) -> Message | None:
        if self._conversation_id is None:
            return None
        return self._service.active_reply(self._conversation_id)

    def open_conversation(self, conversation_id: str) -> None:
        self._conversation_id = conversation_id
        self.edits.conversation_opened(conversation_id)
        self.conversation_changed.emit(conversation_id)
        self.streaming_changed.emit(self.streaming_reply() is not None)

    def new_conversation(self, **settings: object) -> str:
        conversation = self._service.new_conversation(**settings)
        self.open_conversation(conversation.id)
        return conversation.id

    def set_generation(self, system_prompt: str, temperature: float | None) -> None:
        """This conversation's system prompt and temperature, for its next replies."""
        conversation = self.conversation()
        if conversation is None:
            return
        self._service.update_conversation(
            dataclasses.replace(conversation, system_prompt=system_prompt, temperature=temperature)
        )

    def last_answer(self) -> Message | None:
        for message in reversed(self.messages()):
            if message.role is Role.ASSISTANT and message.content:
                return message
        return None

    def last_prompt(self) -> Message | None:
        """The user's last prompt in this conversation (what Edit puts back in the box)."""
        return next((m for m in reversed(self.messages()) if m.role is Role.USER), None)

    def set_target(self, provider_id: str | None, model: str | None) -> None:
        """Send this conversation's next replies to ``provider_id`` / ``model``."""
        conversation = self.conversation()
        if conversation is None:
            return
        updated = dataclasses.replace(conversation, provider_id=provider_id, model=model)
        if updated != conversation:
            self._service.update_conversation(updated)

    # Intents from the window ------------------------------------------------------

    def send(self, text: str, files: Sequence[AttachmentContent] = ()) -> bool:
        """Send a prompt (with files: text may be empty); False (and
        ``problem_reported``) if a file is refused or it could not even be saved.

        The prompt (typed, pasted, or ``--prompt``) is made encodable here, where it
        enters: a lone surrogate becomes U+FFFD."""
        text = repair_text(text.strip())
        if not text and not files:
            return False
        try:
            if files:
                if self._files is None:
                    raise AttachmentError("This window cannot send attachments.")
                self._files.check(files)
        except AttachmentError as exc:
            self.problem_reported.emit(exc.message)
            return False
        if self._conversation_id is None:
            self.new_conversation()
        assert self._conversation_id is not None
        try:
            attachments = self._files.store(files) if self._files and files else ()
            self._service.send(self._conversation_id, text, attachments)
        except StorageError as exc:
            self.problem_reported.emit(exc.message)
            return False
        return True

    def attachment_content(self, sha256: str) -> AttachmentContent | None:
        """A stored file's bytes (to show or open it); None if it is not stored."""
        return self._files.content(sha256) if self._files is not None else None

    def conversations(self) -> list[Conversation]:
        return self._service.list_conversations()

    def rename_conversation(self, conversation_id: str, title: str) -> None:
        conversation = self._service.get_conversation(conversation_id)
        title = " ".join(title.split())
        if conversation is None or not title:
            return
        self._service.update_conversation(dataclasses.replace(conversation, title=title))
        if conversation_id == self._conversation_id:
            self.conversation_changed.emit(conversation_id)

    def delete_conversation(self, conversation_id: str) -> None:
        """Stop its reply (if any), delete it, and move to the newest remaining one."""
        self._service.delete_conversation(conversation_id)  # conversations_changed follows
        if conversation_id == self._conversation_id:
            remaining = self.conversations()
            if remaining:
                self.open_conversation(remaining[0].id)
            else:
                self.new_conversation()

    def reveal_message(self, conversation_id: str, message_id: str) -> None:
        """Open the conversation with this message on screen (a search hit, maybe in an
        earlier version)."""
        self._service.reveal(message_id)
        self.open_conversation(conversation_id)

    def step_version(self, step: int) -> str | None:
        """Show the previous (-1) or next (+1) version of the newest message that has
        several; returns e.g. "Version 2 of 3", or None when there is none."""
        if self.streaming_reply() is not None:
            return None
        branch = self.edits.branch()
        newest = next(
            (m.id for m in reversed(branch.messages) if branch.position(m.id) is not None), None
        )
        if newest is None:
            return None
        shown = self.edits.step_version_of(newest, step)
        if self._conversation_id is not None:
            self.conversation_changed.emit(self._conversation_id)
        if shown is None:  # at either end: say where it stands
            number, count = branch.position(newest) or (1, 1)
            shown = f"Version {number} of {count}"
        return shown

    def continue_reply(self, message_id: str) -> None:
        """Ask the model to go on with an answer cut at the token limit (the last one:
        an older answer's Continue link says so)."""
        conversation_id = self._conversation_id
        if conversation_id is None or not self._can_ask_again(conversation_id):
            return
        if self._service.messages(conversation_id)[-1].id != message_id:
            self.problem_reported.emit("Only the last answer can be continued.")
            return
        self._ask(lambda: self._service.continue_reply(conversation_id, message_id))

    def regenerate(self) -> None:
        conversation_id = self._conversation_id
        if conversation_id is not None and self._can_ask_again(conversation_id):
            self._ask(lambda: self._service.regenerate(conversation_id))

    def edit_and_resend(self, message_id: str, text: str) -> bool:
        """Replace a prompt; the answers after it stay reachable as an earlier version."""
        cid = self._conversation_id
        if cid is None or self.streaming_reply() is not None:
            return False
        prompt = repair_text(text.strip())
        if not self.edits.act(lambda: self._service.edit_and_resend(cid, message_id, prompt)):
            return False
        self.conversation_changed.emit(cid)
        return True

    def stop(self) -> None:
        reply = self.streaming_reply()
        if reply is not None:
            self._service.stop(reply.id)

    def retry(self) -> None:
        """Ask again; after a rate limit, only once the server's Retry-After has passed."""
        conversation_id = self._conversation_id
        if conversation_id is None or not self._can_ask_again(conversation_id):
            return  # a new conversation, or one whose answer streams: nothing to retry
        wait = self._retry_at.get(conversation_id, 0.0) - time.monotonic()
        if wait > 0:
            self.retry_scheduled.emit(wait)
            QTimer.singleShot(int(wait * 1000), lambda: self._retry_now(conversation_id))
            return
        self._retry_now(conversation_id)

    def _retry_now(self, conversation_id: str) -> None:
        """Retry, unless the wait changed things: the conversation was deleted, or a reply
        already streams there (the user sent or retried meanwhile)."""
        self._retry_at.pop(conversation_id, None)
        if self._service.get_conversation(conversation_id) is None:
            return
        if self._can_ask_again(conversation_id):
            self._ask(lambda: self._service.retry(conversation_id))

    def _can_ask_again(self, conversation_id: str) -> bool:
        """Whether the conversation ends with an answer and no reply streams in it."""
        if self._service.active_reply(conversation_id) is not None:
            return False
        history = self._service.messages(conversation_id)
        return bool(history) and history[-1].role is Role.ASSISTANT

    def _ask(self, action: Callable[[], object]) -> None:
        """Start a reply; a store that cannot write (disk full) is told, not raised."""
        try:
            action()
        except StorageError as exc:
            self.problem_reported.emit(exc.message)

    def detach(self) -> None:
        """Stop listening to the service (the window is closing)."""
        self._service.remove_observer(self._relay)

    # From the service ---------------------------------------------------------------

    def _on_branched(self, branch: Branch) -> None:
        self.edits.branch_changed(branch)
        self.branch_changed.emit(branch)

    def _on_started(self, start: ReplyStart) -> None:
        self.edits.branch_changed(None)
        self.reply_started.emit(start)
        if start.conversation.id == self._conversation_id:
            self.streaming_changed.emit(True)

    def _on_progressed(self, _conversation_id: str, message_id: str, event: ProgressEvent) -> None:
        if isinstance(event, TextDelta):
            self.text_received.emit(message_id, event.text)
        elif isinstance(event, ReasoningDelta):
            self.reasoning_received.emit(message_id, event.text)

    def _on_ended(self, message: Message, event: TerminalEvent) -> None:
        conversation_id = message.conversation_id
        self.edits.branch_changed(None)
        if isinstance(event, Failed) and event.error.retry_after:
            self._retry_at[conversation_id] = time.monotonic() + event.error.retry_after
        self.reply_ended.emit(conversation_id, message, event.stats)
        if conversation_id == self._conversation_id:
            self.streaming_changed.emit(False)
