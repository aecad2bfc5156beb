"""A message deleted with Undo lasts one session: the next launch removes it for good,
and the conversation shows exactly what it showed before the restart."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from streamchat_desktop.config.paths import Profile
from streamchat_desktop.storage import SqliteStore
from tests.support.sqlite_fixtures import add_turns


def test_the_next_launch_purges_deleted_messages(
    runtime_on: Callable[..., Any], tmp_path: Path
) -> None:
    profile = Profile.at(str(tmp_path / "profile")).ensure()
    store = SqliteStore.open(profile.database_file)
    conversation, added = add_turns(store, [("q1", "a1 to forget"), ("q2", "a2")])
    store.set_deleted(added[1].id, True)
    shown = [m.content for m in store.messages(conversation.id)]
    assert store.message_count() == 4
    store.close()

    runtime = runtime_on(profile.root)

    assert runtime.store.message_count() == 3
    assert [m.content for m in runtime.store.messages(conversation.id)] == shown
    assert runtime.store.search("forget") == []
