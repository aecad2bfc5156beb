"""The window's per-message actions through ChatController: each change arrives as
``branch_changed``; delete emits ``message_deleted`` with what Undo needs; refusals
become ``problem_reported``, never exceptions into Qt."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import pytest

from streamchat_desktop.controllers.chat_controller import ChatController
from streamchat_desktop.core.branch import Branch, DeletedMessage
from tests.support.fake_openai import Gate, Script
from tests.support.live_chat import LiveChat, live_chat  # noqa: F401
from tests.support.waiting import wait_until


class Seen:
    def __init__(self, controller: ChatController) -> None:
        self.branches: list[Branch] = []
        self.deleted: list[DeletedMessage] = []
        self.restored: list[DeletedMessage] = []
        self.problems: list[str] = []
        controller.branch_changed.connect(self.branches.append)
        controller.message_deleted.connect(self.deleted.append)
        controller.message_restored.connect(self.restored.append)
        controller.problem_reported.connect(self.problems.append)


@pytest.fixture
def controller(live_chat: LiveChat, qapp: Any) -> Iterator[ChatController]:  # noqa: F811
    made = ChatController(live_chat.service)
    yield made
    made.detach()


class Opened(NamedTuple):
    """A conversation of finished turns open in the controller, and what it signals next."""

    chat: LiveChat
    controller: ChatController
    cid: str
    seen: Seen


@pytest.fixture
def opened(
    live_chat: LiveChat,  # noqa: F811
    controller: ChatController,
) -> Callable[[int], Opened]:
    """``opened(n)``: turns q1/a1 … qn/an, opened; signals recorded from then on."""

    def open_with_turns(count: int) -> Opened:
        conversation = live_chat.turns([(f"q{i}", f"a{i}") for i in range(1, count + 1)])
        controller.open_conversation(conversation.id)
        return Opened(live_chat, controller, conversation.id, Seen(controller))

    return open_with_turns


def test_regenerate_a_middle_answer_and_step_between_its_versions(
    opened: Callable[[int], Opened],
) -> None:
    chat, controller, cid, seen = opened(3)
    a2 = controller.messages()[3]
    chat.answer_with("a2 again")

    assert controller.edits.regenerate_answer(a2.id)
    chat.wait_idle(cid)

    again = controller.messages()[-1]
    assert seen.branches[-1].position(again.id) == (2, 2)
    assert controller.edits.branch().position(again.id) == (2, 2)
    assert controller.edits.step_version_of(again.id, -1) == "Version 1 of 2"
    assert [m.content for m in seen.branches[-1].messages] == ["q1", "a1", "q2", "a2", "q3", "a3"]
    assert controller.edits.step_version_of(a2.id, -1) is None  # no version before the first
    assert controller.edits.step_version_of(a2.id, +1) == "Version 2 of 2"
    assert [m.content for m in controller.messages()] == ["q1", "a1", "q2", "a2 again"]
    assert controller.edits.switch_version(a2.id)
    assert controller.edits.branch().position(a2.id) == (1, 2)
    assert seen.problems == []


def test_delete_signals_the_undo_and_undo_restores_the_branch(
    opened: Callable[[int], Opened],
) -> None:
    _chat, controller, cid, seen = opened(2)
    before = controller.edits.branch()
    q2 = before.messages[2]

    assert controller.edits.delete_message(q2.id)
    [token] = seen.deleted
    assert (token.conversation_id, token.message_id, token.preview) == (cid, q2.id, "q2")
    assert [m.content for m in seen.branches[-1].messages] == ["q1", "a1", "a2"]
    assert controller.edits.branch() == seen.branches[-1]

    assert controller.edits.undo_delete()
    assert seen.restored == [token]
    assert seen.branches[-1].messages == before.messages
    assert not controller.edits.undo_delete()  # nothing left to undo
    assert seen.problems == []


def test_edit_any_prompt_through_the_controller(opened: Callable[[int], Opened]) -> None:
    chat, controller, cid, seen = opened(2)
    q1 = controller.messages()[0]
    chat.answer_with("fresh")
    assert controller.edit_and_resend(q1.id, "q1 edited")
    chat.wait_idle(cid)
    assert [m.content for m in controller.messages()] == ["q1 edited", "fresh"]
    assert seen.branches[-1].position(controller.messages()[0].id) == (2, 2)
    assert controller.edits.step_version_of(controller.messages()[0].id, -1) == "Version 1 of 2"
    assert [m.content for m in controller.messages()] == ["q1", "a1", "q2", "a2"]


def test_continue_applies_to_a_cut_last_answer_only(
    live_chat: LiveChat,  # noqa: F811
    controller: ChatController,
) -> None:
    chat = live_chat
    controller.new_conversation()
    chat.answer_with("cut here", finish_reason="length")
    controller.send("q")
    chat.wait_idle(controller.conversation_id or "")
    prompt, cut = controller.messages()
    assert controller.edits.can_continue(cut)
    assert not controller.edits.can_continue(prompt)
    chat.answer_with(" and done")
    controller.continue_reply(cut.id)
    chat.wait_idle(controller.conversation_id or "")
    done = controller.messages()[-1]
    assert done.content == "cut here and done"
    assert not controller.edits.can_continue(done)


def test_while_a_reply_streams_actions_are_refused_in_words(
    opened: Callable[[int], Opened],
) -> None:
    chat, controller, cid, seen = opened(1)
    q1, a1 = controller.messages()
    gate = Gate(after=1)
    chat.server.enqueue(Script(deltas=["held", " open"], gate=gate))
    controller.send("q2")
    chat.run_async(wait_until(lambda: gate.reached))
    try:
        assert not controller.edits.delete_message(q1.id)
        assert not controller.edits.regenerate_answer(a1.id)
        assert not controller.edits.switch_version(q1.id)
    finally:
        gate.release()
    chat.wait_idle(cid)
    assert len(seen.problems) == 3
    assert all(p.startswith("A reply is streaming in this conversation") for p in seen.problems)
    assert seen.deleted == []


def test_an_action_on_the_wrong_message_is_refused_in_a_sentence(
    opened: Callable[[int], Opened],
) -> None:
    _chat, controller, _cid, seen = opened(1)
    q1, a1 = controller.messages()
    assert not controller.edits.regenerate_answer(q1.id)
    assert not controller.edit_and_resend(a1.id, "x")
    assert not controller.edits.delete_message("no-such-id")
    assert seen.problems == [
        "Only an answer on this conversation's branch can be regenerated",
        "Only a prompt on this conversation's branch can be edited",
        "Only a message on this conversation's branch can be deleted",
    ]
    assert seen.branches == [] and seen.deleted == []


def test_undo_is_forgotten_when_its_offer_goes_or_another_conversation_opens(
    opened: Callable[[int], Opened],
) -> None:
    _chat, controller, cid, seen = opened(2)
    assert controller.edits.delete_message(controller.edits.branch().messages[2].id)
    controller.open_conversation(cid)  # the same one again: the offer stays
    assert controller.edits.pending_undo() == seen.deleted[0]
    controller.edits.forget_undo()
    assert controller.edits.pending_undo() is None
    assert not controller.edits.undo_delete()

    assert controller.edits.delete_message(controller.edits.branch().messages[1].id)
    other = controller.new_conversation()
    assert controller.edits.pending_undo() is None
    assert not controller.edits.undo_delete()  # nothing restored out of sight
    controller.open_conversation(cid)
    assert [m.content for m in controller.messages()] == ["q1", "a2"]
    assert other != cid and seen.restored == []
