"""The requests views send (client → server), parsed and checked where they enter.

Payloads are untrusted: anything but the documented fields and types, an id past
``MAX_ID_CHARS`` or a prompt past ``MAX_PROMPT_CHARS`` becomes a ``ProtocolError``
(an ``{ok: false, error, message}`` ack), never an exception further in. The fields
each request may carry are ``protocol.REQUEST_FIELDS`` (mirrored in ``web/src``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from streamchat_desktop.companion.protocol import (
    CONVERSATION_OPEN,
    ERROR_FILE_REFUSED,
    ERROR_INVALID,
    ERROR_PROMPT_TOO_LONG,
    MAX_FILE_BYTES,
    MAX_FILES,
    MAX_ID_CHARS,
    MAX_PROMPT_CHARS,
    MESSAGE_DELETE,
    MESSAGE_EDIT,
    PROMPT_SEND,
    REPLY_STOP,
    REQUEST_FIELDS,
    VERSION_SWITCH,
    ProtocolError,
)
from streamchat_desktop.core.attachments import format_size
from streamchat_desktop.core.unicode_repair import repair_text


@dataclass(frozen=True, slots=True)
class PromptSend:
    conversation_id: str | None  # None: the conversation the view shows (or a new one)
    text: str
    files: tuple[str, ...] = ()  # upload ids; with files the text may be empty


@dataclass(frozen=True, slots=True)
class ReplyStop:
    message_id: str


@dataclass(frozen=True, slots=True)
class ConversationOpen:
    conversation_id: str | None  # None: follow the desktop window's conversation


@dataclass(frozen=True, slots=True)
class MessageEdit:
    message_id: str
    text: str


@dataclass(frozen=True, slots=True)
class MessageAction:
    """``message:regenerate``, ``message:continue``, ``message:delete``, ``message:restore``."""

    message_id: str


@dataclass(frozen=True, slots=True)
class VersionSwitch:
    message_id: str
    step: Literal[-1, 1]


def parse_prompt_send(data: object) -> PromptSend:
    body = _object(data, REQUEST_FIELDS[PROMPT_SEND])
    files = _files(body.get("files"))
    text = _prompt_text(body, empty_ok=bool(files))
    return PromptSend(_optional_id(body, "conversation_id"), text, files)


def parse_message_edit(data: object) -> MessageEdit:
    body = _object(data, REQUEST_FIELDS[MESSAGE_EDIT])
    return MessageEdit(_required_id(body, "message_id"), _prompt_text(body, empty_ok=False))


def parse_message_action(data: object) -> MessageAction:
    body = _object(data, REQUEST_FIELDS[MESSAGE_DELETE])  # the same for each such action
    return MessageAction(_required_id(body, "message_id"))


def parse_version_switch(data: object) -> VersionSwitch:
    body = _object(data, REQUEST_FIELDS[VERSION_SWITCH])
    step = body.get("step")
    if type(step) is not int or step not in (-1, 1):  # not True, not -1.0
        raise ProtocolError(ERROR_INVALID, "step must be -1 or 1")
    return VersionSwitch(_required_id(body, "message_id"), -1 if step == -1 else 1)


def _prompt_text(body: dict[str, object], *, empty_ok: bool) -> str:
    """A prompt's text within the limit; lone surrogates (JSON can carry them) are
    repaired here, where the text enters (FACTS.md)."""
    text = body.get("text")
    if not isinstance(text, str):
        raise ProtocolError(ERROR_INVALID, "text must be a string")
    if len(text) > MAX_PROMPT_CHARS:
        raise ProtocolError(
            ERROR_PROMPT_TOO_LONG, f"the prompt is longer than {MAX_PROMPT_CHARS} characters"
        )
    if not text.strip() and not empty_ok:
        raise ProtocolError(ERROR_INVALID, "the prompt is empty")
    return repair_text(text)


def _files(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(
        isinstance(item, str) and 0 < len(item) <= MAX_ID_CHARS for item in value
    ):
        raise ProtocolError(ERROR_INVALID, "files must be a list of upload ids")
    if len(value) > MAX_FILES:
        raise ProtocolError(
            ERROR_FILE_REFUSED,
            f"A prompt can carry at most {MAX_FILES} files; this one has {len(value)}. "
            "Remove some, or send them in two prompts.",
        )
    return tuple(value)


def parse_reply_stop(data: object) -> ReplyStop:
    body = _object(data, REQUEST_FIELDS[REPLY_STOP])
    return ReplyStop(_required_id(body, "message_id"))


def parse_conversation_open(data: object) -> ConversationOpen:
    body = _object(data, REQUEST_FIELDS[CONVERSATION_OPEN])
    return ConversationOpen(_optional_id(body, "conversation_id"))


def upload_too_large(name: str) -> ProtocolError:
    """An upload cut off at the per-file limit (the window words it the same way)."""
    return ProtocolError(
        ERROR_FILE_REFUSED,
        f"{name} is larger than {format_size(MAX_FILE_BYTES)}: files up to "
        f"{format_size(MAX_FILE_BYTES)} can be attached.",
    )


def _object(data: object, allowed: frozenset[str]) -> dict[str, object]:
    if not isinstance(data, dict):
        raise ProtocolError(ERROR_INVALID, "the payload must be an object")
    unknown = [key for key in data if key not in allowed]
    if unknown:
        raise ProtocolError(ERROR_INVALID, f"unknown field {str(unknown[0])[:40]!r}")
    return data


def _required_id(body: dict[str, object], key: str) -> str:
    value = _optional_id(body, key)
    if value is None:
        raise ProtocolError(ERROR_INVALID, f"{key} is required")
    return value


def _optional_id(body: dict[str, object], key: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= MAX_ID_CHARS:
        raise ProtocolError(ERROR_INVALID, f"{key} must be a string of 1–{MAX_ID_CHARS} chars")
    return value
