"""The companion endpoint's ``ReplyObserver``: the ChatService's facts, posted to the views.

Separate from the server so the server is about connections and requests: this turns each
observer call (a reply started, a delta, a tool call, a reply ended, a conversation
changed or deleted, a new branch) into the protocol's payload and hands it to ``Fanout``
for the views that watch that conversation. It holds no state of its own.
"""

from __future__ import annotations

from collections.abc import Callable

from streamchat_desktop.companion import protocol as p
from streamchat_desktop.companion.fanout import Fanout, View
from streamchat_desktop.companion.snapshots import branch_payload, started_payload, terminal_payload
from streamchat_desktop.core.branch import Branch
from streamchat_desktop.core.chat_service import ChatService
from streamchat_desktop.core.events import ReasoningDelta, TerminalEvent, TextDelta
from streamchat_desktop.core.models import Conversation, Message
from streamchat_desktop.core.observers import ProgressEvent, ReplyStart
from streamchat_desktop.core.tool_events import ToolCallChanged
from streamchat_desktop.core.tools import ToolCallRecord


class ReplyRelay:
    """Observes ``service``; ``follow_window`` re-points a view at the window's conversation."""

    def __init__(
        self, service: ChatService, fanout: Fanout, follow_window: Callable[[View], None]
    ) -> None:
        self._service = service
        self._fanout = fanout
        self._follow_window = follow_window

    def reply_started(self, start: ReplyStart) -> None:
        message = start.message
        base = (message.content, message.reasoning)  # non-empty when a reply is continued
        sids = self._fanout.reply_started(start.conversation.id, message.id, base)
        if sids:
            self._fanout.post(p.MESSAGE_STARTED, started_payload(start), sids)

    def reply_event(self, conversation_id: str, message_id: str, event: ProgressEvent) -> None:
        if isinstance(event, TextDelta):
            self._fanout.add_delta(message_id, event.text)
        elif isinstance(event, ReasoningDelta):
            self._fanout.add_delta(message_id, event.text, reasoning=True)
        elif isinstance(event, ToolCallChanged):
            record = ToolCallRecord(
                event.call, event.server, event.status, event.result, event.images
            )
            change: p.ToolChangedPayload = {
                "conversation_id": conversation_id,
                "message_id": message_id,
                "call": p.tool_call_view(record),
            }
            sids = [view.sid for view in self._fanout.watchers(conversation_id)]
            self._fanout.post(p.TOOL_CHANGED, change, sids)

    def reply_ended(self, message: Message, event: TerminalEvent) -> None:
        ended = self._fanout.reply_ended(message.id)
        if ended is not None:
            mirror, sids = ended
            name, payload = terminal_payload(message, mirror.seq, event)
            self._fanout.post(name, payload, sids)

    def conversation_updated(self, conversation: Conversation) -> None:
        payload: p.ConversationUpdatedPayload = {
            "conversation": p.conversation_summary(conversation)
        }
        self._fanout.post(p.CONVERSATION_UPDATED, payload, list(self._fanout.views))

    def conversation_deleted(self, conversation_id: str) -> None:
        """Tell every view; those that showed it follow the desktop window's conversation
        (or the newest one while the window has none left to show)."""
        payload: p.ConversationDeletedPayload = {"conversation_id": conversation_id}
        self._fanout.post(p.CONVERSATION_DELETED, payload, list(self._fanout.views))
        for view in list(self._fanout.views.values()):
            if view.conversation_id == conversation_id:
                self._follow_window(view)

    def branch_changed(self, branch: Branch) -> None:
        """Views showing that conversation get its new branch (with the text so far of a
        reply streaming there: their cursors move to it, as for a snapshot)."""
        watchers = self._fanout.watchers(branch.conversation_id)
        for view in watchers:
            self._fanout.show(view, branch.conversation_id, following=view.following)
        if watchers:
            payload = branch_payload(self._service, self._fanout, branch)
            self._fanout.post(p.BRANCH_CHANGED, payload, [view.sid for view in watchers])
