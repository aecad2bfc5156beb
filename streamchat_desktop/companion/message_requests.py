"""The views' requests that act on one message (protocol 3): edit a prompt, regenerate
an answer, step through versions, continue a cut answer, delete one message and undo it.

Each is validated by ``protocol``, done by the ``ChatService`` exactly as the desktop
window does it, and acknowledged; the new branch reaches every view through the
service's ``branch_changed`` (and a reply's own events), never through the ack.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from streamchat_desktop.companion import protocol as p
from streamchat_desktop.companion import request_checks as checks
from streamchat_desktop.core.branch import BusyError, DeletedMessage, NoSuchMessageError
from streamchat_desktop.core.chat_service import ChatService

MAX_UNDOABLE = 100  # deletes made from views that can still be undone (the newest)

Request = Callable[[object], p.AckOk]
T = TypeVar("T")


class MessageRequests:
    """Handlers ``data -> ack`` for the message requests; refusals raise ``ProtocolError``."""

    def __init__(self, service: ChatService) -> None:
        self._service = service
        self._deleted: OrderedDict[str, DeletedMessage] = OrderedDict()

    def handlers(self) -> dict[str, Request]:
        return {
            p.MESSAGE_EDIT: self.edit,
            p.MESSAGE_REGENERATE: self.regenerate,
            p.MESSAGE_CONTINUE: self.continue_reply,
            p.MESSAGE_DELETE: self.delete,
            p.MESSAGE_RESTORE: self.restore,
            p.VERSION_SWITCH: self.switch_version,
        }

    def edit(self, data: object) -> p.AckOk:
        request = checks.parse_message_edit(data)
        cid = self._conversation_of(request.message_id)
        reply = _refusing(
            lambda: self._service.edit_and_resend(cid, request.message_id, request.text)
        )
        return {"ok": True, "conversation_id": cid, "message_id": reply.id}

    def regenerate(self, data: object) -> p.AckOk:
        request = checks.parse_message_action(data)
        cid = self._conversation_of(request.message_id)
        reply = _refusing(lambda: self._service.regenerate_answer(cid, request.message_id))
        return {"ok": True, "conversation_id": cid, "message_id": reply.id}

    def continue_reply(self, data: object) -> p.AckOk:
        request = checks.parse_message_action(data)
        cid = self._conversation_of(request.message_id)
        if not self._service.branch(cid).can_continue(request.message_id):
            raise p.ProtocolError(
                p.ERROR_NOT_FOUND, "only the last answer, cut before its end, can be continued"
            )
        reply = _refusing(lambda: self._service.continue_reply(cid, request.message_id))
        return {"ok": True, "conversation_id": cid, "message_id": reply.id}

    def delete(self, data: object) -> p.AckOk:
        request = checks.parse_message_action(data)
        cid = self._conversation_of(request.message_id)
        token = _refusing(lambda: self._service.delete_message(cid, request.message_id))
        self._deleted[token.message_id] = token
        while len(self._deleted) > MAX_UNDOABLE:
            self._deleted.popitem(last=False)
        return {"ok": True, "conversation_id": cid, "message_id": token.message_id}

    def restore(self, data: object) -> p.AckOk:
        request = checks.parse_message_action(data)
        token = self._deleted.get(request.message_id)
        if token is None:
            raise p.ProtocolError(p.ERROR_NOT_FOUND, "there is no delete of that message to undo")
        _refusing(lambda: self._service.undo_delete(token))
        del self._deleted[request.message_id]
        return {
            "ok": True,
            "conversation_id": token.conversation_id,
            "message_id": token.message_id,
        }

    def switch_version(self, data: object) -> p.AckOk:
        request = checks.parse_version_switch(data)
        ids = [version.id for version in self._service.versions(request.message_id)]
        if request.message_id not in ids:
            raise p.ProtocolError(p.ERROR_NOT_FOUND, "there is no such message")
        index = ids.index(request.message_id) + request.step
        if not 0 <= index < len(ids):
            raise p.ProtocolError(p.ERROR_NOT_FOUND, "there is no version in that direction")
        _refusing(lambda: self._service.switch_version(ids[index]))
        cid = self._conversation_of(ids[index])
        version: p.VersionInfo = {"number": index + 1, "count": len(ids)}
        return {"ok": True, "conversation_id": cid, "message_id": ids[index], "version": version}

    def _conversation_of(self, message_id: str) -> str:
        return _refusing(lambda: self._service.conversation_of(message_id))


def _refusing(action: Callable[[], T]) -> T:
    """Run a service action; its refusals become the protocol's error acks."""
    try:
        return action()
    except BusyError as error:
        raise p.ProtocolError(p.ERROR_BUSY, str(error)) from None
    except (NoSuchMessageError, KeyError) as error:
        text = str(error) if isinstance(error, NoSuchMessageError) else "no such conversation"
        raise p.ProtocolError(p.ERROR_NOT_FOUND, text) from None
