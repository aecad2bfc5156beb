"""Quitting while a reply streams onto a full disk ends the program and keeps what fit.

The real program runs on a real tmpfs profile with a companion view connected; the
disk is filled while the answer streams, then SIGTERM asks it to quit. Before the fix
the loop's last pass ran the companion's tasks outside any running loop ("no running
event loop", "… is bound to a different event loop"), the shutdown failed and a modal
"StreamChat stopped" dialog kept the process alive.
"""

from __future__ import annotations

import signal
import sqlite3
from pathlib import Path

import pytest

from streamchat_desktop.core.models import MessageState, Role
from streamchat_desktop.storage import SqliteStore
from tests.support.app_log import at_least
from tests.support.companion_client import CompanionClient, read_announced, start_with_companion
from tests.support.fake_openai import FakeOpenAIServer, Script
from tests.support.fake_openai_gate import Gate
from tests.support.mounts import fill_disk, small_tmpfs
from tests.support.run_app import reaped
from tests.support.waiting import poll_external_fact

pytestmark = pytest.mark.e2e

WORDS = [f"w{i} " for i in range(400)]
HELD_AFTER = 300  # the server holds the stream open after this many deltas


def saved_answer(database: Path) -> str:
    """The streaming answer as saved so far (read beside the running app, as WAL allows)."""
    conn = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT content FROM messages WHERE role = 'assistant'").fetchone()
    finally:
        conn.close()
    return str(row[0]) if row else ""


def test_quit_while_streaming_onto_a_full_disk_ends_and_keeps_what_fit(
    fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    gate = Gate(after=HELD_AFTER)
    fake_openai.enqueue(Script(deltas=WORDS, delay=0.01, gate=gate))
    with small_tmpfs(tmp_path / "profile", "3m") as profile:
        app = start_with_companion(profile, fake_openai.base_url, "count")
        with reaped(app):
            viewer = CompanionClient(read_announced(app)).connect()
            try:
                fake_openai.wait_for_requests(1, 60)
                database = profile / "conversations.sqlite3"
                poll_external_fact(lambda: saved_answer(database) != "", 60, "a first checkpoint")
                filler = fill_disk(profile)
                last_word = WORDS[HELD_AFTER - 1].strip()
                viewer.wait_for(
                    lambda: any(
                        name == "message:delta" and last_word in str(data)
                        for name, data in list(viewer.events)
                    ),
                    60,
                    "the answer reached the view up to where the server holds it",
                )
                saved_before_quit = saved_answer(database)
                app.send_signal(signal.SIGTERM)
                app.wait(120)  # it must end, however long that takes
            finally:
                gate.release()
                viewer.close()
            assert app.stderr is not None
            stderr = app.stderr.read()
        assert app.returncode == 0, stderr
        assert "Traceback" not in stderr and "unexpected error" not in stderr, stderr
        problems = [
            r
            for r in at_least("ERROR", profile / "logs" / "streamchat.log")
            if not r.message.startswith("could not save message")  # the full disk itself
        ]
        assert problems == []

        filler.unlink()  # space again: the next start reads what fit
        store = SqliteStore.open(profile / "conversations.sqlite3")
        try:
            assert store.recovery is None
            [conversation] = store.list_conversations()
            prompt, answer = store.messages(conversation.id)
            assert (prompt.role, prompt.content) == (Role.USER, "count")
            assert answer.content and "".join(WORDS).startswith(answer.content)
            assert len(answer.content) >= len(saved_before_quit)
            assert answer.state in (MessageState.STREAMING, MessageState.STOPPED)
        finally:
            store.close()
