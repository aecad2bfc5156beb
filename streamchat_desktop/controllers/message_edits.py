"""The per-message actions on the open conversation's branch, for one ChatController.

Separate from the controller because these act on one message of the branch on screen
(regenerate one answer, switch or step its versions, delete it with a single Undo) and
share a state the rest of the controller does not need: the branch with its version
positions, cached until a signal says it changed, and the newest delete kept for Undo.
Every change arrives afterwards as the controller's ``branch_changed``; a refusal or a
store fault is reported as a sentence, never raised.
"""

from __future__ import annotations

from collections.abc import Callable

from streamchat_desktop.core.branch import Branch, BusyError, DeletedMessage, NoSuchMessageError
from streamchat_desktop.core.chat_service import ChatService
from streamchat_desktop.core.message_actions import SteppedVersion
from streamchat_desktop.core.models import Message
from streamchat_desktop.storage.errors import StorageError


class MessageEdits:
    """Acts on ``conversation_id()``'s branch; tells ``report`` what went wrong and
    ``deleted`` / ``restored`` what a delete took and an Undo brought back."""

    def __init__(
        self,
        service: ChatService,
        conversation_id: Callable[[], str | None],
        report: Callable[[str], None],
        deleted: Callable[[DeletedMessage], None],
        restored: Callable[[DeletedMessage], None],
    ) -> None:
        self._service = service
        self._conversation_id = conversation_id
        self._report = report
        self._deleted = deleted
        self._restored = restored
        self._branch: Branch | None = None  # the open conversation's, until it changes
        self._undo: DeletedMessage | None = None  # the newest delete, for undo_delete

    def conversation_opened(self, conversation_id: str) -> None:
        self._branch = None
        if self._undo is not None and self._undo.conversation_id != conversation_id:
            self._undo = None  # an Undo never restores out of sight, in another conversation

    def branch_changed(self, branch: Branch | None) -> None:
        """A new branch from the service (or None: it changed, read it again when asked)."""
        if branch is None or branch.conversation_id == self._conversation_id():
            self._branch = branch

    def branch(self) -> Branch:
        """The open conversation's branch with its version positions (kept until a
        signal says it changed)."""
        cid = self._conversation_id()
        if cid is None:
            return Branch("")
        if self._branch is None or self._branch.conversation_id != cid:
            self._branch = self._service.branch(cid)
        return self._branch

    def can_continue(self, message: Message) -> bool:
        """Whether Continue applies: the open branch's last message, a cut answer."""
        return message.is_cut and self.branch().can_continue(message.id)

    def regenerate_answer(self, message_id: str) -> bool:
        """Ask again for any answer of the open branch; the old one stays a version."""
        cid = self._conversation_id()
        return cid is not None and self.act(
            lambda: self._service.regenerate_answer(cid, message_id)
        )

    def switch_version(self, message_id: str) -> bool:
        """Show this version (with its newest replies)."""
        return self.act(lambda: self._service.switch_version(message_id))

    def step_version_of(self, message_id: str, step: int) -> str | None:
        """Show the previous (-1) or next (+1) version of this message; returns e.g.
        "Version 2 of 3", or None when it has no other version in that direction."""
        if self.branch().position(message_id) is None:
            return None
        shown: list[SteppedVersion | None] = []
        if not self.act(lambda: shown.append(self._service.step_version(message_id, step))):
            return None
        if shown[0] is None:
            return None
        return f"Version {shown[0].number} of {shown[0].count}"

    def delete_message(self, message_id: str) -> bool:
        """Delete one message of the open branch; ``deleted`` hears what the Undo brings back."""
        cid = self._conversation_id()
        if cid is None:
            return False
        deleted: list[DeletedMessage] = []
        if not self.act(lambda: deleted.append(self._service.delete_message(cid, message_id))):
            return False
        self._undo = deleted[0]
        self._deleted(deleted[0])
        return True

    def undo_delete(self, deleted: DeletedMessage | None = None) -> bool:
        """Bring back ``deleted`` (default: the newest delete); ``restored`` hears it."""
        token = deleted or self._undo
        if token is None or not self.act(lambda: self._service.undo_delete(token)):
            return False
        if token == self._undo:
            self._undo = None
        self._restored(token)
        return True

    def pending_undo(self) -> DeletedMessage | None:
        """What ``undo_delete()`` would bring back now, if anything."""
        return self._undo

    def forget_undo(self) -> None:
        """The Undo offer went (its toast ran out): a later Ctrl+Z restores nothing."""
        self._undo = None

    def act(self, action: Callable[[], object]) -> bool:
        """Run a per-message action; a refusal or a store fault is told, not raised."""
        try:
            action()
        except (BusyError, NoSuchMessageError) as exc:
            text = str(exc)
            self._report(text[:1].upper() + text[1:])  # a sentence
            return False
        except KeyError:
            self._report("That conversation no longer exists.")
            return False
        except StorageError as exc:
            self._report(exc.message)
            return False
        return True
