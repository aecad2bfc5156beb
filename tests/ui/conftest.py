"""Fixtures for the window tests: the fake OpenAI server and a window over SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from streamchat_desktop.controllers.exchange import ConversationExchange
from streamchat_desktop.storage.repository import SqliteStore
from streamchat_desktop.ui.main_window import MainWindow
from tests.support.fake_openai import FakeOpenAIServer
from tests.support.fake_openai_fixtures import fake_openai  # noqa: F401
from tests.support.windows import open_window


@pytest.fixture
def stored_window(
    qtbot: Any,
    fake_openai: FakeOpenAIServer,  # noqa: F811 (the fixture imported above)
    qloop: Any,
    tmp_path: Path,
) -> Iterator[MainWindow]:
    """The real window over a real SQLite profile, answering from the fake server."""
    store = SqliteStore.open(tmp_path / "conversations.sqlite3")
    opened = open_window(
        qtbot, fake_openai.base_url, store, search=store.search,
        exchange=ConversationExchange(store),
    )  # fmt: skip
    yield opened.window
    qloop.run_until_complete(opened.close())
    store.close()
