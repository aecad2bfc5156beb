"""Real SQLite files in a temporary profile directory, and conversations to fill them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from streamchat_desktop.core.models import Conversation, Message, MessageState, Role
from streamchat_desktop.storage import SqliteStore


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "profile" / "conversations.sqlite3"


@pytest.fixture
def store(db_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore.open(db_path)
    yield opened
    opened.close()


def add_turns(
    store: SqliteStore, pairs: list[tuple[str, str]], **conversation: object
) -> tuple[Conversation, list[Message]]:
    """A conversation with (prompt, answer) pairs on its active branch."""
    created = Conversation(**conversation)  # type: ignore[arg-type]
    store.create_conversation(created)
    added = []
    for prompt, reply in pairs:
        for role, text in ((Role.USER, prompt), (Role.ASSISTANT, reply)):
            message = Message(
                role=role, content=text, conversation_id=created.id, state=MessageState.COMPLETE
            )
            store.add_message(message)
            added.append(message)
    return created, added
