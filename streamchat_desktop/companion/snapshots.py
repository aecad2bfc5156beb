"""Payloads for the views: a snapshot (built from the service's queries and the replies
in flight), and a reply's start and end (built from what the service handed over)."""

from __future__ import annotations

import dataclasses

from streamchat_desktop.companion import protocol as p
from streamchat_desktop.companion.fanout import Fanout, View
from streamchat_desktop.core.branch import Branch, can_be_continued
from streamchat_desktop.core.chat_service import ChatService
from streamchat_desktop.core.events import Failed, Finished, TerminalEvent
from streamchat_desktop.core.models import Message, MessageState
from streamchat_desktop.core.observers import ReplyStart


def build_snapshot(
    service: ChatService, fanout: Fanout, view: View, *, active_conversation_id: str | None
) -> p.SnapshotPayload:
    """Everything a view shows, a reply in flight with its text and ``seq`` so far.

    Built right after ``fanout.show(view, …)`` with no ``await`` in between, so the
    text here is exactly the deltas up to the view's cursors.
    """
    conversations = service.list_conversations()[: p.MAX_SNAPSHOT_CONVERSATIONS]
    conversation_id = view.conversation_id
    conversation = service.get_conversation(conversation_id) if conversation_id else None
    branch = service.branch(conversation.id) if conversation else Branch("")
    views, omitted = branch_views(service, fanout, branch)
    return {
        "protocol": p.PROTOCOL_VERSION,
        "conversations": [p.conversation_summary(c) for c in conversations],
        "active_conversation_id": active_conversation_id,
        "following": view.following,
        "conversation": p.conversation_summary(conversation) if conversation else None,
        "messages": views,
        "omitted": omitted,
    }


def branch_payload(service: ChatService, fanout: Fanout, branch: Branch) -> p.BranchChangedPayload:
    """A changed branch for the views that show it (each pointed at it with
    ``fanout.show`` first, with no ``await`` in between, as for a snapshot)."""
    views, omitted = branch_views(service, fanout, branch)
    return {"conversation_id": branch.conversation_id, "messages": views, "omitted": omitted}


def branch_views(
    service: ChatService, fanout: Fanout, branch: Branch
) -> tuple[list[p.MessageView], int]:
    """The newest ``MAX_SNAPSHOT_MESSAGES`` of the branch as views, and how many are left out."""
    omitted = max(0, len(branch.messages) - p.MAX_SNAPSHOT_MESSAGES)
    views = [_live_view(service, fanout, branch, m) for m in branch.messages[omitted:]]
    return views, omitted


def _live_view(
    service: ChatService, fanout: Fanout, branch: Branch, message: Message
) -> p.MessageView:
    position = branch.position(message.id)
    if message.state is not MessageState.STREAMING:
        continuable = branch.can_continue(message.id)
        return p.message_view(message, version=position, can_continue=continuable)
    mirror = fanout.mirrors.get(message.id)
    if mirror is not None:
        text, reasoning = mirror.text()
        live = dataclasses.replace(message, content=text, reasoning=reasoning)
        return p.message_view(live, seq=mirror.seq, version=position)
    # A reply that began before the server observed it: show the text so far.
    active = service.active_reply(message.conversation_id)
    if active is not None and active.id == message.id:
        return p.message_view(active, version=position)
    return p.message_view(message, version=position)


def started_payload(start: ReplyStart) -> p.MessageStartedPayload:
    """A new reply, with the prompt it answers and the branch of messages before it."""
    prompt = start.prompt
    return {
        "conversation_id": start.conversation.id,
        "message": p.message_view(start.message),
        "prompt": p.message_view(prompt) if prompt is not None else None,
        "history": [m.id for m in start.history[-p.MAX_SNAPSHOT_MESSAGES :]],
    }


def terminal_payload(
    message: Message, seq: int, event: TerminalEvent
) -> tuple[str, p.MessageFinishedPayload | p.MessageFailedPayload]:
    """The reply's end; ``message`` is its final state as the service holds it."""
    conversation_id, message_id = message.conversation_id, message.id
    usage = p.usage_info(event.stats.usage)
    if isinstance(event, Failed):
        failed: p.MessageFailedPayload = {
            "conversation_id": conversation_id,
            "message_id": message_id,
            "seq": seq,
            "error": p.error_info(event.error.kind.value, event.error.message),
            "usage": usage,
            "can_continue": can_be_continued(message),
        }
        return p.MESSAGE_FAILED, failed
    finished: p.MessageFinishedPayload = {
        "conversation_id": conversation_id,
        "message_id": message_id,
        "seq": seq,
        "state": "complete" if isinstance(event, Finished) else "stopped",
        "finish_reason": event.finish_reason if isinstance(event, Finished) else None,
        "usage": usage,
        "can_continue": can_be_continued(message),
    }
    return p.MESSAGE_FINISHED, finished
