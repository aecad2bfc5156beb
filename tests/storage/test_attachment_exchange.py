"""Export and import with attachments: JSON carries the files (base64) and import
restores them; damaged files are refused; Markdown names them and, into a folder,
writes the images beside it and links them."""

from __future__ import annotations

import base64
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from streamchat_desktop.attachments.prepare import prepare
from streamchat_desktop.cli.main import main
from streamchat_desktop.config.paths import Profile
from streamchat_desktop.core.attachments import AttachmentContent
from streamchat_desktop.core.models import Conversation, Message, Role
from streamchat_desktop.imaging.images import prepare_image
from streamchat_desktop.storage import SqliteStore
from streamchat_desktop.storage.exchange import (
    InvalidExportError,
    export_text,
    import_conversations,
    parse_json,
)
from tests.support.attachment_files import png_bytes


@pytest.fixture
def files(qapp: Any) -> list[AttachmentContent]:
    return [
        prepare("chart.png", png_bytes(3000, 1000), prepare_image),
        prepare("notes.txt", b"the ibis ledger\n", prepare_image),
    ]


def with_files(store: SqliteStore, files: list[AttachmentContent]) -> Conversation:
    conversation = Conversation(title="Files")
    store.create_conversation(conversation)
    for content in files:
        store.put_attachment(content)
    store.add_message(
        Message(
            role=Role.USER,
            content="See these",
            conversation_id=conversation.id,
            attachments=tuple(c.attachment for c in files),
        )
    )
    store.add_message(
        Message(role=Role.ASSISTANT, content="Seen.", conversation_id=conversation.id)
    )
    return conversation


def test_json_round_trip_restores_the_files(
    store: SqliteStore, tmp_path: Path, files: list[AttachmentContent]
) -> None:
    conversation = with_files(store, files)
    text = export_text(store, [conversation.id], "json")
    document = json.loads(text)
    assert document["version"] == 2
    [prompt, _answer] = document["conversations"][0]["messages"]
    assert prompt["attachments"] == [
        {"name": "chart.png", "sha256": files[0].attachment.sha256},
        {"name": "notes.txt", "sha256": files[1].attachment.sha256},
    ]
    stored = document["files"][files[0].attachment.sha256]
    assert base64.b64decode(stored["data"]) == files[0].data  # the original, not the sent one

    other = SqliteStore.open(tmp_path / "other.sqlite3")
    try:
        result = import_conversations(other, parse_json(text))
        assert result.messages_added == 2
        [restored, _] = other.messages(conversation.id)
        assert restored.attachments == tuple(c.attachment for c in files)
        for content in files:  # a stored blob has no name: its messages name it
            unnamed = dataclasses.replace(content.attachment, name="")
            assert other.attachment_content(content.attachment.sha256) == dataclasses.replace(
                content, attachment=unnamed
            )
        assert [h.attachment_name for h in other.search("ibis")] == ["notes.txt"]
        again = import_conversations(other, parse_json(text))  # idempotent
        assert again.messages_added == 0
    finally:
        other.close()


def test_an_export_without_files_stays_version_1(store: SqliteStore) -> None:
    conversation = Conversation()
    store.create_conversation(conversation)
    document = json.loads(export_text(store, [conversation.id], "json"))
    assert document["version"] == 1 and "files" not in document


def test_a_damaged_file_is_refused_before_anything_is_written(
    store: SqliteStore, tmp_path: Path, files: list[AttachmentContent]
) -> None:
    conversation = with_files(store, files)
    document = json.loads(export_text(store, [conversation.id], "json"))
    sha256 = files[1].attachment.sha256
    document["files"][sha256]["data"] = base64.b64encode(b"the ibis ledger, edited").decode()

    with pytest.raises(InvalidExportError) as caught:
        parse_json(json.dumps(document))
    assert str(caught.value) == (
        f"files[{sha256[:16]}]: its bytes do not match its sha256 (damaged)"
    )


def test_a_message_naming_a_missing_file_is_refused(
    store: SqliteStore, files: list[AttachmentContent]
) -> None:
    conversation = with_files(store, files)
    document = json.loads(export_text(store, [conversation.id], "json"))
    del document["files"][files[0].attachment.sha256]
    with pytest.raises(InvalidExportError, match=r"attachments\[0\]: its file is not in"):
        parse_json(json.dumps(document))


def test_markdown_names_the_files(store: SqliteStore, files: list[AttachmentContent]) -> None:
    conversation = with_files(store, files)
    text = export_text(store, [conversation.id], "md")
    assert "- Attached: chart.png (" in text
    assert "- Attached: notes.txt (16 B)" in text


def test_markdown_into_a_folder_writes_and_links_the_images(
    tmp_path: Path, files: list[AttachmentContent], capsys: pytest.CaptureFixture[str]
) -> None:
    profile = Profile(tmp_path / "profile")
    store = SqliteStore.open(profile.database_file)
    with_files(store, files)
    store.close()
    out = tmp_path / "export"

    code = main(["--profile", str(profile.root), "export", "--format", "md", "--to", str(out)])

    assert code == 0, capsys.readouterr().err
    markdown = (out / "conversations.md").read_text(encoding="utf-8")
    image_name = f"{files[0].attachment.sha256[:12]}-chart.png"
    assert f"![chart.png](<files/{image_name}>)" in markdown
    assert (out / "files" / image_name).read_bytes() == files[0].data
    assert "- Attached: notes.txt (16 B)" in markdown  # not an image: named only
    assert sorted(p.name for p in (out / "files").iterdir()) == [image_name]
