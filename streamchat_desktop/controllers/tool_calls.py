"""ToolCallController: the Qt face of tool calls and notices, and the desktop's decisions.

Kept apart from ChatController: it hears the same ChatService as one more observer,
so tools add signals without changing how a reply's text flows.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from streamchat_desktop.controllers.service_relay import ServiceRelay
from streamchat_desktop.core.chat_service import ChatService
from streamchat_desktop.core.observers import ProgressEvent
from streamchat_desktop.core.tool_events import Notice, ToolCallChanged
from streamchat_desktop.core.tools import Decision, ToolCallRecord

Decide = Callable[[str, Decision], bool]


class ToolCallController(QObject):
    """Signals:
    tool_call_changed(conversation_id, message_id, record): a call appeared or moved on
        (its ``offset`` is unknown here: 0; the transcript places a new call itself).
    notice_received(conversation_id, text): tools off for a server, a server that did
        not start, the step limit.
    """

    tool_call_changed = Signal(str, str, object)
    notice_received = Signal(str, str)

    def __init__(self, service: ChatService, decide: Decide, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._decide = decide
        self._relay = ServiceRelay(self)
        self._relay.progressed.connect(self._on_progressed)
        service.add_observer(self._relay)

    def decide(self, call_id: str, decision: str) -> bool:
        """The user's choice under a waiting call (``Decision`` value); False if stale."""
        try:
            choice = Decision(decision)
        except ValueError:
            return False
        return self._decide(call_id, choice)

    def detach(self) -> None:
        self._service.remove_observer(self._relay)

    def _on_progressed(self, conversation_id: str, message_id: str, event: ProgressEvent) -> None:
        if isinstance(event, ToolCallChanged):
            record = ToolCallRecord(
                event.call, event.server, event.status, event.result, event.images
            )
            self.tool_call_changed.emit(conversation_id, message_id, record)
        elif isinstance(event, Notice):
            self.notice_received.emit(conversation_id, event.text)
