"""ChatService: conversations, the replies streaming in them, and who hears about it.

It starts each reply as a ``ChatSession`` on the conversation's target, keeps track of
the replies streaming, and fans every event out to its observers (the Qt controller,
the companion server). No Qt here. Its collaborators each do one part: what is sent
(``reply_request``), a growing reply and its checkpoints (``active_reply``), saves that
survive a full disk (``reply_saver``) and the actions on each message (``message_actions``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from streamchat_desktop.core.active_reply import ActiveReply
from streamchat_desktop.core.attachments import Attachment
from streamchat_desktop.core.branch import BusyError
from streamchat_desktop.core.errors import ChatError
from streamchat_desktop.core.events import (
    Cancelled,
    Failed,
    Finished,
    ReplyEvent,
    StreamEvent,
    TerminalEvent,
)
from streamchat_desktop.core.message_actions import MessageActions
from streamchat_desktop.core.models import ChatRequest, Conversation, Message, MessageState, Role
from streamchat_desktop.core.observers import ReplyObserver, ReplyStart, notify
from streamchat_desktop.core.reply_request import PartsOf, reply_request
from streamchat_desktop.core.reply_saver import ReplySaver, SaveErrorListener
from streamchat_desktop.core.session import ChatSession, StreamOpener
from streamchat_desktop.core.store import ConversationStore
from streamchat_desktop.core.tool_loop import Approver, Toolbox, ToolLimits, with_tools

TITLE_LENGTH = 60


@dataclass(frozen=True, slots=True)
class ChatTarget:
    """The stream opener and model a conversation's next reply goes to."""

    open_stream: StreamOpener
    model: str


TargetResolver = Callable[[Conversation], ChatTarget]


@dataclass(frozen=True, slots=True)
class ToolSetup:
    """Tools for replies: where they run, who approves each call, and the limits."""

    toolbox: Toolbox
    approve: Approver
    limits: ToolLimits = field(default_factory=ToolLimits)


class ChatService(MessageActions):
    """Runs replies in conversations and keeps every word that arrived; the actions on
    each message (regenerate, edit, versions, delete with Undo) come from ``MessageActions``."""

    def __init__(
        self,
        store: ConversationStore,
        resolve: TargetResolver,
        parts_of: PartsOf | None = None,
        tools: ToolSetup | None = None,
    ) -> None:
        self._store = store
        self._resolve = resolve
        self._parts_of = parts_of
        self._tools = tools
        self._observers: list[ReplyObserver] = []
        self._active: dict[str, ActiveReply] = {}
        self._saver = ReplySaver(store, self.is_streaming)
        self._calls_in_flight: set[str] = set()  # tool call ids of running replies

    # Queries: what the views show (the store stays the service's own) ---------------

    def list_conversations(self) -> list[Conversation]:
        """Every conversation, newest first."""
        return self._store.list_conversations()

    def get_conversation(self, conversation_id: str) -> Conversation | None:
        return self._store.get_conversation(conversation_id)

    def messages(self, conversation_id: str) -> list[Message]:
        """The conversation's active branch, oldest first (a streaming reply holds its
        last checkpoint here: ``active_reply`` has its text so far)."""
        return self._store.messages(conversation_id)

    # Observers -------------------------------------------------------------------------

    def use_tools(self, tools: ToolSetup | None) -> None:
        """Offer tools in the replies started from now on (``None``: no tools)."""
        self._tools = tools

    def add_observer(self, observer: ReplyObserver) -> None:
        """Hear about every reply from now on, including those already streaming:
        each of those is announced with ``reply_started`` carrying its text so far,
        then its next events follow (a view that joins mid-answer misses nothing)."""
        self._observers.append(observer)
        for reply in list(self._active.values()):
            conversation = self._store.get_conversation(reply.conversation_id)
            if conversation is None:
                continue
            reply.observers.append(observer)
            start = ReplyStart(conversation, reply.snapshot(), reply.history)
            notify(observer.reply_started, start)

    def remove_observer(self, observer: ReplyObserver) -> None:
        if observer in self._observers:
            self._observers.remove(observer)
        for reply in self._active.values():
            if observer in reply.observers:
                reply.observers.remove(observer)

    def new_conversation(self, **settings: object) -> Conversation:
        conversation = Conversation(**settings)  # type: ignore[arg-type]
        self._store.create_conversation(conversation)
        self._conversation_updated(conversation)
        return conversation

    def update_conversation(self, conversation: Conversation) -> None:
        """Save a changed conversation (title, target, generation settings) and say so."""
        self._store.update_conversation(conversation)
        self._conversation_updated(conversation)

    def delete_conversation(self, conversation_id: str) -> None:
        """Stop its reply if one streams, delete it with its messages, and say so.

        The stopped reply goes with its conversation: it is not saved again.
        """
        for reply in self._active.values():
            if reply.conversation_id == conversation_id:
                reply.discarded = True
                reply.session.stop()
        self._saver.forget_conversation(conversation_id)
        self._store.delete_conversation(conversation_id)
        for observer in list(self._observers):
            notify(observer.conversation_deleted, conversation_id)

    def active_reply(self, conversation_id: str) -> Message | None:
        """The reply streaming in this conversation, with the text received so far."""
        for reply in self._active.values():
            if reply.conversation_id == conversation_id:
                return reply.snapshot()
        return None

    def is_streaming(self, message_id: str) -> bool:
        return message_id in self._active

    def send(
        self, conversation_id: str, text: str, attachments: tuple[Attachment, ...] = ()
    ) -> Message:
        """Add the user's prompt and start streaming the answer; returns the reply.

        The attachments' bytes must be stored already: the prompt that names them is
        saved before the request starts, so a crash mid-send loses neither.
        """
        conversation = self._require_idle(conversation_id)
        return self._send(conversation, self._store.messages(conversation_id), text, attachments)

    def _send(
        self,
        conversation: Conversation,
        history: list[Message],
        text: str,
        attachments: tuple[Attachment, ...] = (),
        *,
        announce: bool = False,
        retitle: bool = True,
    ) -> Message:
        prompt = Message(
            role=Role.USER,
            content=text,
            conversation_id=conversation.id,
            attachments=attachments,
        )
        self._store.add_message(prompt)
        if not history and retitle:  # the first prompt names the conversation
            title = text if text.strip() or not attachments else attachments[0].name
            conversation = dataclasses.replace(conversation, title=make_title(title))
        self._touch(conversation)
        return self._start_reply(conversation, [*history, prompt], announce=announce)

    def add_save_error_listener(self, listener: SaveErrorListener) -> None:
        """Be told when a message could not be saved (disk full, read-only database).

        The service keeps the newest text and retries every few seconds until it is saved.
        """
        self._saver.add_error_listener(listener)

    def unsaved_messages(self) -> list[Message]:
        """Messages whose latest text is not in the store yet (a save failed)."""
        return self._saver.unsaved()

    def stop(self, message_id: str) -> bool:
        reply = self._active.get(message_id)
        if reply is None:
            return False
        reply.session.stop()
        return True

    def stop_every_reply(self) -> None:
        """Cancel every reply now (a quit was asked: ``stop_all`` waits for them later)."""
        for reply in list(self._active.values()):
            reply.session.stop()

    async def stop_all(self) -> None:
        """Cancel every reply and wait until each has ended and been saved (tried once
        more if a save failed; nothing is left scheduled)."""
        tasks = []
        for reply in list(self._active.values()):
            reply.session.stop()
            task = reply.session.task
            if task is not None:
                tasks.append(task)
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self._saver.retry_before_quit()

    def _require(self, conversation_id: str) -> Conversation:
        conversation = self._store.get_conversation(conversation_id)
        if conversation is None:
            raise KeyError(conversation_id)
        return conversation

    def _require_idle(self, conversation_id: str, action: str = "send") -> Conversation:
        """The conversation, if no reply streams in it (one reply at a time)."""
        conversation = self._require(conversation_id)
        if self.active_reply(conversation_id) is not None:
            raise BusyError(action)
        return conversation

    def _touch(self, conversation: Conversation) -> None:
        touched = dataclasses.replace(conversation, updated_at=time.time())
        self._store.update_conversation(touched)
        self._conversation_updated(touched)

    def _conversation_updated(self, conversation: Conversation) -> None:
        for observer in list(self._observers):
            notify(observer.conversation_updated, conversation)

    def _start_reply(
        self,
        conversation: Conversation,
        history: list[Message],
        continuing: Message | None = None,
        *,
        announce: bool = False,
    ) -> Message:
        """Stream an answer to ``history`` (the branch before it), or go on with
        ``continuing`` (the last answer, not part of ``history``); ``announce``: the
        branch changed shape (versions), so observers get ``branch_changed`` after
        ``reply_started``."""
        model, opener = self._target(conversation)
        if continuing is None:
            message = Message(
                role=Role.ASSISTANT,
                content="",
                conversation_id=conversation.id,
                state=MessageState.STREAMING,
                model=model,
            )
            self._store.add_message(message)
        else:
            message = dataclasses.replace(
                continuing,
                state=MessageState.STREAMING,
                finish_reason=None,
                error_kind=None,
                error_message=None,
            )
            self._store.save_message(message)
        request = reply_request(conversation, model, history, self._parts_of, continuing)
        reply = ActiveReply(
            conversation.id, message, tuple(history), list(self._observers), self._saver.save
        )
        if continuing is not None:
            reply.prefix, reply.reasoning_prefix = continuing.content, continuing.reasoning
        reply.session = ChatSession(opener, request, lambda e: self._on_event(reply, e))
        self._active[message.id] = reply
        start = ReplyStart(conversation, message, reply.history)
        for observer in reply.observers:
            notify(observer.reply_started, start)
        if announce:
            self._branch_changed(conversation.id)
        reply.session.start()
        return message

    def _target(self, conversation: Conversation) -> tuple[str, StreamOpener]:
        """The model and stream opener of the conversation's next reply (with the tools)."""
        try:
            target = self._resolve(conversation)
            model = target.model
            opener = target.open_stream
        except ChatError as error:
            model = conversation.model or ""
            opener = _failing_opener(error)
        if self._tools is not None:
            tools = self._tools
            opener = with_tools(
                opener, tools.toolbox, tools.approve, tools.limits, self._calls_in_flight
            )
        return model, opener

    def _on_event(self, reply: ActiveReply, event: ReplyEvent) -> None:
        if isinstance(event, Finished | Failed | Cancelled):
            self._finish(reply, event)
            return
        reply.record(event)
        for observer in reply.observers:
            notify(observer.reply_event, reply.conversation_id, reply.message.id, event)

    def _finish(self, reply: ActiveReply, event: TerminalEvent) -> None:
        self._active.pop(reply.message.id, None)  # first: nothing after it leaves it busy
        final = reply.end(event)
        if not reply.discarded:
            self._saver.save(final)
        for observer in reply.observers:
            notify(observer.reply_ended, final, event)


def make_title(prompt: str) -> str:
    """A conversation title from its first prompt: first line, cut at a word."""
    line = " ".join(prompt.split())
    if len(line) <= TITLE_LENGTH:
        return line or "New conversation"
    cut = line[:TITLE_LENGTH].rsplit(" ", 1)[0]
    return (cut or line[:TITLE_LENGTH]) + "…"


def _failing_opener(error: ChatError) -> StreamOpener:
    """A stream that fails at once, so a missing key ends the reply like any error."""

    async def opener(_request: ChatRequest) -> AsyncIterator[StreamEvent]:
        raise error
        yield  # pragma: no cover - makes this an async generator

    return opener


__all__ = ["ChatService", "ChatTarget", "ToolSetup", "make_title"]
