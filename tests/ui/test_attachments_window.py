"""Files in the real window: dropped, pasted, chips with × and thumbnails, sent with or
without text to the tests' server, shown and opened in the transcript; limits and a
model that refuses images."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QImage, QTextDocument
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from streamchat_desktop.controllers.exchange import ConversationExchange
from streamchat_desktop.core.models import MessageState
from streamchat_desktop.storage.repository import SqliteStore
from streamchat_desktop.ui.attachment_preview import ImagePreview
from streamchat_desktop.ui.main_window import MainWindow
from tests.support.attachment_files import image_parts, pdf_with_text, png_bytes, text_parts
from tests.support.fake_openai import FakeOpenAIServer, Script, images_not_supported
from tests.support.waiting import wait_until
from tests.support.windows import open_window


@pytest.fixture
def window(
    qtbot: Any, fake_openai: FakeOpenAIServer, qloop: Any, tmp_path: Path
) -> Iterator[MainWindow]:
    store = SqliteStore.open(tmp_path / "conversations.sqlite3")
    opened = open_window(
        qtbot, fake_openai.base_url, store, files=store, exchange=ConversationExchange(store)
    )
    yield opened.window
    qloop.run_until_complete(opened.close())
    store.close()


@pytest.fixture
def picture(tmp_path: Path) -> Path:
    path = tmp_path / "shot.png"
    path.write_bytes(png_bytes(3000, 1500))
    return path


def file_mime(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def read(window: MainWindow, qtbot: Any) -> None:
    """Wait until the files dropped or pasted are read (on a worker thread)."""
    assert window.attachments is not None
    qtbot.waitUntil(lambda: window.attachments.preparing == 0)


def drop(window: MainWindow, qtbot: Any, mime: QMimeData, on: QWidget | None = None) -> None:
    """Drag in, then drop, where a user would: on the transcript unless told."""
    target = on or window.transcript.viewport()
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(QPoint(20, 20), Qt.DropAction.CopyAction, mime, buttons, keys)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    dropped = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, buttons, keys)
    QApplication.sendEvent(target, dropped)
    read(window, qtbot)


def notices(window: MainWindow) -> list[str]:
    return [box.text() for box in window.findChildren(QMessageBox) if box.isVisible()]


def chip_names(window: MainWindow) -> list[str]:
    return [chip.content.attachment.name for chip in window.tray.chips()]


def sent(window: MainWindow, qtbot: Any, text: str = "") -> None:
    window.composer.setPlainText(text)
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)


def reply_state(window: MainWindow) -> MessageState:
    return window._controller.messages()[-1].state


def test_dropped_files_become_chips_and_go_without_text(
    window: MainWindow,
    qtbot: Any,
    fake_openai: FakeOpenAIServer,
    run_async: Any,
    picture: Path,
    tmp_path: Path,
) -> None:
    pdf = pdf_with_text(tmp_path / "brief.pdf", ["The heron report"])
    drop(window, qtbot, file_mime(picture, pdf))

    assert chip_names(window) == ["shot.png", "brief.pdf"]
    image_chip, pdf_chip = window.tray.chips()
    assert image_chip.thumbnail.pixmap().width() == 40  # a thumbnail, 2:1
    assert pdf_chip.label.text().startswith("brief.pdf · ") and pdf_chip.label.text().endswith(
        " · 1 p."
    )
    fake_openai.enqueue(Script(deltas=["A heron."]))

    sent(window, qtbot)  # no text: the files alone

    run_async(wait_until(lambda: reply_state(window) is MessageState.COMPLETE))
    body = fake_openai.last_request.json
    [image] = image_parts(body)
    assert (image.width(), image.height()) == (2048, 1024)
    assert "The heron report" in text_parts(body)[0]
    assert window.tray.chips() == [] and window.tray.isHidden()
    shown = window.transcript.toPlainText()
    assert "Image: shot.png · " in shown and "PDF: brief.pdf · " in shown


def test_remove_button_takes_a_file_off(
    window: MainWindow, qtbot: Any, picture: Path, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("x", encoding="utf-8")
    drop(window, qtbot, file_mime(picture, notes))
    first = window.tray.chips()[0]
    assert first.remove_button.accessibleName() == "Remove shot.png"
    first.remove_button.click()
    assert chip_names(window) == ["notes.txt"]


def test_files_dropped_on_the_prompt_box_are_attached_not_typed(
    window: MainWindow, qtbot: Any, picture: Path
) -> None:
    drop(window, qtbot, file_mime(picture), on=window.composer.viewport())
    assert chip_names(window) == ["shot.png"]
    assert window.composer.toPlainText() == ""


def test_pasting_an_image_from_the_clipboard(window: MainWindow, qtbot: Any) -> None:
    QGuiApplication.clipboard().setImage(QImage.fromData(png_bytes(120, 80)))
    window.composer.setFocus()
    window.composer.paste()
    read(window, qtbot)
    assert chip_names(window) == ["pasted image.png"]
    assert window.composer.toPlainText() == ""


def test_pasting_copied_files(window: MainWindow, qtbot: Any, picture: Path) -> None:
    QGuiApplication.clipboard().setMimeData(file_mime(picture))
    window.composer.paste()
    read(window, qtbot)
    assert chip_names(window) == ["shot.png"]


def test_sending_waits_for_files_still_being_read(
    window: MainWindow, qtbot: Any, fake_openai: FakeOpenAIServer, picture: Path
) -> None:
    assert window.attachments is not None
    window.attachments.preparing = 1  # as while a large PDF is read
    sent(window, qtbot, "with the file")
    assert window.composer.toPlainText() == "with the file"
    assert "still being read" in window.statusBar().currentMessage()
    assert window._controller.messages() == []


def test_pasting_text_stays_text(window: MainWindow) -> None:
    QGuiApplication.clipboard().setText("just words")
    window.composer.paste()
    assert window.composer.toPlainText() == "just words" and chip_names(window) == []


def test_an_unsupported_file_is_refused_with_its_reason(
    window: MainWindow, qtbot: Any, tmp_path: Path
) -> None:
    archive = tmp_path / "stuff.zip"
    archive.write_bytes(b"PK\x03\x04" + bytes(range(256)))
    drop(window, qtbot, file_mime(archive))
    qtbot.waitUntil(lambda: bool(notices(window)))
    assert chip_names(window) == []
    assert notices(window)[0].startswith("stuff.zip cannot be attached: it is not a kind")


def test_too_many_files_keeps_the_draft(
    window: MainWindow, qtbot: Any, fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    paths = []
    for i in range(11):
        path = tmp_path / f"part{i}.txt"
        path.write_text(f"part {i}", encoding="utf-8")
        paths.append(path)
    drop(window, qtbot, file_mime(*paths))
    sent(window, qtbot, "all of these")
    qtbot.waitUntil(lambda: bool(notices(window)))
    assert notices(window) == [
        "A prompt can carry at most 10 files; this one has 11. "
        "Remove some, or send them in two prompts."
    ]
    assert window.composer.toPlainText() == "all of these"
    assert len(window.tray.chips()) == 11
    assert fake_openai.chat_requests == []


def test_clicking_an_image_in_the_transcript_opens_a_preview(
    window: MainWindow, qtbot: Any, fake_openai: FakeOpenAIServer, run_async: Any, picture: Path
) -> None:
    drop(window, qtbot, file_mime(picture))
    fake_openai.enqueue(Script(deltas=["ok"]))
    sent(window, qtbot, "look")
    run_async(wait_until(lambda: reply_state(window) is MessageState.COMPLETE))
    prompt = window._controller.messages()[0]
    thumbnail = window.transcript.document().resource(
        QTextDocument.ResourceType.ImageResource.value,
        QUrl(f"thumb:{prompt.attachments[0].sha256}"),
    )
    assert isinstance(thumbnail, QImage) and (thumbnail.width(), thumbnail.height()) == (192, 96)

    window.transcript.anchorClicked.emit(QUrl(f"attachment:{prompt.id}/0"))

    [preview] = window.findChildren(ImagePreview)
    assert preview.windowTitle() == "shot.png"
    assert (preview.image.width(), preview.image.height()) == (3000, 1500)  # the original
    preview.close()


def test_a_model_that_refuses_images_offers_another_and_keeps_the_file(
    window: MainWindow, qtbot: Any, fake_openai: FakeOpenAIServer, run_async: Any, picture: Path
) -> None:
    drop(window, qtbot, file_mime(picture))
    fake_openai.enqueue(images_not_supported(), Script(deltas=["I see it"]))
    sent(window, qtbot, "what is this?")
    run_async(wait_until(lambda: reply_state(window) is MessageState.FAILED))
    shown = window.transcript.toPlainText()
    assert "This model does not accept images (HTTP 400)" in shown
    assert "Retry with another model" in shown
    failed = window._controller.messages()[-1]

    window.transcript.anchorClicked.emit(QUrl(f"othermodel:{failed.id}"))
    picker = window.endpoint_picker
    picker.models.hidePopup()
    picker.models.setEditText("gpt-4o")
    line = picker.models.lineEdit()
    assert line is not None
    line.editingFinished.emit()

    run_async(wait_until(lambda: len(fake_openai.chat_requests) == 2))
    run_async(wait_until(lambda: reply_state(window) is MessageState.COMPLETE))
    [image] = image_parts(fake_openai.last_request.json)
    assert (image.width(), image.height()) == (2048, 1024)
    assert window._controller.messages()[-1].content == "I see it"


def test_text_likely_past_the_context_warns_then_goes_when_sent_again(
    window: MainWindow, qtbot: Any, fake_openai: FakeOpenAIServer, run_async: Any, tmp_path: Path
) -> None:
    log = tmp_path / "server.log"
    log.write_text("GET /health 200\n" * 10_000, encoding="utf-8")  # 160 KB: ~40,000 tokens
    drop(window, qtbot, file_mime(log))
    sent(window, qtbot, "why so many?")
    qtbot.waitUntil(lambda: bool(notices(window)))
    assert notices(window)[0].startswith(
        "The attached files add about 40,000 tokens of text, likely more than the model's"
    )
    assert fake_openai.chat_requests == [] and chip_names(window) == ["server.log"]
    assert window.composer.toPlainText() == "why so many?"

    fake_openai.enqueue(Script(deltas=["Health checks."]))
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)  # again: sent anyway

    run_async(wait_until(lambda: reply_state(window) is MessageState.COMPLETE))
    assert "GET /health 200" in text_parts(fake_openai.last_request.json)[1]


def test_export_to_a_folder_writes_the_pictures_beside_the_markdown(
    window: MainWindow,
    qtbot: Any,
    fake_openai: FakeOpenAIServer,
    run_async: Any,
    picture: Path,
    tmp_path: Path,
) -> None:
    drop(window, qtbot, file_mime(picture))
    fake_openai.enqueue(Script(deltas=["A chart."]))
    sent(window, qtbot, "describe")
    run_async(wait_until(lambda: reply_state(window) is MessageState.COMPLETE))
    assert window.file_actions is not None

    window.file_actions.export_folder_to(tmp_path / "out")

    markdown = (tmp_path / "out" / "conversations.md").read_text(encoding="utf-8")
    [image] = list((tmp_path / "out" / "files").iterdir())
    assert f"![shot.png](<files/{image.name}>)" in markdown
    assert image.read_bytes() == picture.read_bytes()
