"""Actions on any message of the branch, through ChatService on a real SQLite file and
the tests' OpenAI server: regenerate a middle answer, edit an earlier prompt, switch
versions, delete with Undo, continue a cut answer; each one told to the observers."""

from __future__ import annotations

import pytest

from streamchat_desktop.core.branch import Branch, BusyError, NoSuchMessageError
from streamchat_desktop.core.models import Conversation, Message, MessageState, Role
from streamchat_desktop.core.observers import ReplyStart
from streamchat_desktop.core.reply_request import CONTINUE_PROMPT
from tests.support.fake_openai import Gate, Script
from tests.support.live_chat import LiveChat, live_chat  # noqa: F401
from tests.support.observers import RecordingObserver
from tests.support.waiting import wait_until

THREE_TURNS = [("q1", "a1"), ("q2", "a2"), ("q3", "a3")]


def regenerate_a2(chat: LiveChat) -> tuple[Conversation, Message, Message]:
    """Three turns with the middle answer asked again: (conversation, a2, its new version)."""
    conversation = chat.turns(THREE_TURNS)
    a2 = chat.branch(conversation.id)[3]
    chat.answer_with("a2 again")
    reply = chat.service.regenerate_answer(conversation.id, a2.id)
    chat.wait_idle(conversation.id)
    return conversation, a2, reply


def test_regenerating_a_middle_answer_sends_the_branch_up_to_its_prompt(
    live_chat: LiveChat,  # noqa: F811
) -> None:
    chat = live_chat
    conversation, a2, reply = regenerate_a2(chat)

    assert chat.last_sent() == [("user", "q1"), ("assistant", "a1"), ("user", "q2")]
    assert chat.texts(conversation.id) == ["q1", "a1", "q2", "a2 again"]
    assert chat.service.version_positions(conversation.id) == {reply.id: (2, 2)}
    told = chat.observer.branches[-1]
    assert told.conversation_id == conversation.id
    assert [m.id for m in told.messages][-1] == reply.id
    assert told.position(reply.id) == (2, 2)

    chat.service.switch_version(a2.id)  # the old answer, and what followed it
    assert chat.texts(conversation.id) == ["q1", "a1", "q2", "a2", "q3", "a3"]
    assert chat.service.version_positions(conversation.id) == {a2.id: (1, 2)}
    assert chat.observer.branches[-1].position(a2.id) == (1, 2)


def test_editing_an_earlier_prompt_makes_a_version_and_keeps_what_followed(
    live_chat: LiveChat,  # noqa: F811
) -> None:
    chat = live_chat
    conversation = chat.turns(THREE_TURNS)
    before = chat.branch(conversation.id)
    q1 = before[0]
    chat.answer_with("a1 for the edit")

    chat.service.edit_and_resend(conversation.id, q1.id, "q1 edited")
    chat.wait_idle(conversation.id)

    assert chat.last_sent() == [("user", "q1 edited")]
    edited = chat.branch(conversation.id)
    assert [m.content for m in edited] == ["q1 edited", "a1 for the edit"]
    assert chat.service.version_positions(conversation.id) == {edited[0].id: (2, 2)}
    assert chat.observer.branches[-1].position(edited[0].id) == (2, 2)

    chat.service.switch_version(q1.id)
    assert chat.branch(conversation.id) == before
    assert chat.service.version_positions(conversation.id) == {q1.id: (1, 2)}
    stored = chat.service.get_conversation(conversation.id)
    assert stored is not None and stored.title == "q1"  # an edit keeps the title
    chat.service.switch_version(edited[0].id)
    assert chat.branch(conversation.id) == edited


def test_deleting_one_message_hides_only_it_and_undo_puts_it_back(
    live_chat: LiveChat,  # noqa: F811
) -> None:
    chat = live_chat
    conversation = chat.turns(THREE_TURNS)
    before = chat.service.branch(conversation.id)
    a1 = before.messages[1]

    token = chat.service.delete_message(conversation.id, a1.id)

    assert (token.conversation_id, token.message_id, token.role) == (
        conversation.id,
        a1.id,
        a1.role,
    )
    assert chat.texts(conversation.id) == ["q1", "q2", "a2", "q3", "a3"]
    assert [m.content for m in chat.observer.branches[-1].messages] == chat.texts(conversation.id)
    chat.answer_with("a4")
    chat.service.send(conversation.id, "q4")
    chat.wait_idle(conversation.id)
    assert ("assistant", "a1") not in chat.last_sent()  # the model no longer sees it

    chat.service.undo_delete(token)
    assert chat.texts(conversation.id) == ["q1", "a1", "q2", "a2", "q3", "a3", "q4", "a4"]
    assert chat.observer.branches[-1].messages == tuple(chat.branch(conversation.id))


def test_deleting_a_version_and_undoing_restores_positions_exactly(
    live_chat: LiveChat,  # noqa: F811
) -> None:
    chat = live_chat
    conversation = chat.turns(THREE_TURNS[:2])
    a2 = chat.branch(conversation.id)[3]
    chat.answer_with("a2 again")
    chat.service.regenerate_answer(conversation.id, a2.id)
    chat.wait_idle(conversation.id)
    before = chat.service.branch(conversation.id)
    again = before.messages[-1]

    token = chat.service.delete_message(conversation.id, again.id)
    assert chat.texts(conversation.id) == ["q1", "a1", "q2"]
    assert chat.service.versions(a2.id) == [a2]
    assert chat.service.version_positions(conversation.id) == {}

    chat.service.undo_delete(token)
    after = chat.service.branch(conversation.id)
    assert after.messages == before.messages
    assert dict(after.positions) == dict(before.positions) == {again.id: (2, 2)}


def test_every_branch_change_is_refused_while_a_reply_streams(
    live_chat: LiveChat,  # noqa: F811
) -> None:
    chat = live_chat
    conversation = chat.turns(THREE_TURNS[:2])
    q1, a1 = chat.branch(conversation.id)[:2]
    token = chat.service.delete_message(conversation.id, a1.id)
    gate = Gate(after=1)
    chat.server.enqueue(Script(deltas=["held", " open"], gate=gate))
    chat.service.send(conversation.id, "q3")
    chat.run_async(wait_until(lambda: gate.reached))
    try:
        refusals = {
            "delete": lambda: chat.service.delete_message(conversation.id, q1.id),
            "undo": lambda: chat.service.undo_delete(token),
            "regenerate": lambda: chat.service.regenerate_answer(conversation.id, a1.id),
            "edit": lambda: chat.service.edit_and_resend(conversation.id, q1.id, "x"),
            "switch": lambda: chat.service.switch_version(q1.id),
        }
        for name, action in refusals.items():
            with pytest.raises(BusyError, match="A reply is streaming"):
                action()
            assert chat.texts(conversation.id)[:3] == ["q1", "q2", "a2"], name
    finally:
        gate.release()
    chat.wait_idle(conversation.id)


def test_actions_name_what_they_refuse(live_chat: LiveChat) -> None:  # noqa: F811
    chat = live_chat
    conversation = chat.turns(THREE_TURNS[:1])
    q1, a1 = chat.branch(conversation.id)
    with pytest.raises(NoSuchMessageError, match="only an answer"):
        chat.service.regenerate_answer(conversation.id, q1.id)
    with pytest.raises(NoSuchMessageError, match="only a prompt"):
        chat.service.edit_and_resend(conversation.id, a1.id, "x")
    with pytest.raises(NoSuchMessageError, match="only a message"):
        chat.service.delete_message(conversation.id, "no-such-id")
    with pytest.raises(NoSuchMessageError):
        chat.service.switch_version("no-such-id")
    assert chat.texts(conversation.id) == ["q1", "a1"]


def test_a_cut_answer_can_be_continued_and_only_the_last(
    live_chat: LiveChat,  # noqa: F811
) -> None:
    chat = live_chat
    conversation = chat.service.new_conversation()
    chat.answer_with("half an", finish_reason="length")
    chat.service.send(conversation.id, "q")
    chat.wait_idle(conversation.id)
    branch = chat.service.branch(conversation.id)
    cut = branch.messages[-1]
    assert cut.finish_reason == "length" and branch.can_continue(cut.id)
    assert not branch.can_continue(branch.messages[0].id)
    chat.answer_with(" answer")

    chat.service.continue_reply(conversation.id, cut.id)
    chat.wait_idle(conversation.id)

    assert chat.last_sent()[-2:] == [("assistant", "half an"), ("user", CONTINUE_PROMPT)]
    done = chat.service.branch(conversation.id)
    assert done.messages[-1].content == "half an answer"
    assert done.messages[-1].state is MessageState.COMPLETE
    assert not done.can_continue(cut.id)
    assert done.messages[-1].role is Role.ASSISTANT


class OrderedObserver(RecordingObserver):
    """Also keeps the order of starts and branch changes, by message id."""

    def __init__(self) -> None:
        super().__init__()
        self.order: list[tuple[str, str]] = []

    def reply_started(self, start: ReplyStart) -> None:
        self.order.append(("started", start.message.id))
        super().reply_started(start)

    def branch_changed(self, branch: Branch) -> None:
        self.order.append(("branch", branch.messages[-1].id))
        super().branch_changed(branch)


def test_a_regeneration_is_told_as_its_start_then_the_branch_ending_with_it(
    live_chat: LiveChat,  # noqa: F811
) -> None:
    chat = live_chat
    conversation = chat.turns(THREE_TURNS[:2])
    a1 = chat.branch(conversation.id)[1]
    observer = OrderedObserver()
    chat.service.add_observer(observer)
    chat.answer_with("a1 again")

    reply = chat.service.regenerate_answer(conversation.id, a1.id)
    chat.wait_idle(conversation.id)

    assert observer.order == [("started", reply.id), ("branch", reply.id)]
    told = observer.branches[-1]
    assert told.messages[-1].state is MessageState.STREAMING and told.messages[-1].content == ""
    assert told.position(reply.id) == (2, 2)


def test_stepping_versions_walks_them_in_order_and_stops_at_either_end(
    live_chat: LiveChat,  # noqa: F811
) -> None:
    chat = live_chat
    conversation, a2, again = regenerate_a2(chat)

    shown = chat.service.step_version(again.id, -1)
    assert shown is not None
    assert (shown.message.id, shown.number, shown.count) == (a2.id, 1, 2)
    assert shown.message.conversation_id == conversation.id
    assert chat.texts(conversation.id) == ["q1", "a1", "q2", "a2", "q3", "a3"]
    assert chat.service.step_version(a2.id, -1) is None  # nothing before the first
    assert chat.texts(conversation.id) == ["q1", "a1", "q2", "a2", "q3", "a3"]
    shown = chat.service.step_version(a2.id, +1)
    assert shown is not None and (shown.message.id, shown.number) == (again.id, 2)
    assert chat.texts(conversation.id) == ["q1", "a1", "q2", "a2 again"]
    with pytest.raises(NoSuchMessageError):
        chat.service.step_version("no-such-message", 1)
