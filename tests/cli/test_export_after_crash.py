"""``streamchat export`` of a reply left "streaming": interrupted when no app holds the
profile (a crash cut it off, as the next start shows it), still streaming while one does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from streamchat_desktop.app.single_instance import LOCK_FILE_NAME, SingleInstance
from streamchat_desktop.config.paths import Profile
from streamchat_desktop.core.models import Conversation, Message, MessageState, Role
from streamchat_desktop.storage import SqliteStore
from tests.support.run_app import run_streamchat


@pytest.fixture
def profile(tmp_path: Path) -> Profile:
    """A profile whose last reply was saved mid-stream (its app is gone or still runs)."""
    profile = Profile(tmp_path / "profile")
    store = SqliteStore.open(profile.database_file)
    conversation = Conversation(title="Counting")
    store.create_conversation(conversation)
    store.add_message(Message(Role.USER, "Count to ten", conversation_id=conversation.id))
    store.add_message(
        Message(
            Role.ASSISTANT,
            "one, two",
            conversation_id=conversation.id,
            state=MessageState.STREAMING,
        )
    )
    store.close()
    return profile


def exported_state(profile: Profile) -> tuple[str, str]:
    """The reply's state in the JSON export and its note in the Markdown export."""
    as_json = run_streamchat(profile.root, "export", "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    (conversation,) = json.loads(as_json.stdout)["conversations"]
    state = conversation["messages"][-1]["state"]
    as_md = run_streamchat(profile.root, "export", "--format", "md")
    assert as_md.returncode == 0, as_md.stderr
    return state, as_md.stdout


def test_no_app_on_the_profile_exports_the_reply_as_interrupted(profile: Profile) -> None:
    state, markdown = exported_state(profile)
    assert state == "interrupted"
    assert "Interrupted: StreamChat closed before the answer was complete." in markdown
    assert "one, two" in markdown
    stored = SqliteStore.open(profile.database_file, recover=False)
    assert stored.messages(stored.list_conversations()[0].id)[-1].state is MessageState.STREAMING
    stored.close()  # the export only reads: the next start marks it


def test_a_running_app_keeps_it_still_streaming(profile: Profile, qapp: Any) -> None:
    running = SingleInstance(profile.root)
    assert running.claim()
    try:
        state, markdown = exported_state(profile)
    finally:
        running.release()
    assert state == "streaming"
    assert "Still streaming when exported." in markdown


def test_a_lock_left_by_a_killed_app_does_not_count(profile: Profile) -> None:
    holder = (
        "import os, signal, sys\n"
        "from PySide6.QtCore import QLockFile\n"
        "lock = QLockFile(sys.argv[1])\n"
        "assert lock.tryLock(0)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    lock = profile.root / LOCK_FILE_NAME
    killed = subprocess.run([sys.executable, "-c", holder, str(lock)], check=False)
    assert killed.returncode == -9 and lock.exists()
    state, _ = exported_state(profile)
    assert state == "interrupted"
