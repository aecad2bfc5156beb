"""ConversationExchange says, as a signal, that an import added conversations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from streamchat_desktop.controllers.exchange import ConversationExchange, ExchangeError
from streamchat_desktop.core.models import Conversation, Message, Role
from streamchat_desktop.storage.repository import SqliteStore


def test_an_import_is_announced_once_with_its_summary_and_a_refused_one_not(
    qapp: Any, tmp_path: Path
) -> None:
    source = SqliteStore.open(tmp_path / "source.sqlite3")
    conversation = Conversation(title="Trip")
    source.create_conversation(conversation)
    source.add_message(Message(Role.USER, "hello", conversation_id=conversation.id))
    exported = ConversationExchange(source).export(None, "json")
    source.close()

    target = SqliteStore.open(tmp_path / "target.sqlite3")
    exchange = ConversationExchange(target)
    imported: list[str] = []
    exchange.conversations_imported.connect(imported.append)
    summary = exchange.import_json(exported.encode())
    with pytest.raises(ExchangeError):
        exchange.import_json(b"{not json")
    assert imported == [summary]
    assert [c.title for c in target.list_conversations()] == ["Trip"]
    target.close()
