"""The companion protocol, in one place: event names, payload shapes, limits, error codes
(the requests' parsing and checks are in ``request_checks``).

Mirrored field for field in ``web/src/protocol.ts``; ``tests/companion/test_protocol_mirror.py``
parses that file and fails when the two drift apart. People who write their own viewer
read ``docs/companion-protocol.md``.
"""

from __future__ import annotations

import re
from typing import Literal, TypedDict

from streamchat_desktop.core import attachments as core_attachments
from streamchat_desktop.core.attachments import Attachment
from streamchat_desktop.core.models import Conversation, Message, Usage
from streamchat_desktop.core.tools import ToolCallRecord

PROTOCOL_VERSION = 3
# 2: attachments (messages carry them; /files; prompt:send files), tool calls
# 3: actions on every message (edit, regenerate, versions, continue, delete with Undo);
#    messages carry their version position and whether they can be continued

# server → client (facts: ``noun:past``)
SNAPSHOT = "snapshot"
MESSAGE_STARTED = "message:started"
MESSAGE_DELTA = "message:delta"
MESSAGE_FINISHED = "message:finished"
MESSAGE_FAILED = "message:failed"
CONVERSATION_UPDATED = "conversation:updated"
CONVERSATION_DELETED = "conversation:deleted"
TOOL_CHANGED = "tool:changed"  # a tool call appeared or moved on (views watch; never approve)
BRANCH_CHANGED = "branch:changed"  # the shown branch changed shape: show these messages

# client → server (requests: ``noun:verb``), each answered with an ack
PROMPT_SEND = "prompt:send"
REPLY_STOP = "reply:stop"
CONVERSATION_OPEN = "conversation:open"
MESSAGE_EDIT = "message:edit"  # a prompt replaced: a new version, the old one kept
MESSAGE_REGENERATE = "message:regenerate"  # any answer asked again: a new version
MESSAGE_CONTINUE = "message:continue"  # the last answer, cut, goes on
MESSAGE_DELETE = "message:delete"  # one message hidden; the ack's message_id undoes it
MESSAGE_RESTORE = "message:restore"  # Undo of a delete made by this app's views
VERSION_SWITCH = "version:switch"  # show the previous (-1) or next (+1) version

SERVER_EVENTS = (
    SNAPSHOT,
    MESSAGE_STARTED,
    MESSAGE_DELTA,
    MESSAGE_FINISHED,
    MESSAGE_FAILED,
    CONVERSATION_UPDATED,
    CONVERSATION_DELETED,
    TOOL_CHANGED,
    BRANCH_CHANGED,
)
CLIENT_EVENTS = (
    PROMPT_SEND,
    REPLY_STOP,
    CONVERSATION_OPEN,
    MESSAGE_EDIT,
    MESSAGE_REGENERATE,
    MESSAGE_CONTINUE,
    MESSAGE_DELETE,
    MESSAGE_RESTORE,
    VERSION_SWITCH,
)

# the fields each request's payload may carry (anything else is refused)
REQUEST_FIELDS: dict[str, frozenset[str]] = {
    PROMPT_SEND: frozenset({"conversation_id", "text", "files"}),
    REPLY_STOP: frozenset({"message_id"}),
    CONVERSATION_OPEN: frozenset({"conversation_id"}),
    MESSAGE_EDIT: frozenset({"message_id", "text"}),
    MESSAGE_REGENERATE: frozenset({"message_id"}),
    MESSAGE_CONTINUE: frozenset({"message_id"}),
    MESSAGE_DELETE: frozenset({"message_id"}),
    MESSAGE_RESTORE: frozenset({"message_id"}),
    VERSION_SWITCH: frozenset({"message_id", "step"}),
}

# limits a viewer must respect (the server refuses anything beyond them)
MAX_PROMPT_CHARS = 32_000
MAX_ID_CHARS = 64
MAX_PACKET_BYTES = 256 * 1024  # one Engine.IO packet; larger closes the connection
MAX_JSON_DEPTH = 32  # brackets open at once in a packet (its event array counts)
MAX_SNAPSHOT_MESSAGES = 200  # the newest ones; ``omitted`` counts the rest
MAX_SNAPSHOT_CONVERSATIONS = 200
RATE_BURST = 20  # requests a view may send at once …
RATE_PER_SECOND = 5.0  # … and per second after that
# Attachments: POST FILES_PATH?name=… (header ``Authorization: Bearer <token>``, the
# file as the body) answers an UploadAck; prompt:send names the uploads in ``files``.
# GET FILES_PATH/<sha256>?token=… serves a stored file (an image as sent to the model).
FILES_PATH = "/files"
MAX_FILE_NAME_CHARS = 255
MAX_FILE_BYTES = core_attachments.MAX_FILE_BYTES  # the window's limits, the same for views
MAX_FILES = core_attachments.MAX_FILES
MAX_TOOL_RESULT_CHARS = 20_000  # of a tool's result sent to views (the desktop has it all)

# error codes of ``{ok: false, error}`` acks
ERROR_INVALID = "invalid_payload"
ERROR_PROMPT_TOO_LONG = "prompt_too_long"
ERROR_RATE_LIMITED = "rate_limited"
ERROR_NOT_FOUND = "not_found"
ERROR_BUSY = "busy"
ERROR_STORAGE = "storage_unavailable"  # the app cannot save (a full disk, a read-only file)
ERROR_INTERNAL = "internal"
ERROR_FILE_REFUSED = "file_refused"  # a file's kind, size or number; ``message`` says which
ERROR_CODES = (
    ERROR_INVALID,
    ERROR_PROMPT_TOO_LONG,
    ERROR_RATE_LIMITED,
    ERROR_NOT_FOUND,
    ERROR_BUSY,
    ERROR_STORAGE,
    ERROR_INTERNAL,
    ERROR_FILE_REFUSED,
)

# connection refusals (``connect_error`` message)
REFUSED_UNAUTHORIZED = "unauthorized"
REFUSED_ORIGIN = "forbidden_origin"
REFUSED_FULL = "too_many_views"

MessageStateName = Literal["streaming", "complete", "stopped", "failed", "interrupted"]


# --- payloads (server → client) ------------------------------------------------------


class UsageInfo(TypedDict):
    prompt_tokens: int | None
    completion_tokens: int | None
    total_tokens: int | None
    reasoning_tokens: int | None


class ErrorInfo(TypedDict):
    kind: str
    message: str


class ConversationSummary(TypedDict):
    id: str
    title: str
    model: str | None
    updated_at: float


class AttachmentInfo(TypedDict):
    """A file sent with a prompt; its bytes are at FILES_PATH/<sha256>?token=…"""

    name: str
    media_type: str
    size: int
    kind: str  # "image", "pdf" or "text"
    sha256: str


class UploadAck(TypedDict):
    """The answer to an upload: the id to name in prompt:send, and what the file is."""

    ok: Literal[True]
    id: str
    name: str
    media_type: str
    size: int
    kind: str
    pages: int | None


class ToolCallView(TypedDict):
    """One tool call of a reply: what the model asked and what came back."""

    id: str
    name: str
    server: str
    arguments: str
    status: str  # "pending", "running", "done", "failed" or "declined"
    result: str  # cut at MAX_TOOL_RESULT_CHARS
    result_chars: int  # the whole result's length
    images: int  # how many images the result has (shown in the desktop window)


class VersionInfo(TypedDict):
    """The message is version ``number`` of ``count`` (shown as ``‹ 2/3 ›``)."""

    number: int
    count: int


class MessageView(TypedDict):
    """One message as a view shows it; ``seq`` is the last delta in ``content`` (streaming);
    ``version``: its place among its versions (``None``: it has none); ``can_continue``:
    a cut last answer that ``message:continue`` goes on with."""

    id: str
    conversation_id: str
    role: str
    content: str
    reasoning: str
    state: str
    finish_reason: str | None
    error: ErrorInfo | None
    usage: UsageInfo | None
    model: str | None
    created_at: float
    seq: int
    attachments: list[AttachmentInfo]
    tool_calls: list[ToolCallView]
    version: VersionInfo | None
    can_continue: bool


class SnapshotPayload(TypedDict):
    protocol: int
    conversations: list[ConversationSummary]
    active_conversation_id: str | None  # the desktop window's conversation
    following: bool  # the view follows the desktop window's conversation
    conversation: ConversationSummary | None  # what this view shows
    messages: list[MessageView]  # a reply in flight has state "streaming" and its seq
    omitted: int  # older messages left out of ``messages``


class MessageStartedPayload(TypedDict):
    """A reply began. ``history``: the ids of the messages before it on the active branch
    (the newest ``MAX_SNAPSHOT_MESSAGES``), so a view drops answers replaced by a retry,
    an edit or a regeneration; ``prompt``: the user message it answers."""

    conversation_id: str
    message: MessageView
    prompt: MessageView | None
    history: list[str]


class MessageDeltaPayload(TypedDict):
    """Deltas ``first_seq``…``seq`` of one message, concatenated (text and reasoning)."""

    conversation_id: str
    message_id: str
    first_seq: int
    seq: int
    text: str
    reasoning: str


class MessageFinishedPayload(TypedDict):
    conversation_id: str
    message_id: str
    seq: int  # the last delta: a view that has less missed something and resyncs
    state: str  # "complete" or "stopped"
    finish_reason: str | None
    usage: UsageInfo | None
    can_continue: bool  # cut (token limit, stopped): ``message:continue`` goes on


class MessageFailedPayload(TypedDict):
    conversation_id: str
    message_id: str
    seq: int
    error: ErrorInfo
    usage: UsageInfo | None
    can_continue: bool  # it has text: ``message:continue`` goes on from there


class BranchChangedPayload(TypedDict):
    """The conversation's active branch after an action (an edit, a regeneration,
    another version, a delete or its Undo), as a snapshot has it: show these messages."""

    conversation_id: str
    messages: list[MessageView]
    omitted: int


class ToolChangedPayload(TypedDict):
    conversation_id: str
    message_id: str
    call: ToolCallView


class ConversationUpdatedPayload(TypedDict):
    conversation: ConversationSummary


class ConversationDeletedPayload(TypedDict):
    """A conversation is gone; a view that showed it is sent a snapshot of another."""

    conversation_id: str


class AckOk(TypedDict, total=False):
    ok: Literal[True]
    conversation_id: str
    message_id: str  # message:delete: the id message:restore takes to undo it
    stopped: bool
    version: VersionInfo  # version:switch: the version now shown


class AckError(TypedDict):
    ok: Literal[False]
    error: str
    message: str


# --- refusals ----------------------------------------------------------------------


class ProtocolError(Exception):
    """A request the server refuses; becomes an ``{ok: false, error, message}`` ack."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def ack(self) -> AckError:
        return {"ok": False, "error": self.code, "message": self.message}


# --- building payloads from core objects ---------------------------------------------


_KEY_LIKE = re.compile(r"\b(?:sk|rk|pk)-[A-Za-z0-9_*.\-]{6,}")


def error_info(kind: str, message: str) -> ErrorInfo:
    """An error as views see it; anything shaped like an API key is blanked out."""
    return {"kind": kind, "message": _KEY_LIKE.sub("[redacted]", message)}


def usage_info(usage: Usage | None) -> UsageInfo | None:
    if usage is None:
        return None
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
        "reasoning_tokens": usage.reasoning_tokens,
    }


def conversation_summary(conversation: Conversation) -> ConversationSummary:
    return {
        "id": conversation.id,
        "title": conversation.title,
        "model": conversation.model,
        "updated_at": conversation.updated_at,
    }


def message_view(
    message: Message,
    *,
    seq: int = 0,
    version: tuple[int, int] | None = None,
    can_continue: bool = False,
) -> MessageView:
    error: ErrorInfo | None = None
    if message.error_kind is not None:
        error = error_info(message.error_kind, message.error_message or "")
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "role": message.role.value,
        "content": message.content,
        "reasoning": message.reasoning,
        "state": message.state.value,
        "finish_reason": message.finish_reason,
        "error": error,
        "usage": usage_info(message.usage),
        "model": message.model,
        "created_at": message.created_at,
        "seq": seq,
        "attachments": [attachment_info(a) for a in message.attachments],
        "tool_calls": [tool_call_view(record) for record in message.tool_calls],
        "version": version_info(version),
        "can_continue": can_continue,
    }


def version_info(position: tuple[int, int] | None) -> VersionInfo | None:
    if position is None:
        return None
    return {"number": position[0], "count": position[1]}


def attachment_info(attachment: Attachment) -> AttachmentInfo:
    return {
        "name": attachment.name,
        "media_type": attachment.media_type,
        "size": attachment.size,
        "kind": attachment.kind.value,
        "sha256": attachment.sha256,
    }


def tool_call_view(record: ToolCallRecord) -> ToolCallView:
    return {
        "id": record.call.id,
        "name": record.call.name,
        "server": record.server,
        "arguments": record.call.arguments[:MAX_TOOL_RESULT_CHARS],
        "status": record.status.value,
        "result": _KEY_LIKE.sub("[redacted]", record.result[:MAX_TOOL_RESULT_CHARS]),
        "result_chars": len(record.result),
        "images": len(record.images),
    }
