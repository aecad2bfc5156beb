"""ChatService: conversations, the replies streaming in them, and who hears about it.

It builds each request from the conversation's history, runs the reply as a
``ChatSession``, checkpoints the growing answer at most every 250 ms (never per
delta) and at every end, and fans every event out to its observers (the Qt
controller, the companion server). No Qt here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from streamchat_desktop.core.attachments import Attachment, ContentPart
from streamchat_desktop.core.branch import BusyError
from streamchat_desktop.core.errors import ChatError, ErrorKind
from streamchat_desktop.core.events import (
    Cancelled,
    Failed,
    Finished,
    ReplyEvent,
    StreamEvent,
    TerminalEvent,
)
from streamchat_desktop.core.message_actions import MessageActions
from streamchat_desktop.core.models import (
    ChatRequest,
    ChatTurn,
    Conversation,
    Message,
    MessageState,
    Role,
)
from streamchat_desktop.core.observers import ProgressEvent, ReplyObserver, ReplyStart
from streamchat_desktop.core.session import ChatSession, StreamOpener
from streamchat_desktop.core.store import ConversationStore
from streamchat_desktop.core.tool_events import ToolCallChanged
from streamchat_desktop.core.tool_history import apply_change, close_unfinished, reply_turns
from streamchat_desktop.core.tool_loop import Approver, Toolbox, ToolLimits, with_tools
from streamchat_desktop.core.tools import ToolCallRecord

log = logging.getLogger(__name__)

CHECKPOINT_INTERVAL = 0.25
SAVE_RETRY_INTERVAL = 2.0
TITLE_LENGTH = 60
# Sent (not stored) after an answer cut by the token limit, to have it continued.
CONTINUE_PROMPT = (
    "Continue your previous answer exactly where it stopped. Do not repeat anything "
    "and do not add any preamble."
)


@dataclass(frozen=True, slots=True)
class ChatTarget:
    """The stream opener and model a conversation's next reply goes to."""

    open_stream: StreamOpener
    model: str


TargetResolver = Callable[[Conversation], ChatTarget]
# The content parts a stored message's attachments add to its turn (attachments layer).
PartsOf = Callable[[Message], tuple[ContentPart, ...]]


@dataclass(frozen=True, slots=True)
class ToolSetup:
    """Tools for replies: where they run, who approves each call, and the limits."""

    toolbox: Toolbox
    approve: Approver
    limits: ToolLimits = field(default_factory=ToolLimits)


@dataclass(slots=True)
class _ActiveReply:
    conversation_id: str
    message: Message
    history: tuple[Message, ...]  # the branch before the reply
    observers: list[ReplyObserver]
    session: ChatSession = field(init=False)
    checkpoint: asyncio.TimerHandle | None = None
    dirty: bool = False
    prefix: str = ""  # text the reply continues (``continue_reply``)
    reasoning_prefix: str = ""
    discarded: bool = False  # its conversation was deleted: nothing more to save
    tool_calls: dict[str, ToolCallRecord] = field(default_factory=dict)  # by call id


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
        self._active: dict[str, _ActiveReply] = {}
        self._unsaved: dict[str, Message] = {}  # newest snapshot a failed save left behind
        self._resave: asyncio.TimerHandle | None = None
        self._save_failed: list[Callable[[Message, Exception], None]] = []
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
            start = ReplyStart(conversation, self._snapshot(reply), reply.history)
            self._notify(observer.reply_started, start)

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
        self._unsaved = {
            key: message
            for key, message in self._unsaved.items()
            if message.conversation_id != conversation_id
        }
        self._store.delete_conversation(conversation_id)
        for observer in list(self._observers):
            self._notify(observer.conversation_deleted, conversation_id)

    def active_reply(self, conversation_id: str) -> Message | None:
        """The reply streaming in this conversation, with the text received so far."""
        for reply in self._active.values():
            if reply.conversation_id == conversation_id:
                return self._snapshot(reply)
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

    def add_save_error_listener(self, listener: Callable[[Message, Exception], None]) -> None:
        """Be told when a message could not be saved (disk full, read-only database).

        The service keeps the newest text and retries every few seconds until it is saved.
        """
        self._save_failed.append(listener)

    def unsaved_messages(self) -> list[Message]:
        """Messages whose latest text is not in the store yet (a save failed)."""
        return list(self._unsaved.values())

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
        self._retry_unsaved()
        if self._resave is not None:  # still failing (a full disk): no later retry at quit
            self._resave.cancel()
            self._resave = None

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
            self._notify(observer.conversation_updated, conversation)

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
        if continuing is None:
            message = Message(
                role=Role.ASSISTANT,
                content="",
                conversation_id=conversation.id,
                state=MessageState.STREAMING,
                model=model,
            )
            self._store.add_message(message)
            turns = build_turns(conversation, history, self._parts_of)
        else:
            message = dataclasses.replace(
                continuing,
                state=MessageState.STREAMING,
                finish_reason=None,
                error_kind=None,
                error_message=None,
            )
            self._store.save_message(message)
            turns = build_turns(conversation, [*history, continuing], self._parts_of)
            turns += (ChatTurn(Role.USER, CONTINUE_PROMPT),)
        request = ChatRequest(model=model, messages=turns, temperature=conversation.temperature)
        reply = _ActiveReply(conversation.id, message, tuple(history), list(self._observers))
        if continuing is not None:
            reply.prefix, reply.reasoning_prefix = continuing.content, continuing.reasoning
        reply.session = ChatSession(opener, request, lambda e: self._on_event(reply, e))
        self._active[message.id] = reply
        start = ReplyStart(conversation, message, reply.history)
        for observer in reply.observers:
            self._notify(observer.reply_started, start)
        if announce:
            self._branch_changed(conversation.id)
        reply.session.start()
        return message

    def _on_event(self, reply: _ActiveReply, event: ReplyEvent) -> None:
        if isinstance(event, ToolCallChanged):
            offset = len(reply.prefix) + len(reply.session.text)
            apply_change(reply.tool_calls, event, offset)
        if isinstance(event, Finished | Failed | Cancelled):
            self._finish(reply, event)
            return
        reply.dirty = True
        if reply.checkpoint is None:
            loop = asyncio.get_running_loop()
            reply.checkpoint = loop.call_later(CHECKPOINT_INTERVAL, self._checkpoint, reply)
        progress: ProgressEvent = event
        for observer in reply.observers:
            self._notify(observer.reply_event, reply.conversation_id, reply.message.id, progress)

    def _checkpoint(self, reply: _ActiveReply) -> None:
        reply.checkpoint = None
        if reply.dirty and reply.message.id in self._active and not reply.discarded:
            reply.dirty = False
            self._save(self._snapshot(reply))

    def _finish(self, reply: _ActiveReply, event: TerminalEvent) -> None:
        if reply.checkpoint is not None:
            reply.checkpoint.cancel()
            reply.checkpoint = None
        self._active.pop(reply.message.id, None)
        snapshot = self._snapshot(reply)
        snapshot = dataclasses.replace(snapshot, tool_calls=close_unfinished(snapshot.tool_calls))
        final = final_message(snapshot, event)
        if not reply.discarded:
            self._save(final)
        for observer in reply.observers:
            self._notify(observer.reply_ended, final, event)

    def _snapshot(self, reply: _ActiveReply) -> Message:
        session = reply.session
        return dataclasses.replace(
            reply.message,
            content=reply.prefix + session.text,
            reasoning=reply.reasoning_prefix + session.reasoning,
            tool_calls=reply.message.tool_calls + tuple(reply.tool_calls.values()),
        )

    def _save(self, message: Message) -> None:
        try:
            self._store.save_message(message)
        except Exception as exc:  # disk full, locked DB: the text stays on screen
            first = message.id not in self._unsaved
            self._unsaved[message.id] = message
            if first:
                log.exception("could not save message %s; will retry", message.id)
                for listener in list(self._save_failed):
                    self._notify(listener, message, exc)
            self._schedule_resave()
        else:
            self._unsaved.pop(message.id, None)

    def _schedule_resave(self) -> None:
        if self._resave is None:
            loop = asyncio.get_running_loop()
            self._resave = loop.call_later(SAVE_RETRY_INTERVAL, self._retry_unsaved)

    def _retry_unsaved(self) -> None:
        """Save again what a failed save left behind (the next checkpoint also does)."""
        if self._resave is not None:
            self._resave.cancel()
            self._resave = None
        for message in list(self._unsaved.values()):
            if message.id in self._active:
                continue  # the reply's own checkpoints will save a newer text
            try:
                self._store.save_message(message)
            except Exception as exc:
                log.debug("saving message %s failed again: %s", message.id, exc)
                self._schedule_resave()
                return
            self._unsaved.pop(message.id, None)

    @staticmethod
    def _notify(callback: Callable[..., None], *args: object) -> None:
        try:
            callback(*args)
        except Exception:
            log.exception("reply observer %r failed", callback)


def final_message(message: Message, event: TerminalEvent) -> Message:
    """The message as stored once its reply ended, whatever ended it."""
    usage = event.stats.usage
    if isinstance(event, Finished):
        return dataclasses.replace(
            message, state=MessageState.COMPLETE, finish_reason=event.finish_reason, usage=usage
        )
    if isinstance(event, Failed):
        return dataclasses.replace(
            message,
            state=MessageState.FAILED,
            error_kind=event.error.kind.value,
            error_message=event.error.message,
            usage=usage,
        )
    return dataclasses.replace(message, state=MessageState.STOPPED, usage=usage)


def build_turns(
    conversation: Conversation, history: list[Message], parts_of: PartsOf | None = None
) -> tuple[ChatTurn, ...]:
    """The messages sent to the model: system prompt, then every turn with content
    (text, or files: each resend sends a prompt's attachments again)."""
    turns: list[ChatTurn] = []
    if conversation.system_prompt.strip():
        turns.append(ChatTurn(Role.SYSTEM, conversation.system_prompt))
    for message in history:
        if message.role is Role.SYSTEM:
            continue
        if message.role is Role.ASSISTANT:
            turns.extend(reply_turns(message))  # with its tool calls and their results
            continue
        parts = parts_of(message) if parts_of and message.attachments else ()
        if message.content or parts:
            turns.append(ChatTurn(message.role, message.content, parts))
    return tuple(turns)


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


__all__ = [
    "ChatService",
    "ChatTarget",
    "ErrorKind",
    "ReplyObserver",
    "ReplyStart",
    "ToolSetup",
    "build_turns",
    "final_message",
    "make_title",
]
