"""The welcome of a new chat, the typing indicator, "Jump to latest ↓" and the one
screen-reader announcement per reply, in the real window against the tests' server."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from streamchat_desktop.core.models import MessageState
from streamchat_desktop.ui.main_window import MainWindow
from streamchat_desktop.ui.welcome import EXAMPLE_PROMPTS
from tests.support.fake_openai import FakeOpenAIServer, Gate, Script
from tests.support.waiting import wait_until


def last_message(window: MainWindow) -> Any:
    return window._controller.messages()[-1]


async def answer_complete(window: MainWindow) -> None:
    await wait_until(lambda: last_message(window).state is MessageState.COMPLETE, 10.0)


def test_a_new_chat_opens_on_a_welcome_whose_example_a_click_sends(
    stored_window: MainWindow, qtbot: Any, fake_openai: FakeOpenAIServer, run_async: Any
) -> None:
    window = stored_window
    welcome = window.live.welcome
    assert welcome.isVisible()
    assert welcome.geometry() == window.transcript.rect()  # it covers the empty transcript
    assert welcome.model_label.text().startswith("Model:")
    assert 3 <= len(welcome.examples) <= 4
    window.endpoint_picker.models.setEditText("gpt-4o")
    assert welcome.model_label.text() == "Model: gpt-4o"
    window.composer.setPlainText("a draft of mine")
    fake_openai.enqueue(Script(deltas=["Sure, ", "here it is."]))

    qtbot.mouseClick(welcome.examples[1], Qt.MouseButton.LeftButton)

    run_async(answer_complete(window))
    sent = fake_openai.chat_requests[-1].json["messages"]
    assert sent[-1] == {"role": "user", "content": EXAMPLE_PROMPTS[1]}
    assert not welcome.isVisible()
    assert EXAMPLE_PROMPTS[1] in window.transcript.toPlainText()
    assert window.composer.toPlainText() == "a draft of mine"  # a draft is not lost

    window.menus.new_action.trigger()  # a new chat: the welcome again
    assert welcome.isVisible()
    window.history.sidebar.conversation_selected.emit(
        window._controller.conversations()[-1].id
    )  # back to the conversation with messages: no welcome over them
    assert not welcome.isVisible()


def test_typing_shows_until_the_first_token_and_jump_to_latest_while_scrolled_up(
    stored_window: MainWindow, qtbot: Any, fake_openai: FakeOpenAIServer, run_async: Any
) -> None:
    window = stored_window
    window.resize(700, 420)
    first = Gate(after=0)
    lines = [f"line {i}\n\n" for i in range(120)]
    middle = Gate(after=len(lines) // 2)
    # the held answer: nothing yet, then half of it, then the rest
    fake_openai.enqueue(Script(deltas=lines, gate=first))
    window.composer.setPlainText("Many lines please")
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)
    typing, jump, bar = window.live.typing, window.live.jump, window.transcript.verticalScrollBar()

    async def watch() -> None:
        await wait_until(lambda: first.reached)
        await wait_until(typing.isVisible)
        assert typing.text() == "Assistant is typing…"
        assert not jump.isVisible()  # at the bottom: nothing to jump to
        first.release()
        await wait_until(lambda: "line 119" in window.transcript.toPlainText(), 10.0)
        assert not typing.isVisible()  # the text replaced it
        await answer_complete(window)

    run_async(watch())
    assert not jump.isVisible()  # no stream: no button

    fake_openai.enqueue(Script(deltas=lines, gate=middle))
    window.composer.setPlainText("Again please")
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)

    async def scroll_up_mid_stream() -> None:
        await wait_until(lambda: middle.reached)
        await wait_until(lambda: not typing.isVisible())
        bar.setValue(0)  # the user reads from the top
        await wait_until(jump.isVisible)
        assert not window.transcript.is_following()
        qtbot.mouseClick(jump, Qt.MouseButton.LeftButton)
        assert window.transcript.is_following()
        assert bar.value() == bar.maximum()
        assert not jump.isVisible()
        middle.release()
        await answer_complete(window)

    run_async(scroll_up_mid_stream())
    assert bar.value() == bar.maximum()  # it followed the rest of the answer down
    assert not jump.isVisible()


def test_a_finished_reply_is_announced_once(
    stored_window: MainWindow, qtbot: Any, fake_openai: FakeOpenAIServer, run_async: Any
) -> None:
    window = stored_window
    announced: list[str] = []
    window.live.announced.connect(announced.append)
    fake_openai.enqueue(Script(deltas=[f"w{i} " for i in range(40)]))
    window.composer.setPlainText("Count")
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)
    run_async(answer_complete(window))
    assert announced == ["Answer finished"]
    assert window.transcript.accessibleDescription() == "Answer finished"
