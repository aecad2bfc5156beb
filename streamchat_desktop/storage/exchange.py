"""Export conversations as JSON and import such a file back.

The JSON keeps everything (every version of every message, the active branch,
usage, errors) so an import restores a conversation exactly. Importing is
idempotent — ids are kept, and what already exists is skipped — and all-or-nothing:
the file is checked completely before anything is written, in one transaction.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from streamchat_desktop.core.attachments import AttachmentContent
from streamchat_desktop.core.models import Conversation, Message, MessageState, Role
from streamchat_desktop.core.tools import ToolCallRecord
from streamchat_desktop.core.unicode_repair import repair_text
from streamchat_desktop.storage.attachment_exchange import (
    InvalidFilesError,
    files_dict,
    message_files,
    parse_files,
    parse_message_files,
)
from streamchat_desktop.storage.converters import usage_from_dict, usage_to_dict
from streamchat_desktop.storage.markdown_export import conversations_markdown
from streamchat_desktop.storage.repository import SqliteStore
from streamchat_desktop.storage.tool_records import record_from_dict, record_to_dict

EXPORT_FORMAT = "streamchat-export"
EXPORT_VERSION = 2  # 2: messages may carry attachments (``files``); 1 without them


class InvalidExportError(ValueError):
    """The file is not a StreamChat export this version can read; nothing was written."""


@dataclass(frozen=True, slots=True)
class ExportedConversation:
    """A conversation with every message version, parents before children."""

    conversation: Conversation
    messages: tuple[Message, ...]
    active_message_id: str | None
    files: tuple[AttachmentContent, ...] = ()  # what its messages carry (on import)


@dataclass(frozen=True, slots=True)
class ImportResult:
    conversations_added: int
    conversations_existing: int
    messages_added: int

    @property
    def summary(self) -> str:
        return (
            f"Imported {self.conversations_added} new conversation(s) and "
            f"{self.messages_added} message(s); {self.conversations_existing} "
            "conversation(s) were already there."
        )


def collect(
    store: SqliteStore, conversation_ids: Iterable[str], *, nothing_streams: bool = False
) -> list[ExportedConversation]:
    """Read conversations for export; unknown ids raise ``KeyError``.

    ``nothing_streams``: no process runs on the profile, so a reply left "streaming" was
    cut off by a crash and is exported as interrupted, as the next start will show it.
    """
    exported = []
    for conversation_id in conversation_ids:
        conversation = store.get_conversation(conversation_id)
        if conversation is None:
            raise KeyError(conversation_id)
        messages = store.all_messages(conversation_id)
        exported.append(
            ExportedConversation(
                conversation,
                tuple(_ended(m) for m in messages) if nothing_streams else tuple(messages),
                store.leaf_id(conversation_id),
            )
        )
    return exported


def export_text(
    store: SqliteStore, conversation_ids: Iterable[str], fmt: str, *, nothing_streams: bool = False
) -> str:
    """The conversations as ``json`` (every version, importable) or ``md`` (what is shown);
    ``nothing_streams`` as for ``collect``."""
    items = collect(store, conversation_ids, nothing_streams=nothing_streams)
    if fmt == "json":
        return to_json(items, files_dict(store, (m for i in items for m in i.messages)))
    if fmt != "md":
        raise ValueError(f"unknown export format {fmt!r} (md or json)")
    return conversations_markdown(
        (item.conversation, branch_for_export(store, item.conversation.id, nothing_streams))
        for item in items
    )


def branch_for_export(
    store: SqliteStore, conversation_id: str, nothing_streams: bool
) -> list[Message]:
    """The conversation's active branch, as an export shows it (``collect``)."""
    messages = store.messages(conversation_id)
    return [_ended(m) for m in messages] if nothing_streams else messages


def _ended(message: Message) -> Message:
    """A reply left streaming by a process that is gone: interrupted (the app's word)."""
    if message.state is MessageState.STREAMING:
        return dataclasses.replace(message, state=MessageState.INTERRUPTED)
    return message


def to_json(
    conversations: Sequence[ExportedConversation], files: dict[str, Any] | None = None
) -> str:
    """The export; with attachments it is version 2, which an older StreamChat refuses
    (rather than importing the prompts without their files)."""
    document: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "version": 2 if files else 1,
        "exported_at": time.time(),
        "conversations": [_conversation_dict(item) for item in conversations],
    }
    if files:
        document["files"] = files
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _conversation_dict(item: ExportedConversation) -> dict[str, Any]:
    c = item.conversation
    return {
        "id": c.id,
        "title": c.title,
        "provider_id": c.provider_id,
        "model": c.model,
        "system_prompt": c.system_prompt,
        "temperature": c.temperature,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "active_message_id": item.active_message_id,
        "messages": [_message_dict(m) for m in item.messages],
    }


def _message_dict(m: Message) -> dict[str, Any]:
    extra = {"attachments": message_files(m)} if m.attachments else {}
    return {
        "id": m.id,
        "parent_id": m.parent_id,
        "role": m.role.value,
        "content": m.content,
        "reasoning": m.reasoning,
        "state": m.state.value,
        "finish_reason": m.finish_reason,
        "error_kind": m.error_kind,
        "error_message": m.error_message,
        "usage": usage_to_dict(m.usage),
        "model": m.model,
        "created_at": m.created_at,
        **extra,
        **({"tool_calls": [record_to_dict(r) for r in m.tool_calls]} if m.tool_calls else {}),
    }


def parse_json(text: str | bytes) -> list[ExportedConversation]:
    """Check an export completely; ``InvalidExportError`` says what is wrong and where."""
    try:
        document = _repaired(json.loads(text))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidExportError(f"not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise InvalidExportError("not a StreamChat export (nested too deeply)") from exc
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        raise InvalidExportError(f'not a StreamChat export (no "format": "{EXPORT_FORMAT}")')
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version > EXPORT_VERSION:
        raise InvalidExportError(
            f"export version {version!r} is not supported (this StreamChat reads "
            f"up to {EXPORT_VERSION})"
        )
    items = _field(document, "conversations", list, "")
    try:
        files = parse_files(document.get("files"))
        parsed = [
            _parse_conversation(item, f"conversations[{i}]", files) for i, item in enumerate(items)
        ]
    except InvalidFilesError as exc:
        raise InvalidExportError(str(exc)) from None
    ids = [p.conversation.id for p in parsed]
    if len(set(ids)) != len(ids):
        raise InvalidExportError("the same conversation id appears twice")
    message_ids = [m.id for p in parsed for m in p.messages]
    if len(set(message_ids)) != len(message_ids):
        raise InvalidExportError("the same message id appears twice")
    return parsed


def _repaired(value: Any) -> Any:
    """Every string of a parsed file made encodable, where it enters: JSON can carry lone
    surrogates (``"\\ud800"``), which SQLite would refuse to store."""
    if isinstance(value, str):
        return repair_text(value)
    if isinstance(value, list):
        return [_repaired(item) for item in value]
    if isinstance(value, dict):
        return {repair_text(key): _repaired(item) for key, item in value.items()}
    return value


def import_conversations(
    store: SqliteStore, conversations: Sequence[ExportedConversation]
) -> ImportResult:
    """Write parsed conversations in one transaction (all or nothing)."""
    added = existing = messages = 0
    with store.batch():
        for item in conversations:
            for content in item.files:  # before the messages that name them
                store.put_attachment(content)
            created, count = store.import_conversation(
                item.conversation, item.messages, item.active_message_id
            )
            added += created
            existing += not created
            messages += count
    return ImportResult(added, existing, messages)


def _parse_conversation(
    data: object, where: str, files: dict[str, AttachmentContent]
) -> ExportedConversation:
    if not isinstance(data, dict):
        raise InvalidExportError(f"{where}: expected an object")
    conversation = Conversation(
        id=_id(data, "id", where),
        title=_field(data, "title", str, where),
        provider_id=_optional(data, "provider_id", str, where),
        model=_optional(data, "model", str, where),
        system_prompt=_field(data, "system_prompt", str, where),
        temperature=_number(data, "temperature", where, optional=True),
        created_at=_number(data, "created_at", where),
        updated_at=_number(data, "updated_at", where),
    )
    raw = _field(data, "messages", list, where)
    messages = [
        _parse_message(item, conversation.id, f"{where}.messages[{i}]", files)
        for i, item in enumerate(raw)
    ]
    ordered = _parents_first(messages, where)
    active = _optional(data, "active_message_id", str, where)
    if active is not None and active not in {m.id for m in messages}:
        raise InvalidExportError(f"{where}.active_message_id: no such message {active!r}")
    carried = {a.sha256 for m in messages for a in m.attachments}
    own = tuple(files[sha256] for sha256 in sorted(carried))
    return ExportedConversation(conversation, tuple(ordered), active, own)


def _parse_message(
    data: object, conversation_id: str, where: str, files: dict[str, AttachmentContent]
) -> Message:
    if not isinstance(data, dict):
        raise InvalidExportError(f"{where}: expected an object")
    state = _enum(data, "state", MessageState, where)
    usage = _optional(data, "usage", dict, where)
    if usage is not None and any(
        not isinstance(v, int) or isinstance(v, bool) for v in usage.values()
    ):
        raise InvalidExportError(f"{where}.usage: token counts must be integers")
    return Message(
        id=_id(data, "id", where),
        conversation_id=conversation_id,
        parent_id=_optional(data, "parent_id", str, where),
        role=_enum(data, "role", Role, where),
        content=_field(data, "content", str, where),
        reasoning=_optional(data, "reasoning", str, where) or "",
        # A reply exported while it streamed is, once imported, an interrupted one.
        state=MessageState.INTERRUPTED if state is MessageState.STREAMING else state,
        finish_reason=_optional(data, "finish_reason", str, where),
        error_kind=_optional(data, "error_kind", str, where),
        error_message=_optional(data, "error_message", str, where),
        usage=usage_from_dict(usage),
        model=_optional(data, "model", str, where),
        created_at=_number(data, "created_at", where),
        attachments=parse_message_files(data.get("attachments"), files, where),
        tool_calls=_tool_calls(data, where),
    )


def _tool_calls(data: dict[str, Any], where: str) -> tuple[ToolCallRecord, ...]:
    items = _optional(data, "tool_calls", list, where) or []
    try:
        return tuple(record_from_dict(item) for item in items)
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidExportError(f"{where}.tool_calls: {exc}") from exc


def _parents_first(messages: list[Message], where: str) -> list[Message]:
    """Order messages so every parent precedes its children; refuse loops and strays."""
    by_id = {m.id: m for m in messages}
    for m in messages:
        if m.parent_id is not None and m.parent_id not in by_id:
            raise InvalidExportError(
                f"{where}: message {m.id!r} answers {m.parent_id!r}, which is not in it"
            )
    ordered: list[Message] = []
    placed: set[str] = set()
    pending = list(messages)
    while pending:
        ready = [m for m in pending if m.parent_id is None or m.parent_id in placed]
        if not ready:
            raise InvalidExportError(f"{where}: messages form a loop of parents")
        ordered.extend(ready)
        placed.update(m.id for m in ready)
        pending = [m for m in pending if m.id not in placed]
    return ordered


def _field(data: dict[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in data:
        raise InvalidExportError(f"{_at(where, key)}: missing")
    value = data[key]
    if not isinstance(value, kind):
        raise InvalidExportError(f"{_at(where, key)}: expected {kind.__name__}")
    return value


def _optional(data: dict[str, Any], key: str, kind: type, where: str) -> Any:
    return None if data.get(key) is None else _field(data, key, kind, where)


def _id(data: dict[str, Any], key: str, where: str) -> str:
    value: str = _field(data, key, str, where)
    if not value.strip() or len(value) > 200:
        raise InvalidExportError(f"{_at(where, key)}: not a valid id")
    return value


def _number(data: dict[str, Any], key: str, where: str, *, optional: bool = False) -> Any:
    value = data.get(key)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidExportError(f"{_at(where, key)}: expected a number")
    return float(value)


def _enum(data: dict[str, Any], key: str, kind: type[Role] | type[MessageState], where: str) -> Any:
    value = _field(data, key, str, where)
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise InvalidExportError(f"{_at(where, key)}: expected one of {allowed}") from None


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key
