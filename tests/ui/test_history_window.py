"""The window over a real SQLite profile: switching while streaming, search, edit, versions."""

from __future__ import annotations

from typing import Any

import pytest

from streamchat_desktop.controllers.chat_controller import ChatController
from streamchat_desktop.core.models import MessageState, Role
from streamchat_desktop.ui.main_window import MainWindow
from tests.support.fake_openai import FakeOpenAIServer, Gate, Script
from tests.support.waiting import wait_until


@pytest.fixture
def window(stored_window: MainWindow) -> MainWindow:
    return stored_window


def controller_of(window: MainWindow) -> ChatController:
    return window._controller


def finish(run_async: Any, window: MainWindow) -> None:
    async def body() -> None:
        await wait_until(lambda: controller_of(window).streaming_reply() is None)

    run_async(body())


def test_a_stream_keeps_going_in_the_background_and_shows_live_on_return(
    window: MainWindow, fake_openai: FakeOpenAIServer, run_async: Any
) -> None:
    c = controller_of(window)
    away = Gate(after=21)  # still streaming when the person comes back
    fake_openai.enqueue(Script(deltas=[f"w{i} " for i in range(80)], gate=away))
    c.send("first conversation")
    first = c.conversation_id
    assert first is not None

    async def switch_away_and_back() -> None:
        await wait_until(lambda: "w3" in (c.streaming_reply() or c.messages()[-1]).content)
        c.new_conversation()
        assert "w3" not in window.transcript.toPlainText()

        def first_text() -> str:
            reply = c.service.active_reply(first) or c.service.messages(first)[-1]
            return reply.content

        await wait_until(lambda: "w20" in first_text())
        c.open_conversation(first)
        assert window.send_button.text() == "Stop"
        away.release()
        await wait_until(lambda: "w79" in window.transcript.toPlainText())

    run_async(switch_away_and_back())
    finish(run_async, window)
    saved = c.service.messages(first)[-1]
    assert saved.state is MessageState.COMPLETE
    assert saved.content == "".join(f"w{i} " for i in range(80))
    assert window.transcript.toPlainText().count("w40 ") == 1
    assert c.conversations()[0].id in window.history.sidebar.visible_ids()
    assert not window.history.sidebar._streaming, "no conversation is marked as replying"


def test_search_finds_a_message_and_opens_its_conversation(
    window: MainWindow, fake_openai: FakeOpenAIServer, run_async: Any
) -> None:
    c = controller_of(window)
    fake_openai.enqueue(Script(deltas=["the ", "zebra ", "answer"]), Script(deltas=["other"]))
    c.send("tell me about stripes")
    finish(run_async, window)
    zebra = c.conversation_id
    c.new_conversation()
    c.send("something else")
    finish(run_async, window)

    window.history.search.set_query("zebra")
    window.history.search.search_now()
    hits = window.history.search.hits()
    assert [h.conversation_id for h in hits] == [zebra]
    window.history.search.hit_activated.emit(hits[0].conversation_id, hits[0].message_id)
    assert c.conversation_id == zebra
    assert "zebra" in window.transcript.toPlainText()


def test_edit_last_prompt_keeps_the_old_answer_as_an_earlier_version(
    window: MainWindow, fake_openai: FakeOpenAIServer, run_async: Any, qtbot: Any
) -> None:
    c = controller_of(window)
    fake_openai.enqueue(Script(deltas=["old answer"]), Script(deltas=["new answer"]))
    c.send("original prompt")
    finish(run_async, window)

    window.menus.edit_action.trigger()
    assert window.composer.toPlainText() == "original prompt"
    window.composer.setPlainText("edited prompt")
    window.composer.request_send()
    finish(run_async, window)
    assert [m.content for m in c.messages()] == ["edited prompt", "new answer"]

    window.menus.previous_version_action.trigger()
    assert [m.content for m in c.messages()] == ["original prompt", "old answer"]
    assert "old answer" in window.transcript.toPlainText()
    window.menus.next_version_action.trigger()
    assert [m.content for m in c.messages()] == ["edited prompt", "new answer"]


def test_regenerate_and_rename_and_delete(
    window: MainWindow, fake_openai: FakeOpenAIServer, run_async: Any
) -> None:
    c = controller_of(window)
    fake_openai.enqueue(Script(deltas=["first take"]), Script(deltas=["second take"]))
    c.send("a question")
    finish(run_async, window)
    window.menus.regenerate_action.trigger()
    finish(run_async, window)
    assert c.messages()[-1].content == "second take"
    assert [m.role for m in c.messages()] == [Role.USER, Role.ASSISTANT]
    assert len(c.service.versions(c.messages()[-1].id)) == 2

    conversation_id = c.conversation_id
    assert conversation_id is not None
    c.rename_conversation(conversation_id, "  Renamed   chat ")
    assert c.conversation() is not None and c.conversation().title == "Renamed chat"  # type: ignore[union-attr]
    assert window.windowTitle().startswith("Renamed chat")

    window.history.sidebar.request_delete(conversation_id)
    assert conversation_id not in window.history.sidebar.visible_ids()
    window.history.sidebar.undo_delete()
    assert conversation_id in window.history.sidebar.visible_ids()
    window.history.sidebar.request_delete(conversation_id)
    window.history.sidebar.commit_pending_delete()
    assert c.service.get_conversation(conversation_id) is None
    assert c.conversation_id != conversation_id
